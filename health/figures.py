"""Figures of the report's section 2 (the health unit), as in the specification."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from contacts.figures import PERSONS
from contacts.models import Person
from entractes.lib.figures import Figure, FigureSet, Listing, Value, compute_all, records_all
from health.models import (
    Consultation,
    ConsultationAct,
    HealthSession,
    Modality,
    ServiceLine,
    Workshop,
)

# Listing health records needs the capability that reads clinical content.
CLINICAL = "health.read_clinical"


def _lines() -> list[str]:
    return list(ServiceLine.objects.order_by("position", "slug").values_list("slug", flat=True))


def figure_sets(year: int) -> list[FigureSet]:
    """Every declared figure of the app for a year."""
    lines = _lines()
    nurse = Q(line__slug="nurse")
    drug = Q(person__uses_drugs=True)
    sessions = [Figure(f"health.{line}.sessions", Q(line__slug=line)) for line in lines]
    # A group session counts once among the line's care sessions (with the consultations).
    groups = [
        Figure(f"health.{line}.consultations", Q(line__slug=line, participants__isnull=False))
        for line in lines
    ]
    consultations = []
    for line in lines:
        consultations.append(Figure(f"health.{line}.consultations", Q(line__slug=line)))
    consultations += [
        Figure("health.nurse.consultations_drug_users", nurse & drug),
        Figure("health.nurse.digital_outreach", nurse & Q(modality=Modality.ONLINE_OUTREACH)),
    ]

    # Persons seen by a line: in a consultation of it, or among a group session's
    # participants; each condition names its whole join, as the base's filter is an OR.
    def seen(line: str) -> Q:
        return Q(
            consultations__day__year=year,
            consultations__archived_at__isnull=True,
            consultations__line__slug=line,
        ) | Q(health_sessions__date__year=year, health_sessions__line__slug=line)

    people = [Figure(f"health.{line}.people", seen(line)) for line in lines]
    people.append(Figure("health.nurse.people_drug_users", seen("nurse") & Q(uses_drugs=True)))
    seen_in_year = Q(consultations__day__year=year, consultations__archived_at__isnull=True) | Q(
        health_sessions__date__year=year
    )
    acts = [
        Figure("health.midwife.smears", Q(act__slug="cervical_smear")),
        Figure(
            "health.nurse.screenings", Q(act__is_screening=True, consultation__line__slug="nurse")
        ),
    ]
    return [
        FigureSet(
            HealthSession.objects.filter(date__year=year),
            (*sessions, *groups),
            listing=Listing(lambda s: [s.date, s.line], ("line",)),
            capability=CLINICAL,
        ),
        FigureSet(
            Consultation.objects.in_year(year),
            tuple(consultations),
            listing=Listing(lambda c: [c.day, c.line, c.person.code], ("line", "person")),
            capability=CLINICAL,
        ),
        FigureSet(
            Person.all_objects.filter(seen_in_year),
            tuple(people),
            listing=PERSONS,
            capability=CLINICAL,
        ),
        FigureSet(
            # An archived consultation's acts are withdrawn with it.
            ConsultationAct.objects.filter(
                consultation__day__year=year, consultation__archived_at=None
            ),
            tuple(acts),
            capability=CLINICAL,
        ),
        FigureSet(
            Workshop.objects.filter(date__year=year),
            (Figure("health.workshops"),),
            capability=CLINICAL,
        ),
    ]


def figures(year: int) -> dict[str, Value]:
    """Every key of section 2 for a year, in a fixed number of queries."""
    return dict(compute_all(figure_sets(year)))


def records(key: str, year: int) -> list[QuerySet]:
    """The records behind a figure (consultations, acts, sessions, workshops, persons;
    a line's care sessions: its consultations and its group sessions)."""
    return records_all(figure_sets(year), key)


def period_summary(start, end) -> dict[str, int]:
    """Consultations between two days (inclusive), for the director's dashboard."""
    return {"consultations": Consultation.objects.filter(day__range=(start, end)).count()}

"""Figures of the report's section 2 (the health unit), as in the specification."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from contacts.figures import PERSONS
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
    consultations = []
    for line in lines:
        consultations += [
            Figure(f"health.{line}.people", Q(line__slug=line), "distinct", "person"),
            Figure(f"health.{line}.consultations", Q(line__slug=line)),
        ]
    consultations += [
        Figure("health.nurse.people_drug_users", nurse & drug, "distinct", "person"),
        Figure("health.nurse.consultations_drug_users", nurse & drug),
        Figure("health.nurse.digital_outreach", nurse & Q(modality=Modality.ONLINE_OUTREACH)),
    ]
    acts = [
        Figure("health.midwife.smears", Q(act__slug="cervical_smear")),
        Figure(
            "health.nurse.screenings", Q(act__is_screening=True, consultation__line__slug="nurse")
        ),
    ]
    return [
        FigureSet(
            HealthSession.objects.filter(date__year=year),
            tuple(sessions),
            listing=Listing(lambda s: [s.date, s.line], ("line",)),
            capability=CLINICAL,
        ),
        FigureSet(
            Consultation.objects.in_year(year),
            tuple(consultations),
            listing=Listing(lambda c: [c.day, c.line, c.person.code], ("line", "person")),
            by_value=PERSONS,
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
    """The records behind a figure (consultations, acts, sessions, workshops; persons'
    ids for distinct counts)."""
    return records_all(figure_sets(year), key)


def period_summary(start, end) -> dict[str, int]:
    """Consultations between two days (inclusive), for the director's dashboard."""
    return {"consultations": Consultation.objects.filter(day__range=(start, end)).count()}

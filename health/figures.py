"""Figures of the report's section 2 (the health unit), as in the specification."""

from __future__ import annotations

from django.db.models import FilteredRelation, Q, QuerySet

from contacts.figures import PERSONS
from contacts.models import Person
from entractes.lib.figures import (
    OPEN,
    Family,
    Figure,
    FigureSet,
    Listing,
    Scope,
    Value,
    among,
    compute_all,
    records_all,
)
from entractes.lib.period import Period
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


def figure_sets(period: Period | int, scope: Scope = OPEN) -> list[FigureSet]:
    """Every declared figure of the app for a period (a year's number: that year).
    Health records are filtered by the staff who recorded them only."""
    period = Period.of(period)
    start, end = period.bounds
    team = scope.team
    lines = _lines()
    nurse = Q(line__slug="nurse")
    drug = Q(person__uses_drugs=True)
    by_line = tuple(lines)
    sessions = Family("health.{}.sessions", "line__slug", by_line)
    # A group session counts once among the line's care sessions (with the consultations).
    groups = Family("health.{}.consultations", "line__slug", by_line, Q(participants__isnull=False))
    consultations = [
        Figure("health.nurse.consultations_drug_users", nurse & drug),
        Figure("health.nurse.digital_outreach", nurse & Q(modality=Modality.ONLINE_OUTREACH)),
    ]

    # Persons seen by a line: in a consultation of it, or among a group session's
    # participants. Both are joined on the period's records only (not every record of
    # every person), and the base's filter is an OR of the two joins.
    in_consultation = Q(
        consultations__day__range=(start, end), consultations__archived_at__isnull=True
    )
    in_group = Q(health_sessions__date__range=(start, end))
    if team:
        in_consultation &= Q(consultations__author__in=team)
        in_group &= Q(health_sessions__created_by__in=team)
    seen_records = {
        "seen_consultation": FilteredRelation("consultations", condition=in_consultation),
        "seen_session": FilteredRelation("health_sessions", condition=in_group),
    }

    def seen(line: str) -> Q:
        return Q(seen_consultation__line__slug=line) | Q(seen_session__line__slug=line)

    people = [Figure(f"health.{line}.people", seen(line)) for line in lines]
    people.append(Figure("health.nurse.people_drug_users", seen("nurse") & Q(uses_drugs=True)))
    seen_in_period = Q(seen_consultation__isnull=False) | Q(seen_session__isnull=False)
    acts = [
        Figure("health.midwife.smears", Q(act__slug="cervical_smear")),
        Figure(
            "health.nurse.screenings", Q(act__is_screening=True, consultation__line__slug="nurse")
        ),
    ]
    return [
        FigureSet(
            HealthSession.objects.filter(period.within("date")),
            (),
            families=(sessions, groups),
            listing=Listing(lambda s: [s.date, s.line], ("line",)),
            capability=CLINICAL,
            filters={"team": among("created_by")},
            additive=True,
        ),
        FigureSet(
            Consultation.objects.filter(period.within("day")),
            tuple(consultations),
            families=(Family("health.{}.consultations", "line__slug", by_line),),
            listing=Listing(lambda c: [c.day, c.line, c.person.code], ("line", "person")),
            capability=CLINICAL,
            filters={"team": among("author")},
            additive=True,
        ),
        FigureSet(
            Person.all_objects.annotate(**seen_records).filter(seen_in_period),
            tuple(people),
            listing=PERSONS,
            capability=CLINICAL,
            scoped_by=Scope(team=team),
        ),
        FigureSet(
            # An archived consultation's acts are withdrawn with it.
            ConsultationAct.objects.filter(
                period.within("consultation__day"), consultation__archived_at=None
            ),
            tuple(acts),
            capability=CLINICAL,
            filters={"team": among("consultation__author")},
            additive=True,
        ),
        FigureSet(
            Workshop.objects.filter(period.within("date")),
            (Figure("health.workshops"),),
            capability=CLINICAL,
            filters={"team": among("created_by")},
            additive=True,
        ),
    ]


def figures(period: Period | int, scope: Scope = OPEN) -> dict[str, Value]:
    """Every key of section 2 for a period, in a fixed number of queries."""
    return dict(compute_all(figure_sets(period, scope), scope))


def records(key: str, period: Period | int, scope: Scope = OPEN) -> list[QuerySet]:
    """The records behind a figure (consultations, acts, sessions, workshops, persons;
    a line's care sessions: its consultations and its group sessions)."""
    return records_all(figure_sets(period, scope), key, scope)


def period_summary(start, end) -> dict[str, int]:
    """Consultations between two days (inclusive), for the director's dashboard."""
    return {"consultations": Consultation.objects.filter(day__range=(start, end)).count()}

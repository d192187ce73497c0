"""Figures of the report's section 3 (access to rights), as in the specification."""

from __future__ import annotations

from django.db.models import Q, QuerySet

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
from rights.models import FINAL_FAVOURABLE, Procedure, ProcedureTheme, PSPFile

PROCEDURES = Listing(
    lambda p: [p.opened_on, p.theme, p.person.code, p.get_status_display()], ("theme", "person")
)
PSP_FILES = Listing(
    lambda f: [f.filed_on, f.get_kind_display(), f.person.code, f.get_state_display()],
    ("person",),
)


# Procedures and PSP files are filtered by the staff who recorded them only.
TEAM = {"team": among("created_by")}


def figure_sets(period: Period | int, scope: Scope = OPEN) -> list[FigureSet]:
    """Every declared figure of the app for a period (a year's number: that year)."""
    period = Period.of(period)
    themes = list(
        ProcedureTheme.objects.order_by("position", "slug").values_list("slug", flat=True)
    )
    opened = Family("rights.procedures.{}.opened", "theme__slug", tuple(themes))
    completed = Family("rights.procedures.{}.completed", "theme__slug", tuple(themes))
    psp = (
        Figure("rights.psp.first_requests", Q(kind=PSPFile.Kind.FIRST_REQUEST)),
        Figure(
            "rights.psp.renewals",
            Q(kind__in=[PSPFile.Kind.FIRST_RENEWAL, PSPFile.Kind.SECOND_RENEWAL]),
        ),
        # Counted in the year of filing, on the last decision (after any review).
        Figure("rights.psp.favourable", FINAL_FAVOURABLE),
    )
    return [
        FigureSet(
            Procedure.objects.filter(period.within("opened_on")),
            (),
            families=(opened,),
            listing=PROCEDURES,
            filters=TEAM,
            additive=True,
        ),
        FigureSet(
            Procedure.objects.filter(period.within("status_on"), status=Procedure.Status.COMPLETED),
            (),
            families=(completed,),
            listing=PROCEDURES,
            filters=TEAM,
            additive=True,
        ),
        FigureSet(
            PSPFile.objects.filter(period.within("filed_on")),
            psp,
            listing=PSP_FILES,
            filters=TEAM,
            additive=True,
        ),
    ]


def figures(period: Period | int, scope: Scope = OPEN) -> dict[str, Value]:
    """Every key of section 3 for a period, in a fixed number of queries."""
    return dict(compute_all(figure_sets(period, scope), scope))


def records(key: str, period: Period | int, scope: Scope = OPEN) -> list[QuerySet]:
    return records_all(figure_sets(period, scope), key, scope)

"""Figures of the report's section 3 (access to rights), as in the specification."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from entractes.lib.figures import Figure, FigureSet, Listing, Value, compute_all, records_all
from rights.models import FINAL_FAVOURABLE, Procedure, ProcedureTheme, PSPFile

PROCEDURES = Listing(
    lambda p: [p.opened_on, p.theme, p.person.code, p.get_status_display()], ("theme", "person")
)
PSP_FILES = Listing(
    lambda f: [f.filed_on, f.get_kind_display(), f.person.code, f.get_state_display()],
    ("person",),
)


def figure_sets(year: int) -> list[FigureSet]:
    """Every declared figure of the app for a year."""
    themes = list(
        ProcedureTheme.objects.order_by("position", "slug").values_list("slug", flat=True)
    )
    opened = [Figure(f"rights.procedures.{t}.opened", Q(theme__slug=t)) for t in themes]
    completed = [Figure(f"rights.procedures.{t}.completed", Q(theme__slug=t)) for t in themes]
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
            Procedure.objects.filter(opened_on__year=year), tuple(opened), listing=PROCEDURES
        ),
        FigureSet(
            Procedure.objects.filter(status=Procedure.Status.COMPLETED, status_on__year=year),
            tuple(completed),
            listing=PROCEDURES,
        ),
        FigureSet(PSPFile.objects.filter(filed_on__year=year), psp, listing=PSP_FILES),
    ]


def figures(year: int) -> dict[str, Value]:
    """Every key of section 3 for a year, in a fixed number of queries."""
    return dict(compute_all(figure_sets(year)))


def records(key: str, year: int) -> list[QuerySet]:
    return records_all(figure_sets(year), key)

"""The report's figures: composed from the apps that own them, compared with the
previous year. Nothing is computed here but comparisons.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import caches
from django.utils.translation import gettext_noop

from contacts import figures as contact_figures
from contacts.models import Contact
from entractes import freshness
from entractes.lib.figures import OPEN, FigureSet, Scope, Value, additive_keys, refused_by
from entractes.lib.period import Period
from entractes.models import User
from health import figures as health_figures
from health.models import Consultation
from minors import figures as minors_figures
from rights import figures as rights_figures

if TYPE_CHECKING:
    from reporting.descriptions import Description

# The apps' figure modules: each computes its keys (``figures``) and declares its figure
# sets with their drill-down (``figure_sets``).
SOURCES = [contact_figures, health_figures, rights_figures, minors_figures]

# Sections of the report, as in the specification.
SECTIONS = [
    ("key", gettext_noop("1. Chiffres clés"), ("attendance.", "caarud.", "rdr.", "services.")),
    ("health", gettext_noop("2. Pôle santé"), ("health.",)),
    ("rights", gettext_noop("3. Accès aux droits"), ("rights.",)),
    ("mediation", gettext_noop("4. Médiation sociale"), ("mediation.",)),
    ("online", gettext_noop("5. Entr'Actes 2.0"), ("digital.", "social.")),
    ("minors", gettext_noop("6. Mineur·es et jeunes majeur·es"), ("minors.",)),
    (
        "training",
        gettext_noop("7. Former et sensibiliser"),
        ("training.", "awareness.", "schools."),
    ),
]


def all_figures(period: Period | int, scope: Scope = OPEN) -> dict[str, Value]:
    """Every key of the specification for a period (a year's number: that calendar
    year), within ``scope`` (a key that cannot be filtered so is None), sorted."""
    values: dict[str, Value] = {}
    for module in SOURCES:
        values.update(module.figures(period, scope))
    return dict(sorted(values.items()))


def figure_keys(year: int) -> set[str]:
    """The keys of the specification the report gives for a year (those of
    ``all_figures``, derived figures and families of the reference lists included)."""
    return set(kept_figures(year))


def figure_sets(period: Period | int, scope: Scope = OPEN) -> list[FigureSet]:
    """Every figure set of every app for a period (a year's number: that year)."""
    return [figure_set for module in SOURCES for figure_set in module.figure_sets(period, scope)]


def declaring(key: str, period: Period | int, scope: Scope = OPEN) -> list[FigureSet]:
    """The sets that hold the records behind a key (several for a sum of parts)."""
    return [figure_set for figure_set in figure_sets(period, scope) if figure_set.declares(key)]


def unfilterable(period: Period | int, scope: Scope) -> dict[str, list[str]]:
    """The keys that cannot be filtered by some dimension of ``scope``, with those
    dimensions (derived figures follow the figures they are made of)."""
    refused = refused_by(figure_sets(period, scope), scope)
    for derived, parts in DERIVED.items():
        names = [name for part in parts for name in refused.get(part, [])]
        if names:
            refused[derived] = list(dict.fromkeys(names))
    return refused


# Figures computed from others (shares and rates): filtered as the figures they use.
DERIVED = {
    "caarud.share_of_people": ("caarud.people", "attendance.people"),
    "digital.reply_rate": ("digital.replies", "digital.messages_sent"),
    "training.trainees_departement_share": ("training.trainees",),
    "training.satisfaction": ("training.trainees",),
    "schools.satisfaction": ("schools.pupils",),
    "schools.interest": ("schools.pupils",),
}


def summable_keys(period: Period | int) -> set[str]:
    """The keys whose value over a period is the sum of their values over its parts
    (counts of dated records and sums of quantities; never persons)."""
    return {key for key in additive_keys(figure_sets(period)) if not key.startswith("_")}


def _listing_needs(period: Period, scope: Scope) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """For each key whose records are offered as a list: whether some declaring set
    cannot be filtered by ``scope``, and the capabilities its declaring sets need."""
    sets = figure_sets(period, scope)
    needs: dict[str, tuple[bool, tuple[str, ...]]] = {}
    for figure_set in sets:
        for figure in figure_set.figures:
            if figure.key in needs or not figure_set.listable(figure.key):
                continue
            declaring = [s for s in sets if s.declares(figure.key)]
            needs[figure.key] = (
                any(s.refused(scope) for s in declaring),
                tuple(sorted({s.capability for s in declaring if s.capability})),
            )
    return needs


def listable_keys(period: Period | int, user: User | None = None, scope: Scope = OPEN) -> set[str]:
    """The keys whose records are offered as a list; to ``user`` if given, only those
    whose every declaring set they may list (no link leads to a refusal). What each key
    needs is kept with the figures (see ``kept``)."""
    period = Period.of(period)
    needs = kept("listing_needs", period, scope, lambda: _listing_needs(period, scope))
    return {
        key
        for key, (refused, capabilities) in needs.items()
        if not refused and (user is None or all(user.has_capability(c) for c in capabilities))
    }


def has_records(period: Period | int) -> bool:
    """Whether the app holds records of that period (a year's number: that year; then
    computed values win over reference figures)."""
    period = Period.of(period)
    return (
        Contact.objects.filter(period.within("day")).exists()
        or Consultation.objects.filter(period.within("day")).exists()
    )


def last_year_with_records(today: datetime.date) -> int | None:
    """The latest year up to ``today``'s with records, None without any."""
    last = (
        Contact.objects.filter(day__lte=today)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    return last.year if last else None


def reference_values(year: int) -> dict[str, Value]:
    from reporting.models import ReferenceFigure

    return {ref.key: ref.number for ref in ReferenceFigure.objects.filter(year=year)}


def kept(name: str, period: Period | int, scope: Scope, compute: Callable[[], Any]) -> Any:
    """What ``compute`` gives for a period and scope, kept in the figures cache under
    the tokens of the records the period's figures depend on (see entractes.freshness):
    never older than the records."""
    cache, key = caches["figures"], _kept_key(name, period, scope)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found)
    return found


def kept_only(name: str, period: Period | int, scope: Scope) -> Any | None:
    """What ``kept`` holds for a period and scope, or None if it is not kept (nothing is
    computed)."""
    return caches["figures"].get(_kept_key(name, period, scope))


def _kept_key(name: str, period: Period | int, scope: Scope) -> str:
    period = Period.of(period)
    return f"{name}:{period}:{scope.cache_key()}:{freshness.state_of(period.end.year)}"


def kept_figures(period: Period | int, scope: Scope = OPEN) -> dict[str, Value]:
    """``all_figures(period, scope)``, kept in the figures cache (see ``kept``). For the
    pages; the report, the checks and the exports compute afresh."""
    return kept("all_figures", period, scope, lambda: all_figures(period, scope))


def previous_values(year: int, *, kept: bool = False) -> tuple[dict[str, Value], str]:
    """The previous year's figures: computed when it has records, else reference figures
    (``kept``: from the figures cache, see kept_figures)."""
    if has_records(year - 1):
        return (kept_figures if kept else all_figures)(year - 1), "computed"
    return reference_values(year - 1), "reference"


def compared_with(
    before: Period, scope: Scope = OPEN, *, wait: bool = True
) -> tuple[dict[str, Value], str]:
    """The figures a period is compared with: those of ``before`` (computed, kept),
    or for a whole year without records and no filter, its reference figures; else
    none (``"none"``). Unless ``wait``, figures to compute are not: none are given, and
    ``"pending"`` says they are still to come."""
    if has_records(before):
        if not wait:
            found = kept_only("all_figures", before, scope)
            return (found, "computed") if found is not None else ({}, "pending")
        return kept_figures(before, scope), "computed"
    if before.is_year and not scope:
        return reference_values(before.year), "reference"
    return {}, "none"


@dataclass(frozen=True)
class Row:
    key: str
    value: Value
    previous: Value
    change: float | None
    listable: bool
    description: Description | None = None
    # The chosen filters this figure cannot be filtered by (its value is then None).
    refused: tuple[str, ...] = ()


def change(value: Value, previous: Value) -> float | None:
    if value is None or not previous:
        return None
    return round((value - previous) / previous * 100, 1)


def compared(
    year: int | Period,
    values: dict[str, Value] | None = None,
    *,
    previous: dict[str, Value] | None = None,
    kept: bool = False,
    user: User | None = None,
    scope: Scope = OPEN,
    refused: dict[str, list[str]] | None = None,
) -> list[tuple[str, str, list[Row]]]:
    """The year's (or period's) figures by section, each beside the previous year
    (computed or reference figures, see previous_values, unless given) and the change
    in %, with each key's description (see reporting.descriptions)."""
    from reporting.descriptions import all_descriptions  # it reads SECTIONS from here

    values = values if values is not None else all_figures(year, scope)
    if previous is None:
        if isinstance(year, Period):
            previous, _source = compared_with(year.year_before(), scope)
        else:
            previous, _source = previous_values(year, kept=kept)
    listable = listable_keys(year, user, scope)
    described = all_descriptions()
    sections = []
    for slug, title, prefixes in SECTIONS:
        rows = [
            Row(
                key,
                value,
                previous.get(key),
                change(value, previous.get(key)),
                key in listable,
                described.get(key),
                tuple((refused or {}).get(key, ())),
            )
            for key, value in values.items()
            if key.startswith(prefixes)
        ]
        sections.append((slug, title, rows))
    return sections

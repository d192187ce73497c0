"""Figures declared as data: which records a figure counts, and how.

A ``FigureSet`` holds figures that share one base queryset (the records of a year).
All of its values come from one ``aggregate()`` query with conditional aggregation, and
the records behind any value come from the same declaration, so a figure and its list
never disagree. A key declared in several sets is the sum of its parts (material
handed out on contacts and on sessions, say).

Sums must not share a set with figures whose filters cross a many-to-many relation:
the join would repeat rows. Distinct counts are safe anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

Value = int | float | None


@dataclass(frozen=True)
class Figure:
    """One value: the records of the set matching ``where``, counted or summed.

    ``measure`` is ``"count"`` (distinct records), ``"distinct"`` (distinct values of
    ``field``, such as persons behind contacts) or ``"sum"`` (of ``field``).
    """

    key: str
    where: Q = field(default_factory=Q)
    measure: str = "count"
    field: str = "pk"

    def aggregate(self):
        if self.measure == "count":
            return Count("pk", distinct=True, filter=self.where)
        if self.measure == "distinct":
            return Count(self.field, distinct=True, filter=self.where)
        if self.measure == "sum":
            return Sum(self.field, filter=self.where, default=0)
        raise ValueError(f"Unknown measure {self.measure!r}")


@dataclass(frozen=True)
class FigureSet:
    """Figures over one base queryset (the records of one year)."""

    base: QuerySet
    figures: tuple[Figure, ...]

    def compute(self) -> dict[str, int]:
        """Every value of the set in one query."""
        if not self.figures:
            return {}
        aliases = {f"v{index}": figure for index, figure in enumerate(self.figures)}
        row = self.base.aggregate(**{alias: f.aggregate() for alias, f in aliases.items()})
        return {figure.key: row[alias] or 0 for alias, figure in aliases.items()}

    def get(self, key: str) -> Figure | None:
        return next((figure for figure in self.figures if figure.key == key), None)

    def records(self, key: str) -> QuerySet:
        """The records behind one value (for ``distinct``, the distinct ``field`` values)."""
        figure = self.get(key)
        if figure is None:
            raise KeyError(key)
        matching = self.base.filter(figure.where)
        if figure.measure == "distinct":
            return matching.values_list(figure.field, flat=True).distinct()
        return matching.distinct()


def compute_all(sets: Iterable[FigureSet]) -> dict[str, int]:
    """Every value of every set; a key found in several sets is the sum of its parts."""
    values: dict[str, int] = {}
    for figure_set in sets:
        for key, value in figure_set.compute().items():
            values[key] = values.get(key, 0) + value
    return values


def records_all(sets: Iterable[FigureSet], key: str) -> list[QuerySet]:
    """The records behind a key, one queryset per set that declares it."""
    found = [figure_set.records(key) for figure_set in sets if figure_set.get(key)]
    if not found:
        raise KeyError(key)
    return found


def share(numerator: Value, denominator: Value) -> float | None:
    """A share rounded to 3 places, ``None`` for a zero denominator."""
    if not denominator:
        return None
    return round((numerator or 0) / denominator, 3)

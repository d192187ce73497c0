"""Figures declared as data: which records a figure counts, and how.

A ``FigureSet`` holds figures that share one base queryset (the records of a year).
All of its values come from one ``aggregate()`` query with conditional aggregation, and
the records behind any value come from the same declaration, so a figure and its list
never disagree. A key declared in several sets is the sum of its parts (material
handed out on contacts and on sessions, say).

Sums must not share a set with figures whose filters cross a many-to-many relation:
the join would repeat rows. Distinct counts are safe anywhere.

A set also declares its drill-down: how its records are shown (``listing``, and
``by_value`` for the distinct values of ``distinct`` figures), the capability needed to
list them (``capability``), the keys whose records are not offered as a list
(``unlisted``), and keys computed elsewhere that list the records of one of its figures
(``lists_for``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

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


def _as_text(record) -> list:
    return [str(record)]


@dataclass(frozen=True)
class Listing:
    """The rows of a drill-down list: what identifies a record, never its content."""

    columns: Callable[[Any], list] = _as_text
    related: tuple[str, ...] = ()

    def rows(self, queryset: QuerySet, limit: int = 2000) -> list[list]:
        return [cells for _record, cells in self.listed(queryset, limit)]

    def listed(self, queryset: QuerySet, limit: int = 2000) -> list[tuple[Any, list]]:
        """Each record with its row (for a link to the record where the reader may)."""
        if self.related:
            queryset = queryset.select_related(*self.related)
        return [(record, self.columns(record)) for record in queryset[:limit]]


@dataclass(frozen=True)
class FigureSet:
    """Figures over one base queryset (the records of one year), and their drill-down.

    ``records_only``: the set declares the records behind figures computed elsewhere;
    it computes nothing.
    """

    base: QuerySet
    figures: tuple[Figure, ...]
    listing: Listing = Listing()
    by_value: Listing = Listing()
    capability: str | None = None
    unlisted: frozenset[str] = frozenset()
    lists_for: Mapping[str, str] = field(default_factory=dict)
    records_only: bool = False

    def compute(self) -> dict[str, int]:
        """Every value of the set in one query."""
        if not self.figures or self.records_only:
            return {}
        aliases = {f"v{index}": figure for index, figure in enumerate(self.figures)}
        row = self.base.aggregate(**{alias: f.aggregate() for alias, f in aliases.items()})
        return {figure.key: row[alias] or 0 for alias, figure in aliases.items()}

    def get(self, key: str) -> Figure | None:
        return next((figure for figure in self.figures if figure.key == key), None)

    def declares(self, key: str) -> bool:
        """Whether the set holds the records behind ``key``."""
        return key in self.lists_for or self.get(key) is not None

    def listable(self, key: str) -> bool:
        """Whether the records behind ``key`` are offered as a list."""
        return self.get(key) is not None and key not in self.unlisted

    def records(self, key: str) -> QuerySet:
        """The records behind one value (for ``distinct``, the distinct ``field`` values)."""
        figure = self.get(self.lists_for.get(key, key))
        if figure is None:
            raise KeyError(key)
        matching = self.base.filter(figure.where)
        if figure.measure == "distinct":
            return matching.values_list(figure.field, flat=True).distinct()
        return matching.distinct()

    def rows(self, key: str, limit: int = 2000) -> list[list]:
        """The drill-down rows of the records behind ``key``."""
        return [cells for _record, cells in self.listed(key, limit)]

    def listed(self, key: str, limit: int = 2000) -> list[tuple[Any, list]]:
        """The records behind ``key`` (for ``distinct``, the related records), each
        with its drill-down row."""
        records = self.records(key)  # KeyError for a key the set does not declare
        figure = self.get(self.lists_for.get(key, key))
        assert figure is not None
        if figure.measure == "distinct":
            model = self.base.model._meta.get_field(figure.field).related_model
            ids = list(records[:limit])
            return self.by_value.listed(model._default_manager.filter(pk__in=ids), limit)
        return self.listing.listed(records, limit)


def compute_all(sets: Iterable[FigureSet]) -> dict[str, int]:
    """Every value of every set; a key found in several sets is the sum of its parts."""
    values: dict[str, int] = {}
    for figure_set in sets:
        for key, value in figure_set.compute().items():
            values[key] = values.get(key, 0) + value
    return values


def records_all(sets: Iterable[FigureSet], key: str) -> list[QuerySet]:
    """The records behind a key, one queryset per set that declares it."""
    found = [figure_set.records(key) for figure_set in sets if figure_set.declares(key)]
    if not found:
        raise KeyError(key)
    return found


def share(numerator: Value, denominator: Value) -> float | None:
    """A share rounded to 3 places, ``None`` for a zero denominator."""
    if not denominator:
        return None
    return round((numerator or 0) / denominator, 3)

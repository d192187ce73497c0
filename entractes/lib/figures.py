"""Figures declared as data: which records a figure counts, and how.

A ``FigureSet`` holds figures that share one base queryset (the records of a year).
All of its values come from one ``aggregate()`` query with conditional aggregation, and
the records behind any value come from the same declaration, so a figure and its list
never disagree. A key declared in several sets is the sum of its parts (material
handed out on contacts and on sessions, say).

A set's figures are computed in one query per relation their filters cross that
repeats rows (a many-to-many relation, or the records pointing to one): the figures on
the records' own fields and single-valued relations in one query, counting rows; those
through the themes of contacts in another, counting distinct records; and so on. So no
join multiplies the rows of figures that do not need it, and the number of queries is
fixed by the declarations, not by the records. A sum through a relation that repeats
rows is refused.

A set also declares its drill-down: how its records are shown (``listing``, and
``by_value`` for the distinct values of ``distinct`` figures), the capability needed to
list them (``capability``), the keys whose records are not offered as a list
(``unlisted``), and keys computed elsewhere that list the records of one of its figures
(``lists_for``).

Figures are computed for a period (``entractes.lib.period``) and may be narrowed by a
``Scope``: zones, session kinds, the staff who recorded, channels. Each set declares
the filters its records allow (``filters``); a set asked for a filter it does not
declare gives no value (``None``) rather than an unfiltered one. A set whose records
each fall on one day of one period (``additive``) gives, for a year, the sum of its
values for the year's quarters.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, ManyToManyField, Q, QuerySet, Sum

Value = int | float | None
# A filter: the records of a set matching the chosen values of one dimension.
Filter = Callable[[tuple], Q]

# The dimensions figures may be filtered by, in the order of the page.
DIMENSIONS = ("zone", "kind", "team", "channel")
# The value of the "zone" dimension for records of no zone (drop-in, online, post...).
NO_ZONE = "-"


@dataclass(frozen=True)
class Scope:
    """Chosen values per dimension; an empty tuple leaves the dimension open."""

    zone: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    team: tuple[int, ...] = ()
    channel: tuple[str, ...] = ()

    def active(self) -> dict[str, tuple]:
        return {name: getattr(self, name) for name in DIMENSIONS if getattr(self, name)}

    def __bool__(self) -> bool:
        return bool(self.active())

    def cache_key(self) -> str:
        return ";".join(
            f"{name}={','.join(map(str, sorted(values)))}" for name, values in self.active().items()
        )


OPEN = Scope()


def among(path: str) -> Filter:
    """A filter on a field (or a lookup path) holding one of the chosen values."""
    return lambda values: Q(**{f"{path}__in": values})


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

    def aggregate(self, rows_repeat: bool = True):
        """The aggregate expression; ``rows_repeat`` is False when the query's rows are
        the records themselves, each once (no join repeats them), so a count of records
        needs no DISTINCT."""
        where = self.where or None  # no FILTER clause for every record
        if self.measure == "count":
            return Count("pk", distinct=rows_repeat, filter=where)
        if self.measure == "distinct":
            return Count(self.field, distinct=True, filter=where)
        if self.measure == "sum":
            return Sum(self.field, filter=where, default=0)
        raise ValueError(f"Unknown measure {self.measure!r}")


@dataclass(frozen=True)
class Family:
    """Figures of one measure, one per value of a field (``by``): the material handed
    out by kind, the persons by product used... Computed by one grouped query (GROUP BY
    ``by``) instead of one filtered aggregate per value. The key of a value is
    ``keys`` with ``{}`` replaced by the value; its records are those of that figure,
    as for any figure."""

    keys: str
    by: str
    values: tuple[str, ...]
    where: Q = field(default_factory=Q)
    measure: str = "count"
    field: str = "pk"

    def key(self, value: str) -> str:
        return self.keys.replace("{}", str(value))

    def figures(self) -> list[Figure]:
        return [
            Figure(self.key(value), self.where & Q(**{self.by: value}), self.measure, self.field)
            for value in self.values
        ]

    def _by_repeats(self, model) -> bool:
        """Whether a record may come twice in one group: not when ``by`` is a column, a
        foreign key's field, or a unique field across one many-to-many relation (each
        record and related record are paired once)."""
        paths = _repeating_paths(model, Q(**{f"{self.by}__isnull": False}))
        if not paths:
            return False
        parts = self.by.split("__")
        if len(parts) != 2 or paths != {parts[0]}:
            return True
        relation = model._meta.get_field(parts[0])
        if not isinstance(relation, ManyToManyField):
            return True  # a reverse many-to-many relation
        through = relation.remote_field.through
        target = relation.related_model._meta.get_field(parts[1])
        return not (through._meta.auto_created and getattr(target, "unique", False))

    def partitions(self, base: QuerySet) -> bool:
        """Whether each record of ``base`` falls in exactly one group, so that counts
        and sums over the whole base are the sums of the groups'."""
        return not (
            base.query.annotations
            or base.query.distinct
            or _repeats_rows(base)
            or _repeating_paths(base.model, Q(**{f"{self.by}__isnull": False}))
        )

    def compute(self, base: QuerySet, along: Iterable[Figure] = ()) -> dict[str, Value]:
        """Every value of the family from one grouped query over ``base``; with it, the
        figures ``along`` (counts and sums, over a base the family ``partitions``), as
        the sums of their groups' values."""
        along = list(along)
        where = self.where
        if self.measure != "count":
            where = where & Q(**{f"{self.field}__isnull": False})
        rows_repeat = (
            _repeats_rows(base)
            or bool(_repeating_paths(base.model, where))
            or self._by_repeats(base.model)
            or self.measure == "distinct"
        )
        if rows_repeat and self.measure == "sum":
            raise ValueError(f"A sum over repeated rows: {self.keys}")
        if along:
            assert self.partitions(base) and not _repeating_paths(base.model, self.where)
            assert all(f.measure in ("count", "sum") for f in along)
            # Every record is grouped: the family's own filter goes into its aggregate.
            grouped = base
            measured = Figure(self.keys, self.where, self.measure, self.field)
        else:
            grouped = base.filter(self.where)
            measured = Figure(self.keys, Q(), self.measure, self.field)
        aliases = {f"v{index}": figure for index, figure in enumerate(along)}
        rows = (
            grouped.order_by()
            .values(self.by)
            .annotate(
                value=measured.aggregate(rows_repeat),
                **{alias: figure.aggregate(False) for alias, figure in aliases.items()},
            )
            .values_list(self.by, "value", *aliases)
        )
        found: dict[Any, Value] = {}
        totals: dict[str, int | float] = {figure.key: 0 for figure in along}
        for group, value, *others in rows:  # one row per value of ``by``
            found[group] = value
            for figure, other in zip(along, others, strict=True):
                totals[figure.key] += other or 0
        return {**{self.key(v): found.get(v) or 0 for v in self.values}, **totals}

    @staticmethod
    def compute_together(families: list[Family], base: QuerySet) -> dict[str, Value]:
        """Families counting records by the same field (see ``_sharing_queries``), from
        one grouped query over ``base``: each family's filter goes into its aggregate."""
        by = families[0].by
        assert all(f.by == by and f.measure == "count" for f in families)
        rows_repeat = _repeats_rows(base) or families[0]._by_repeats(base.model)
        aliases = {f"v{index}": family for index, family in enumerate(families)}
        rows = (
            base.filter(reduce(operator.or_, (family.where for family in families)))
            .order_by()
            .values(by)
            .annotate(
                **{
                    alias: Figure(family.keys, family.where).aggregate(rows_repeat)
                    for alias, family in aliases.items()
                }
            )
            .values_list(by, *aliases)
        )
        found: dict[tuple[str, Any], Value] = {}
        for group, *counts in rows:  # one row per value of ``by``
            for alias, count in zip(aliases, counts, strict=True):
                found[alias, group] = count
        return {
            family.key(value): found.get((alias, value)) or 0
            for alias, family in aliases.items()
            for value in family.values
        }


def _sharing_queries(families: Iterable[Family], model) -> list[list[Family]]:
    """The families in lists that one grouped query computes: those counting records
    by the same field, with filters that join nothing repeating (several figures by
    prostitution mode, one per age category, say)."""
    lists: dict[object, list[Family]] = {}
    for family in families:
        shareable = family.measure == "count" and not _repeating_paths(model, family.where)
        lists.setdefault(family.by if shareable else family, []).append(family)
    return list(lists.values())


def _repeating_paths(model, q: Q) -> set[str]:
    """The relation paths of ``q``'s lookups that may repeat a record's row: a
    many-to-many relation, or a reverse foreign key."""
    found: set[str] = set()
    for child in q.children:
        if isinstance(child, Q):
            found |= _repeating_paths(model, child)
            continue
        if not isinstance(child, tuple):
            continue  # an expression (EXISTS...): it joins nothing to the rows
        current = model
        parts = child[0].split("__")
        for index, part in enumerate(parts):
            if part == "pk":
                break
            try:
                field = current._meta.get_field(part)
            except FieldDoesNotExist:
                break  # a lookup or a transform, or an annotation
            if not field.is_relation:
                break
            if field.many_to_many or field.one_to_many:
                found.add("__".join(parts[: index + 1]))
            current = field.related_model
    return found


def _by_repeating_paths(model, figures: Iterable[Figure]) -> dict[frozenset[str], list[Figure]]:
    """The figures grouped by the repeating relations their filters (and measured
    field) cross; the group of none first."""
    groups: dict[frozenset[str], list[Figure]] = {frozenset(): []}
    for figure in figures:
        where = figure.where
        if figure.measure in ("distinct", "sum"):
            where = where & Q(**{f"{figure.field}__isnull": False})
        paths = frozenset(_repeating_paths(model, where))
        groups.setdefault(paths, []).append(figure)
    return {paths: found for paths, found in groups.items() if found}


def _repeats_rows(queryset: QuerySet) -> bool:
    """Whether the queryset's own joins may give a record several rows (DISTINCT
    does not: it keeps one row of each record)."""
    query = queryset.query
    if query.combinator:
        return True
    for join in query.alias_map.values():
        join_field = getattr(join, "join_field", None)
        if join_field is not None and (
            getattr(join_field, "many_to_many", False) or getattr(join_field, "one_to_many", False)
        ):
            return True
    return False


def _as_text(record) -> list:
    return [str(record)]


@dataclass(frozen=True)
class Listing:
    """The rows of a drill-down list: what identifies a record, never its content."""

    columns: Callable[[Any], list] = _as_text
    related: tuple[str, ...] = ()

    def rows(self, queryset: QuerySet, limit: int = 2000) -> list[list]:
        return [cells for _record, cells in self.listed(queryset, limit)]

    def listed(
        self, queryset: QuerySet, limit: int = 2000, offset: int = 0
    ) -> list[tuple[Any, list]]:
        """Each record with its row (for a link to the record where the reader may),
        ``limit`` of them from ``offset``."""
        if self.related:
            queryset = queryset.select_related(*self.related)
        return [(record, self.columns(record)) for record in queryset[offset : offset + limit]]


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
    filters: Mapping[str, Filter] = field(default_factory=dict)
    # The dimensions the base was built for already (a set of persons met within a
    # scope, say); asked for another scope, such a set refuses them.
    scoped_by: Scope = OPEN
    additive: bool = False
    # Families of figures, computed by grouped queries; their figures are added to
    # ``figures``.
    families: tuple[Family, ...] = ()

    def __post_init__(self) -> None:
        if self.families:
            declared = {figure.key for figure in self.figures}
            added = [
                figure
                for family in self.families
                for figure in family.figures()
                if figure.key not in declared
            ]
            object.__setattr__(self, "figures", (*self.figures, *added))

    def refused(self, scope: Scope = OPEN) -> list[str]:
        """The dimensions of ``scope`` the set's records cannot be filtered by."""
        built = self.scoped_by.active()
        return [
            name
            for name, values in scope.active().items()
            if name not in self.filters and built.get(name) != values
        ]

    def scoped(self, scope: Scope = OPEN) -> QuerySet | None:
        """The base narrowed to ``scope``; None when the set cannot be filtered so."""
        if self.refused(scope):
            return None
        base = self.base
        built = self.scoped_by.active()
        assert all(scope.active().get(name) == values for name, values in built.items())
        for name, values in scope.active().items():
            if built.get(name) != values:
                base = base.filter(self.filters[name](values))
        return base

    def compute(self, scope: Scope = OPEN) -> dict[str, Value]:
        """Every value of the set in one query (``None`` each when ``scope`` asks for a
        filter the set does not allow)."""
        if not self.figures or self.records_only:
            return {}
        base = self.scoped(scope)
        if base is None:
            return {figure.key: None for figure in self.figures}
        values: dict[str, Value] = {}
        # Over a costly base (correlated annotations), a family of a column or foreign
        # key is counted in the base's one pass, not by scanning the base again.
        families = [
            family
            for family in self.families
            if not (
                base.query.annotations
                and not _repeating_paths(base.model, Q(**{f"{family.by}__isnull": False}))
            )
        ]
        grouped: set[str] = {family.key(value) for family in families for value in family.values}
        others = [figure for figure in self.figures if figure.key not in grouped]
        groups = _by_repeating_paths(base.model, others)
        # The figures of no repeating relation ride along a family's grouped query when
        # its groups partition the records.
        plain = groups.get(frozenset(), [])
        host = next(
            (
                family
                for family in families
                if family.partitions(base) and not _repeating_paths(base.model, family.where)
            ),
            None,
        )
        if host is not None and plain and all(f.measure in ("count", "sum") for f in plain):
            del groups[frozenset()]
            values.update(host.compute(base, plain))
        else:
            host = None
        for together in _sharing_queries([f for f in families if f is not host], base.model):
            values.update(
                together[0].compute(base)
                if len(together) == 1
                else Family.compute_together(together, base)
            )
        base_repeats = _repeats_rows(base)
        for paths, figures in groups.items():
            rows_repeat = base_repeats or bool(paths)
            if rows_repeat and any(figure.measure == "sum" for figure in figures):
                raise ValueError(f"A sum over repeated rows: {[f.key for f in figures]}")
            aliases = {f"v{index}": figure for index, figure in enumerate(figures)}
            row = base.aggregate(
                **{alias: figure.aggregate(rows_repeat) for alias, figure in aliases.items()}
            )
            values.update({figure.key: row[alias] or 0 for alias, figure in aliases.items()})
        return {figure.key: values[figure.key] for figure in self.figures}

    def get(self, key: str) -> Figure | None:
        return next((figure for figure in self.figures if figure.key == key), None)

    def declares(self, key: str) -> bool:
        """Whether the set holds the records behind ``key``."""
        return key in self.lists_for or self.get(key) is not None

    def listable(self, key: str) -> bool:
        """Whether the records behind ``key`` are offered as a list."""
        return self.get(key) is not None and key not in self.unlisted

    def records(self, key: str, scope: Scope = OPEN) -> QuerySet:
        """The records behind one value (for ``distinct``, the distinct ``field`` values)."""
        figure = self.get(self.lists_for.get(key, key))
        if figure is None:
            raise KeyError(key)
        base = self.scoped(scope)
        if base is None:
            base = self.base.none()
        matching = base.filter(figure.where)
        if figure.measure == "distinct":
            return matching.order_by(figure.field).values_list(figure.field, flat=True).distinct()
        model = self.base.model
        order = (*(model._meta.ordering or ()), "pk")
        if not (
            base.query.annotations
            or base.query.distinct
            or _repeats_rows(base)
            or _repeating_paths(model, figure.where)
        ):
            return matching.order_by(*order)  # each record once already
        # The records themselves, in a stable order, read apart from the base's
        # annotations and joins: the subquery's filter needs them, the list does not.
        return model._base_manager.filter(pk__in=matching.order_by().values("pk")).order_by(*order)

    def rows(self, key: str, limit: int = 2000, scope: Scope = OPEN) -> list[list]:
        """The drill-down rows of the records behind ``key``."""
        return [cells for _record, cells in self.listed(key, limit, scope)]

    def listed(
        self, key: str, limit: int = 2000, scope: Scope = OPEN, offset: int = 0
    ) -> list[tuple[Any, list]]:
        """The records behind ``key`` (for ``distinct``, the related records), each
        with its drill-down row: ``limit`` of them from ``offset``."""
        records = self.records(key, scope)  # KeyError for a key the set does not declare
        figure = self.get(self.lists_for.get(key, key))
        assert figure is not None
        if figure.measure == "distinct":
            model = self.base.model._meta.get_field(figure.field).related_model
            ids = list(records[offset : offset + limit])
            return self.by_value.listed(model._default_manager.filter(pk__in=ids), limit)
        return self.listing.listed(records, limit, offset)


def compute_all(sets: Iterable[FigureSet], scope: Scope = OPEN) -> dict[str, Value]:
    """Every value of every set; a key found in several sets is the sum of its parts
    (``None`` when a part cannot be filtered by ``scope``)."""
    values: dict[str, Value] = {}
    for figure_set in sets:
        for key, value in figure_set.compute(scope).items():
            if key not in values:
                values[key] = value
            else:
                before = values[key]
                values[key] = None if before is None or value is None else before + value
    return values


def records_all(sets: Iterable[FigureSet], key: str, scope: Scope = OPEN) -> list[QuerySet]:
    """The records behind a key, one queryset per set that declares it."""
    found = [figure_set.records(key, scope) for figure_set in sets if figure_set.declares(key)]
    if not found:
        raise KeyError(key)
    return found


def refused_by(sets: Iterable[FigureSet], scope: Scope) -> dict[str, list[str]]:
    """For each key some set of which cannot be filtered by ``scope``, those dimensions."""
    refused: dict[str, list[str]] = {}
    for figure_set in sets:
        names = figure_set.refused(scope)
        if not names:
            continue
        for figure in figure_set.figures:
            found = refused.setdefault(figure.key, [])
            found += [name for name in names if name not in found]
    return refused


def additive_keys(sets: Iterable[FigureSet]) -> set[str]:
    """The keys every declaring set of which is additive and counts records or sums
    a quantity: a year's value is the sum of its quarters'."""
    additive: set[str] = set()
    excluded: set[str] = set()
    for figure_set in sets:
        for figure in figure_set.figures:
            if figure_set.records_only:
                excluded.add(figure.key)
            elif figure_set.additive and figure.measure in ("count", "sum"):
                additive.add(figure.key)
            else:
                excluded.add(figure.key)
    return additive - excluded


def share(numerator: Value, denominator: Value) -> float | None:
    """A share rounded to 3 places, ``None`` for a zero or unknown denominator or an
    unknown numerator."""
    if not denominator or numerator is None:
        return None
    return round((numerator or 0) / denominator, 3)

"""When persons were met: the records that count as meetings, and ages at a meeting.

A person is *met* on the day of a contact and, once the health app is installed, of a
consultation: each app registers, when it is ready, the records of its ``person.py``
declared with a ``meeting`` date field (each with a ``person`` foreign key). Everything here is a database expression,
so figures count persons in one query whatever their number.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import (
    Case,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    Model,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import (
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    Greatest,
    Least,
)

from contacts.models import age_category_q
from entractes.lib.figures import OPEN, Scope
from entractes.lib.period import Period
from entractes.lib.personfile import Record

_SOURCES: list[tuple[type[Model], str]] = []
_FILTERS: dict[type[Model], dict] = {}


def register(records: Iterable[Record]) -> None:
    """Count these records as meetings (called from the apps' ``ready``)."""
    for record in records:
        source = (record.model, record.meeting)
        if record.meeting and source not in _SOURCES:
            _SOURCES.append(source)
            _FILTERS[record.model] = dict(record.meeting_filters)


def meeting_sources() -> list[tuple[type[Model], str]]:
    return list(_SOURCES)


class _IgnoringNulls(Func):
    """LEAST or GREATEST of dates, ignoring NULLs (NULL only if all are): PostgreSQL's
    own; on other databases, whose LEAST is NULL if any part is, of rotations of
    COALESCE (each part then computed once per rotation)."""

    def as_sql(self, compiler, connection, **extra_context):
        parts = self.get_source_expressions()
        rotations = [Coalesce(*parts[i:], *parts[:i]) for i in range(len(parts))]
        combined = (Least if self.function == "LEAST" else Greatest)(*rotations)
        return compiler.compile(combined)

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, **extra_context)


def _combined(function: str, parts: list):
    if len(parts) == 1:
        return parts[0]
    return _IgnoringNulls(*parts, function=function, output_field=DateField())


def _earliest(querysets_and_fields):
    parts = [
        Subquery(qs.order_by(date_field).values(date_field)[:1])
        for qs, date_field in querysets_and_fields
    ]
    return _combined("LEAST", parts)


def _meetings(period: Period | int | None = None, ref: str = "pk", scope: Scope = OPEN):
    """The meetings of the person ``OuterRef(ref)`` (in ``period`` if given, within
    ``scope``), as (queryset, date field) pairs: the one definition of being met in a
    period. A kind of record that cannot be filtered by a dimension of ``scope`` is
    left out."""
    for model, date_field in meeting_sources():
        filters = _FILTERS.get(model, {})
        if any(name not in filters for name in scope.active()):
            continue
        records = model._default_manager.filter(person=OuterRef(ref))
        if period is not None:
            records = records.filter(Period.of(period).within(date_field))
        for name, values in scope.active().items():
            records = records.filter(filters[name](values))
        yield records, date_field


def first_meeting(period: Period | int | None = None, scope: Scope = OPEN):
    """Expression: the day ``OuterRef('pk')`` was first met (in ``period`` if given,
    within ``scope``)."""
    found = list(_meetings(period, scope=scope))
    if not found:
        return Value(None, output_field=DateField())
    return _earliest(found)


def last_meeting(ref: str = "pk"):
    """Expression: the day the person ``OuterRef(ref)`` was last met."""
    parts = [
        Subquery(records.order_by(f"-{date_field}").values(date_field)[:1])
        for records, date_field in _meetings(ref=ref)
    ]
    return _combined("GREATEST", parts)


def met_in(period: Period | int, scope: Scope = OPEN):
    """Expression: whether ``OuterRef('pk')`` was met in ``period`` (within ``scope``):
    a filter of persons."""
    checks = [Exists(records) for records, _date_field in _meetings(period, scope=scope)]
    if not checks:
        return Q(pk__in=[])
    combined = checks[0]
    for check in checks[1:]:
        combined = combined | check
    return combined


def _date_number(expression):
    return ExtractYear(expression) * 10000 + ExtractMonth(expression) * 100 + ExtractDay(expression)


def _birth_number():
    # With only a birth year, the person is taken as born on 1 January of that year.
    return Case(
        When(birth_date__isnull=False, then=_date_number(F("birth_date"))),
        default=F("birth_year") * 10000 + Value(101),
        output_field=IntegerField(),
    )


def age_number(day_field: str):
    """Expression: ``(day - birth)`` as YYYYMMDD numbers; the age is this // 10000."""
    return _date_number(F(day_field)) - _birth_number()


def category_q(category: str, day_field: str) -> Q:
    """Persons of an age category on the day held by an annotation."""
    return age_category_q(category, F(day_field))

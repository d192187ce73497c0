"""Which state of the records kept figures were computed from.

Tokens in the database (``RecordsState``) are drawn again after every committed write to
the records (persons, contacts, health, rights, minors, reference figures). Figures of a
year kept in a cache under the tokens current when they were computed are never older
than the records.

A year's figures count records dated in that year or before (a person's first meeting,
a file open at the year's end): a write touching a record whose dates, before and after
it, all fall in year N or later cannot change the figures of the years before N. So a
token is kept per year, and the figures of year Y are kept under the tokens of 0 (all
years) and of every year up to Y. A write draws the token of the earliest year among:

- a new record's dates;
- a changed record's dates as it was read from the database (kept when it is loaded,
  no query) and as it is saved; a removed record's dates (if another process moved the
  record between this one's read and save, figures kept of the year it had been moved
  to may last until they are dropped, after ``FIGURES_CACHE_SECONDS``);
- for a record without dates of its own (a contact's material line), the dates of the
  records it belongs to (its foreign keys);
- for a person, whose own dates (birth) are not when they count, the dates of the
  records about them that the apps declare (``count_persons_through``: meetings,
  files...), from the first of which every year's figures count the person;
- for a change of a many-to-many list, the record that holds the list (a contact's
  themes: the contact; a workshop's participants: the workshop), whichever side changed;
- a model may name the fields its year is read from (``counted_dates``: a reference
  figure's ``year``); a record without any date counts in every year (0).

Writes that send no model signal (``QuerySet.update``, bulk imports, the demo, a
restore) call ``records_changed()`` themselves, with the earliest year they touch.

Tokens are random, not counters, so that a restored database never meets figures kept
under the same tokens before the restore.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps as global_apps
from django.db import IntegrityError, models, transaction
from django.db.models.signals import (
    m2m_changed,
    post_delete,
    post_init,
    post_save,
    pre_delete,
    pre_save,
)
from django.utils import timezone

from entractes.lib.personfile import Record

# The apps whose records the figures count, and the other models that change them.
RECORD_APPS = frozenset({"contacts", "health", "rights", "minors"})
RECORD_MODELS = frozenset({"reporting.referencefigure"})
# The token of all years: records without dates, raw loads (fixtures).
ALL_YEARS = 0


class _Draw:
    """Draws, once the transaction commits, the token of the earliest year written."""

    def __init__(self, connection):
        self.connection = connection
        self.years: set[int] = set()
        # Removed records whose years are those of other records, read once committed
        # (one query per kind, not one per record): model -> pks.
        self.later: dict[type[models.Model], set[Any]] = {}

    def __call__(self) -> None:
        self.connection.records_draw_pending = None
        years = set(self.years)
        for model, pks in self.later.items():
            year = counted_from(model, pks)
            if year is not None:
                years.add(year)
        if years:
            _new_token(min(years))


def _new_token(year: int) -> None:
    from entractes.models import RecordsState

    values = {"token": secrets.randbits(62), "changed_at": timezone.now()}
    if RecordsState.objects.filter(year=year).update(**values):
        return
    try:
        with transaction.atomic():
            RecordsState.objects.create(year=year, **values)
    except IntegrityError:  # drawn meanwhile by another process
        RecordsState.objects.filter(year=year).update(**values)


def records_changed(year: int | None = ALL_YEARS) -> None:
    """Draw the token of ``year`` (and so of the years after it) once the current
    transaction commits, at once outside one. A transaction writing many records draws
    one token, the earliest year's. ``None``: nothing to draw."""
    if year is not None:
        _draw(year=year)


def records_written(model: type[models.Model], instances: Iterable[models.Model]) -> None:
    """Draw the token of the earliest year written records count in, for writes that
    send no signal (bulk creates): a record's own dates are read at once; persons,
    whose years are those of the records about them, are read all together (one query
    per kind) when the transaction commits."""
    if _counting(model).persons:
        for instance in instances:
            _draw(later=(model, instance.pk))
        return
    records_changed(min((earliest_year(instance) for instance in instances), default=None))


def _draw(year: int | None = None, later: tuple[type[models.Model], Any] | None = None) -> None:
    connection = transaction.get_connection()
    pending: _Draw | None = getattr(connection, "records_draw_pending", None)
    new = not (
        pending is not None
        and connection.in_atomic_block
        and any(entry[1] is pending for entry in connection.run_on_commit)
    )
    draw = _Draw(connection) if new or pending is None else pending
    if year is not None:
        draw.years.add(year)
    if later is not None:
        draw.later.setdefault(later[0], set()).add(later[1])
    if new:
        connection.records_draw_pending = draw
        transaction.on_commit(draw)


def state_of(year: int) -> str:
    """The tokens the figures of ``year`` depend on, as a cache key part."""
    from entractes.models import RecordsState

    tokens = RecordsState.objects.filter(year__lte=year).order_by("year")
    return ",".join(f"{y}:{token}" for y, token in tokens.values_list("year", "token"))


def _is_record(model) -> bool:
    meta = model._meta
    if meta.apps is not global_apps:
        return False  # a migration's historical model: the records' state comes later
    return meta.app_label in RECORD_APPS or meta.label_lower in RECORD_MODELS


# --- Which years a record counts in -----------------------------------------------------

# The instance's counted fields as last read from or written to the database.
_LOADED = "_records_loaded"
# Its counted fields before a save (None: a new record).
_BEFORE = "_records_before"


@dataclass(frozen=True)
class _Counting:
    """How the years a kind of record counts in are found."""

    dates: tuple[str, ...] = ()  # attnames of its own dates (or years)
    parents: tuple[models.ForeignKey, ...] = ()  # no dates: the dated records it belongs to
    persons: bool = False  # counted through the records about it
    watched: tuple[str, ...] = field(init=False)  # the attnames kept as loaded

    def __post_init__(self) -> None:
        object.__setattr__(self, "watched", self.dates + tuple(fk.attname for fk in self.parents))


@dataclass
class _Persons:
    model: type[models.Model] | None = None
    # (record model, lookup to the person, date field) of each dated record about a person.
    dates: tuple[tuple[type[models.Model], str, str], ...] = ()
    # Persons with the first of each of these dates (built once).
    first: models.QuerySet | None = None


_PERSONS = _Persons()
_PLANS: dict[type[models.Model], _Counting] = {}


def count_persons_through(records: Iterable[Record]) -> None:
    """A person counts in the figures of every year from their first record: a change of
    the person draws the token of the earliest date (meeting or activity) among these
    records about them (an app's ``person.py``; called from the apps' ``ready``)."""
    dates = list(_PERSONS.dates)
    for record in records:
        if record.to_person == "pk":
            _PERSONS.model = record.model
            continue
        names = ((record.meeting,) if record.meeting else ()) + tuple(record.activity)
        for name in dict.fromkeys(names):
            if (record.model, record.to_person, name) not in dates:
                dates.append((record.model, record.to_person, name))
    _PERSONS.dates = tuple(dates)
    _PERSONS.first = None
    _PLANS.clear()


def _counting(model: type[models.Model]) -> _Counting:
    plan = _PLANS.get(model)
    if plan is None:
        plan = _plan(model)
        if global_apps.ready:  # every app has declared what it counts
            _PLANS[model] = plan
    return plan


def _plan(model: type[models.Model]) -> _Counting:
    if _PERSONS.model is not None and issubclass(model, _PERSONS.model):
        return _Counting(persons=True)
    meta = model._meta
    declared = getattr(model, "counted_dates", None)
    if declared is not None:
        fields = [meta.get_field(name) for name in declared]
        return _Counting(dates=tuple(f.attname for f in fields if isinstance(f, models.Field)))
    dates = tuple(f.attname for f in meta.concrete_fields if isinstance(f, models.DateField))
    if dates:  # DateTimeField included
        return _Counting(dates=dates)
    parents = tuple(
        fk
        for fk in meta.concrete_fields
        if isinstance(fk, models.ForeignKey)
        and _is_record(fk.related_model)
        and _has_dates(fk.related_model)
    )
    return _Counting(parents=parents)


def _has_dates(model: type[models.Model]) -> bool:
    if _PERSONS.model is not None and issubclass(model, _PERSONS.model):
        return True
    return getattr(model, "counted_dates", None) is not None or any(
        isinstance(f, models.DateField) for f in model._meta.concrete_fields
    )


def _year(value: Any) -> int | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).year if timezone.is_aware(value) else value.year
    if isinstance(value, datetime.date):
        return value.year
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # a year
    return None


def _state_year(
    plan: _Counting, state: Mapping[str, Any], instance: models.Model | None = None
) -> int:
    """The earliest year of a record in ``state`` (attname -> value), ALL_YEARS if it
    has no date."""
    if plan.dates:
        years = [_year(state.get(name)) for name in plan.dates]
        return min((year for year in years if year is not None), default=ALL_YEARS)
    found: list[int | None] = []
    for fk in plan.parents:
        pk = state.get(fk.attname)
        if pk is None:
            continue
        cached = instance._state.fields_cache.get(fk.name) if instance is not None else None
        if cached is not None and cached.pk == pk:
            found.append(earliest_year(cached))
        else:
            found.append(counted_from(fk.related_model, [pk]))
    return min((year for year in found if year is not None), default=ALL_YEARS)


def _stored(model: type[models.Model], pk: Any, names: Iterable[str]) -> dict[str, Any] | None:
    names = list(names)
    row = model._base_manager.filter(pk=pk).values_list(*names).first()
    return None if row is None else dict(zip(names, row, strict=True))


def _persons_year(pks: Iterable[Any]) -> int | None:
    """The earliest date among the records about these persons (one query); a person
    without records counts nowhere yet: the current year. None: no such person."""
    if _PERSONS.first is None:
        assert _PERSONS.model is not None
        _PERSONS.first = _PERSONS.model._base_manager.values(
            "pk",
            **{
                f"d{number}": models.Subquery(
                    model._base_manager.filter(
                        **{lookup: models.OuterRef("pk"), f"{name}__isnull": False}
                    )
                    .order_by(name)
                    .values(name)[:1]
                )
                for number, (model, lookup, name) in enumerate(_PERSONS.dates)
            },
        )
    rows = list(_PERSONS.first.filter(pk__in=list(pks)))
    if not rows:
        return None
    years = [_year(value) for row in rows for name, value in row.items() if name != "pk"]
    return min((year for year in years if year is not None), default=_current_year())


def counted_from(model: type[models.Model], pks: Iterable[Any]) -> int | None:
    """The earliest year whose figures count these records, as they are stored (None:
    none of them exists). For writes that send no signal (``QuerySet.update``)."""
    pks = [pk for pk in pks if pk is not None]
    plan = _counting(model)
    years: list[int] = []
    for start in range(0, len(pks), 500):  # within every database's limit of parameters
        chunk = pks[start : start + 500]
        if plan.persons:
            year = _persons_year(chunk)
            if year is not None:
                years.append(year)
        elif not plan.watched:
            if model._base_manager.filter(pk__in=chunk).exists():
                years.append(ALL_YEARS)
        else:
            rows = model._base_manager.filter(pk__in=chunk).values_list(*plan.watched)
            years += [_state_year(plan, dict(zip(plan.watched, row, strict=True))) for row in rows]
    return min(years, default=None)


def earliest_year(instance: models.Model) -> int:
    """The earliest year whose figures count a record, as it stands and as it was read
    from the database: its own dates (local time), those of the records it belongs to,
    a person's first record; ALL_YEARS if it has no date."""
    model = type(instance)
    plan = _counting(model)
    if plan.persons:
        return (
            _persons_year([instance.pk]) if instance.pk is not None else None
        ) or _current_year()
    values = instance.__dict__
    now = {name: values[name] for name in plan.watched if name in values}
    loaded = {} if instance._state.adding else values.get(_LOADED, {})
    missing = [name for name in plan.watched if name not in now and name not in loaded]
    if missing and instance.pk is not None:
        loaded = {**(_stored(model, instance.pk, missing) or {}), **loaded}
    years = [_state_year(plan, {**loaded, **now}, instance)]
    if loaded:
        years.append(_state_year(plan, {**now, **loaded}, instance))
    return min(years)


def _current_year() -> int:
    return timezone.localdate().year


# --- Signals ------------------------------------------------------------------------------


def _loaded(sender, instance, **kwargs) -> None:
    # Every instance, read or built: a built one's values are not used as its former
    # state (see _before_save), and a save writes the values kept here again.
    plan = _PLANS.get(sender) or _counting(sender)
    if plan.watched:
        values = instance.__dict__
        values[_LOADED] = {name: values[name] for name in plan.watched if name in values}


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    if raw or not _is_record(sender):
        return
    plan = _counting(sender)
    if plan.persons or not plan.watched:
        return
    values = instance.__dict__
    before: dict[str, Any] | None
    if instance.pk is None:
        before = None  # a new record
    elif instance._state.adding:  # built with the pk of a row that may exist
        before = _stored(sender, instance.pk, plan.watched)
    else:
        before = dict(values.get(_LOADED, {}))
        missing = [name for name in plan.watched if name not in before]
        if missing:  # deferred when it was read
            before.update(_stored(sender, instance.pk, missing) or {})
    values[_BEFORE] = before


def _saved(sender, instance, created, raw=False, update_fields=None, **kwargs) -> None:
    if not _is_record(sender):
        return
    if raw:
        records_changed(ALL_YEARS)
        return
    plan = _counting(sender)
    if plan.persons:
        records_changed(_current_year() if created else _persons_year([instance.pk]))
        return
    values = instance.__dict__
    before = values.pop(_BEFORE, None)
    now = {name: values[name] for name in plan.watched if name in values}
    if update_fields is not None:
        written = {sender._meta.get_field(name).attname for name in update_fields}
        now = {name: value for name, value in now.items() if name in written}
    after = {**(before or {}), **now}
    years = [_state_year(plan, after, instance)]
    if before is not None and not created:
        years.append(_state_year(plan, before, instance))
    records_changed(min(years))
    values[_LOADED] = after


def _before_delete(sender, instance, **kwargs) -> None:
    # A person's lists (a workshop's participants among them) go without a signal:
    # their years are read while they are there.
    if _is_record(sender) and _counting(sender).persons:
        records_changed(_persons_year([instance.pk]))


def _deleted(sender, instance, **kwargs) -> None:
    if not _is_record(sender):
        return
    plan = _counting(sender)
    values = instance.__dict__
    if plan.persons:
        return  # drawn before (_before_delete)
    elif plan.dates:
        if any(name not in values for name in plan.dates):  # deferred: not known any more
            records_changed(ALL_YEARS)
        else:
            loaded = {} if instance._state.adding else values.get(_LOADED, {})
            now = {name: values[name] for name in plan.dates}
            records_changed(min(_state_year(plan, now), _state_year(plan, {**now, **loaded})))
    elif plan.parents:
        for fk in plan.parents:
            pk = values.get(fk.attname)
            cached = instance._state.fields_cache.get(fk.name)
            if cached is not None and cached.pk == pk:
                records_changed(earliest_year(cached))
            elif pk is not None:  # read once committed (gone by then: its removal drew)
                _draw(later=(fk.related_model, pk))
    else:
        records_changed(ALL_YEARS)


def _m2m_changed(sender, instance, action, reverse, model, pk_set, **kwargs) -> None:
    # The list is the holding record's (``model`` when reversed): its years are touched.
    if not _is_record(sender):
        return
    if not reverse:
        if not action.startswith("post_"):
            return
        if _counting(type(instance)).persons and instance.pk is not None:
            # A person's years come from their records: read for every person whose
            # lists changed at once, when the transaction commits.
            _draw(later=(type(instance), instance.pk))
        else:
            records_changed(earliest_year(instance))
    elif action == "pre_clear":  # the holders are known before the rows go
        lists = [f for f in model._meta.many_to_many if f.remote_field.through is sender]
        if not lists:
            records_changed(ALL_YEARS)
            return
        field = lists[0]
        holders = sender._base_manager.filter(**{field.m2m_reverse_field_name(): instance.pk})
        records_changed(counted_from(model, holders.values_list(field.m2m_field_name(), flat=True)))
    elif action in ("post_add", "post_remove"):
        records_changed(counted_from(model, pk_set or ()))


def connect() -> None:
    for model in global_apps.get_models():
        if _is_record(model):
            post_init.connect(
                _loaded, sender=model, dispatch_uid=f"records_loaded_{model._meta.label}"
            )
    pre_save.connect(_before_save, dispatch_uid="records_changed_before_save")
    post_save.connect(_saved, dispatch_uid="records_changed_save")
    pre_delete.connect(_before_delete, dispatch_uid="records_changed_before_delete")
    post_delete.connect(_deleted, dispatch_uid="records_changed_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="records_changed_m2m")

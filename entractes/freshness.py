"""Which state of the records kept figures were computed from.

Tokens in the database (``RecordsState``) are drawn again after every committed write to
the records (persons, contacts, health, rights, minors, reference figures). Figures of a
year kept in a cache under the tokens current when they were computed are never older
than the records.

A year's figures count records dated in that year or before (a person's first meeting,
a file open at the year's end): a new record whose dates all fall in year N or later
cannot change the figures of the years before N. So a token is kept per year: a new
record draws the token of the earliest year among its dates, a change or removal of a
record (its former dates are not known) draws the one of all years (0), and the figures
of year Y are kept under the tokens of 0 and of every year up to Y. Writes that send no
model signal (bulk imports, the demo, a restore) call ``records_changed()`` themselves.

Tokens are random, not counters, so that a restored database never meets figures kept
under the same tokens before the restore.
"""

from __future__ import annotations

import datetime
import secrets

from django.apps import apps as global_apps
from django.db import IntegrityError, models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

# The apps whose records the figures count, and the other models that change them.
RECORD_APPS = frozenset({"contacts", "health", "rights", "minors"})
RECORD_MODELS = frozenset({"reporting.referencefigure"})
# The token of all years: undated records, changes and removals.
ALL_YEARS = 0


class _Draw:
    """Draws, once the transaction commits, the token of the earliest year written."""

    def __init__(self, connection, year: int):
        self.connection = connection
        self.years = {year}

    def __call__(self) -> None:
        self.connection.records_draw_pending = None
        _new_token(min(self.years))


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


def records_changed(year: int = ALL_YEARS) -> None:
    """Draw the token of ``year`` (and so of the years after it) once the current
    transaction commits, at once outside one. A transaction writing many records draws
    one token, the earliest year's."""
    connection = transaction.get_connection()
    pending = getattr(connection, "records_draw_pending", None)
    if connection.in_atomic_block and any(
        entry[1] is pending for entry in connection.run_on_commit
    ):
        pending.years.add(year)
        return
    draw = _Draw(connection, year)
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


def earliest_year(instance: models.Model) -> int:
    """The earliest year among a record's dates (local time), ALL_YEARS if it has none."""
    years = []
    for field in instance._meta.concrete_fields:
        if not isinstance(field, models.DateField):  # DateTimeField included
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, datetime.datetime):
            years.append(timezone.localtime(value).year if timezone.is_aware(value) else value.year)
        elif isinstance(value, datetime.date):
            years.append(value.year)
    return min(years, default=ALL_YEARS)


def _saved(sender, instance, created, raw=False, **kwargs) -> None:
    if _is_record(sender):
        records_changed(earliest_year(instance) if created and not raw else ALL_YEARS)


def _deleted(sender, **kwargs) -> None:
    if _is_record(sender):
        records_changed(ALL_YEARS)


def _m2m_changed(sender, instance, action, reverse, **kwargs) -> None:
    # The record's own lists change, not its dates: its year is the one touched.
    if action.startswith("post_") and _is_record(sender):
        records_changed(ALL_YEARS if reverse else earliest_year(instance))


def connect() -> None:
    post_save.connect(_saved, dispatch_uid="records_changed_save")
    post_delete.connect(_deleted, dispatch_uid="records_changed_delete")
    m2m_changed.connect(_m2m_changed, dispatch_uid="records_changed_m2m")

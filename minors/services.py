"""Writes of the minors' follow-up."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from contacts.models import Person
from entractes.lib.writes import save_record
from minors.models import MinorFile, Period, ReceivedReport

if TYPE_CHECKING:
    from entractes.models import User


@transaction.atomic
def file_save(*, data: dict[str, Any], by: User, minor_file: MinorFile | None = None) -> MinorFile:
    return save_record(minor_file or MinorFile(created_by=by), data)


@transaction.atomic
def record_add(*, instance: Any, minor_file: MinorFile, by: User) -> models.Model:
    """Attach a sub-record (measure, runaway, use, partner, exchange, report) to a file.

    ``instance`` is any of those models (each with its ``file``), unsaved."""
    instance.file = minor_file
    # Read the model's fields, not the instance: an unset foreign key raises on access.
    names = {field.name for field in instance._meta.concrete_fields}
    if "author" in names and instance.author_id is None:
        instance.author = by
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def period_end(*, period: Period, end: datetime.date) -> Period:
    period.end = end
    period.full_clean()
    period.save(update_fields=["end"])
    return period


@transaction.atomic
def report_save(
    *, data: dict[str, Any], by: User, report: ReceivedReport | None = None
) -> ReceivedReport:
    return save_record(report or ReceivedReport(author=by), data)


@transaction.atomic
def report_link(
    *, report: ReceivedReport, person: Person, linked_on: datetime.date
) -> ReceivedReport:
    """The reported minor was met: the report is linked to their person record."""
    report.person, report.linked_on = person, linked_on
    report.full_clean()
    report.save(update_fields=["person", "linked_on"])
    return report


@transaction.atomic
def training_save(*, instance: Any, by: User) -> models.Model:
    """Save a training cycle or an awareness session (any model with ``created_by``)."""
    instance.created_by = by
    instance.full_clean()
    instance.save()
    return instance

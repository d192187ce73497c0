"""Writes of the minors' follow-up."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models, transaction

from contacts.models import Person
from minors.models import MinorFile, ReceivedReport


@transaction.atomic
def file_save(*, data: dict[str, Any], by, minor_file: MinorFile | None = None) -> MinorFile:
    minor_file = minor_file or MinorFile(created_by=by)
    for name, value in data.items():
        setattr(minor_file, name, value)
    minor_file.full_clean()
    minor_file.save()
    return minor_file


@transaction.atomic
def record_add(*, instance: models.Model, minor_file: MinorFile, by) -> models.Model:
    """Attach a sub-record (measure, runaway, use, partner, exchange, report) to a file."""
    instance.file = minor_file
    # Read the model's fields, not the instance: an unset foreign key raises on access.
    names = {field.name for field in instance._meta.concrete_fields}
    if "author" in names and instance.author_id is None:
        instance.author = by
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def period_end(*, period: models.Model, end: datetime.date) -> models.Model:
    period.end = end
    period.full_clean()
    period.save(update_fields=["end"])
    return period


@transaction.atomic
def report_save(
    *, data: dict[str, Any], by, report: ReceivedReport | None = None
) -> ReceivedReport:
    report = report or ReceivedReport(author=by)
    for name, value in data.items():
        setattr(report, name, value)
    report.full_clean()
    report.save()
    return report


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
def training_save(*, instance: models.Model, by) -> models.Model:
    instance.created_by = by
    instance.full_clean()
    instance.save()
    return instance

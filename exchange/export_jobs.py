"""Exports asked from the interface run as background tasks: the year's figures (CSV,
XLSX, JSON) or the records the account may read (XLSX). The file is kept a day at most;
only the account that asked for it downloads it, and each download is logged."""

from __future__ import annotations

import datetime
import io
import json
import logging
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from entractes.lib.exports import to_csv, to_xlsx
from entractes.models import AccessLogEntry
from entractes.permissions import AUTHENTICATED, record_access
from exchange.engine import export_records
from exchange.jobs import STALE, remove_stale_files
from exchange.models import ExportJob
from exchange.spec import SHEETS

logger = logging.getLogger(__name__)
EXPORT_DIR = "exports"


def readable_sheets(user) -> list[str]:
    """The sheets of the records whose kind the account's roles may read. Legal
    identities and clinical notes are in no sheet: a full export is the server's
    ``export_records`` command, not a page."""
    table = record_access()
    names = []
    for sheet in SHEETS:
        read, _write = table[sheet.model._meta.label]
        if read == AUTHENTICATED or (read and user.has_capability(read)):
            names.append(sheet.name)
    return names


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(type(value))


def figures_file(year: int, fmt: str) -> bytes:
    """The year's figures: CSV or JSON of keys and values, or a workbook of the report's
    sections compared with the previous year. The key stays the first column (what
    programs read); each figure's French label comes with it (in JSON, a ``labels``
    mapping beside ``figures``)."""
    from reporting import descriptions, figures

    values = figures.all_figures(year)
    with translation.override("fr"):
        labels = descriptions.labels(sorted(values))
    if fmt == "csv":
        rows = [(key, value, labels[key]) for key, value in sorted(values.items())]
        return to_csv(["key", str(year), "label"], rows).encode("utf-8")
    if fmt == "json":
        document = {"year": year, "figures": dict(sorted(values.items())), "labels": labels}
        return json.dumps(document, ensure_ascii=False, indent=1, default=_number).encode()
    sheets = [
        (
            title,
            ["key", "label", str(year), str(year - 1), "%"],
            [(r.key, labels[r.key], r.value, r.previous, r.change) for r in rows],
        )
        for _slug, title, rows in figures.compared(year, values)
    ]
    return to_xlsx(sheets) or b""


def get_export_job_for_user(user, pk: int) -> ExportJob:
    """A job of the user's own; another's and a missing one answer 404 alike."""
    job = ExportJob.objects.filter(pk=pk).first()
    if job is None:
        raise Http404
    if job.requested_by_id != user.pk:  # another's: refused and logged, answered as missing
        AccessLogEntry.objects.record_refusal(user=user, target=job)
        raise Http404
    return job


@transaction.atomic
def export_job_start(*, by, what: str, fmt: str, year: int | None = None) -> ExportJob:
    """Queue an export: the sheets are chosen now, from the account's roles."""
    from exchange.tasks import run_export

    sheets = readable_sheets(by) if what == ExportJob.What.RECORDS else []
    job = ExportJob.objects.create(requested_by=by, what=what, fmt=fmt, year=year, sheets=sheets)
    transaction.on_commit(lambda: run_export.enqueue(job.pk))
    return job


def export_job_run(job_id: int) -> ExportJob | None:
    """Run one queued export (by the task worker)."""
    sweep_stale_exports()
    if not ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING
    ):
        return None
    job = ExportJob.objects.get(pk=job_id)
    try:
        if job.what == ExportJob.What.FIGURES:
            ExportJob.objects.filter(pk=job.pk).update(steps_total=1)
            content, counts = figures_file(job.year, job.fmt), {}
        else:
            ExportJob.objects.filter(pk=job.pk).update(steps_total=len(job.sheets))

            def progress(done: int, total: int) -> None:
                ExportJob.objects.filter(pk=job.pk).update(steps_done=done)

            buffer = io.BytesIO()
            counts = export_records(buffer, "xlsx", sheets_wanted=job.sheets, on_progress=progress)
            content = buffer.getvalue()
        job.file.save(f"{job.pk}-{job.filename}", ContentFile(content), save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.DONE,
            file=job.file.name,
            counts=counts,
            steps_done=max(1, len(job.sheets)),
            finished_at=timezone.now(),
        )
    except Exception as error:  # a fault: say so, keep no half-written file
        logger.exception("export job %s failed", job.pk)
        if job.file:
            job.file.delete(save=False)
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED,
            file="",
            error=_("Export interrompu : %(error)s") % {"error": error},
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def sweep_stale_exports(now: datetime.datetime | None = None) -> int:
    """Remove the files of exports older than a day; returns the number removed."""
    now = now or timezone.now()
    removed = remove_stale_files(EXPORT_DIR, now)
    old = ExportJob.objects.filter(requested_at__lt=now - STALE)
    old.filter(state__in=[ExportJob.State.QUEUED, ExportJob.State.RUNNING]).update(
        state=ExportJob.State.FAILED,
        error=_("Export interrompu : demandez-le à nouveau."),
        finished_at=now,
    )
    old.update(file="")
    return removed

"""Imports run as background tasks: the upload is stored, a job records its progress
and its result, and the file is removed as soon as the job no longer needs it."""

from __future__ import annotations

import datetime
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchange.engine import ImportRefused, Unreadable, import_records, read
from exchange.models import ImportJob

logger = logging.getLogger(__name__)
STALE = datetime.timedelta(days=1)
IMPORT_DIR = "imports"


class JobGone(Exception):
    """The job cannot be confirmed (not a clean dry run, or its file was swept)."""


def get_import_job_for_user(user, pk: int) -> ImportJob:
    """A job of the user's own: another's job and a missing one answer 404 alike (its
    report holds values of the file)."""
    job = ImportJob.objects.filter(pk=pk, requested_by=user).first()
    if job is None:
        raise Http404
    return job


def _enqueue(job: ImportJob) -> None:
    from exchange.tasks import run_import

    transaction.on_commit(lambda: run_import.enqueue(job.pk))


@transaction.atomic
def import_job_start(*, upload: UploadedFile, by, dry_run: bool = True) -> ImportJob:
    """Store the uploaded workbook and queue its import (a dry run first, by default)."""
    job = ImportJob(requested_by=by, filename=Path(upload.name).name[:200], dry_run=dry_run)
    job.upload.save(f"{uuid.uuid4().hex}.xlsx", upload, save=False)
    job.save()
    _enqueue(job)
    return job


@transaction.atomic
def import_job_confirm(*, job: ImportJob, by) -> ImportJob:
    """Import for real the file of a dry run that found no problem."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if (
        job.state != ImportJob.State.DONE
        or not job.dry_run
        or not job.upload
        or not job.upload.storage.exists(job.upload.name)
    ):
        raise JobGone(_("Ce fichier n'est plus disponible : déposez-le à nouveau."))
    real = ImportJob.objects.create(
        requested_by=by, filename=job.filename, upload=job.upload.name, dry_run=False
    )
    ImportJob.objects.filter(pk=job.pk).update(upload="")
    _enqueue(real)
    return real


def import_job_run(job_id: int) -> ImportJob | None:
    """Run one queued job (by the task worker). All or nothing; the file is removed at
    the end, except after a clean dry run, which keeps it for its confirmation."""
    sweep_stale_uploads()
    if not ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING
    ):
        return None  # already run, or swept
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)
    keep_file, result = False, {}
    try:
        data = read(job.upload.path)
        total = sum(len(rows) for rows in data.values())
        ImportJob.objects.filter(pk=job.pk).update(rows_total=total)

        def progress(done: int) -> None:
            ImportJob.objects.filter(pk=job.pk).update(rows_done=done)

        summary = import_records(
            data, by=job.requested_by, dry_run=job.dry_run, on_progress=progress
        )
        result = {"state": ImportJob.State.DONE, "summary": summary, "rows_done": total}
        keep_file = job.dry_run
    except ImportRefused as refused:
        result = {
            "state": ImportJob.State.FAILED,
            "problems": [vars(p) for p in refused.problems[:500]],
            "error": ngettext(
                "%(n)s problème, rien n'a été écrit.",
                "%(n)s problèmes, rien n'a été écrit.",
                len(refused.problems),
            )
            % {"n": len(refused.problems)},
        }
    except Unreadable as error:
        result = {"state": ImportJob.State.FAILED, "error": str(error)}
    except Exception as error:  # an unreadable workbook, or a fault: say so, write nothing
        logger.exception("import job %s failed", job.pk)
        result = {
            "state": ImportJob.State.FAILED,
            "error": _("Fichier illisible ou import interrompu : %(error)s") % {"error": error},
        }
    finally:
        if not keep_file:
            job.upload.delete(save=False)
            result["upload"] = ""
        ImportJob.objects.filter(pk=job.pk).update(finished_at=timezone.now(), **result)
    job.refresh_from_db()
    return job


def remove_stale_files(name: str, now: datetime.datetime) -> int:
    """Remove the files of MEDIA_ROOT/<name> older than a day; returns how many."""
    removed = 0
    folder = Path(settings.MEDIA_ROOT) / name
    for file in folder.glob("*") if folder.is_dir() else []:
        modified = datetime.datetime.fromtimestamp(file.stat().st_mtime, tz=datetime.UTC)
        if file.is_file() and now - modified > STALE:
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def sweep_stale_uploads(now: datetime.datetime | None = None) -> int:
    """Remove uploads older than a day (a dry run never confirmed, a worker killed),
    close the jobs left waiting as long and forget their problem reports. Returns the
    number of files removed."""
    now = now or timezone.now()
    removed = remove_stale_files(IMPORT_DIR, now)
    old = ImportJob.objects.filter(requested_at__lt=now - STALE)
    old.filter(state__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING]).update(
        state=ImportJob.State.FAILED,
        error=_("Import interrompu : rien n'a été écrit, déposez le fichier à nouveau."),
        finished_at=now,
        upload="",
    )
    # The report quotes the file's cells: it is kept a day, like the file.
    old.update(upload="", problems=[])
    return removed

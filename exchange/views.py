"""Pages of the records' exchange: the year's figures as CSV or XLSX, and the import of
a workbook (checked first, then confirmed, both in the background)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from entractes.lib.exports import XLSX_CONTENT_TYPE, to_csv, to_xlsx
from entractes.models import AccessLogEntry
from entractes.permissions import requires
from exchange.jobs import JobGone, get_import_job_for_user, import_job_start
from exchange.jobs import import_job_confirm as confirm
from exchange.models import ImportJob
from reporting import figures


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    return year


@requires("reporting.view")
def export(request, year, fmt):
    """The year's figures: one CSV of keys and values, or a workbook of the report's
    sections compared with the previous year."""
    year = _year(year)
    if fmt not in ("csv", "xlsx"):
        raise Http404
    values = figures.all_figures(year)
    AccessLogEntry.objects.record(
        user=request.user, action=AccessLogEntry.Action.EXPORT, target=f"figures:{year}"
    )
    if fmt == "csv":
        response = HttpResponse(
            to_csv(["key", str(year)], sorted(values.items())),
            content_type="text/csv; charset=utf-8",
        )
    else:
        sheets = [
            (
                title,
                ["key", str(year), str(year - 1), "%"],
                [(r.key, r.value, r.previous, r.change) for r in rows],
            )
            for _slug, title, rows in figures.compared(year, values)
        ]
        response = HttpResponse(to_xlsx(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="chiffres-{year}.{fmt}"'
    return response


@never_cache
@requires("records.import")
def records_import(request):
    """Upload a workbook: it is checked in the background (nothing is written), then the
    import is confirmed and runs in the background too."""
    if request.method == "POST":
        upload = request.FILES.get("file")
        limit = settings.IMPORT_MAX_BYTES
        if upload is None or not upload.name.lower().endswith(".xlsx") or upload.size > limit:
            messages.error(
                request,
                _("Fichier : déposez un classeur .xlsx de moins de %(size)s Mo.")
                % {"size": limit // (1024 * 1024) or 1},
            )
            return redirect("exchange:records-import")
        job = import_job_start(upload=upload, by=request.user)
        return redirect("exchange:import-job", pk=job.pk)
    jobs = ImportJob.objects.filter(requested_by=request.user)[:10]
    return render(request, "exchange/records_import.html", {"jobs": jobs})


@never_cache
@requires("records.import")
def import_job(request, pk):
    """A job's progress (the partial, polled by htmx every 2 s) and its result."""
    job = get_import_job_for_user(request.user, pk)
    template = "exchange/import_job.html"
    if request.headers.get("HX-Request"):
        template += "#status"
    return render(request, template, {"job": job})


@require_POST
@requires("records.import")
def import_job_confirm(request, pk):
    job = get_import_job_for_user(request.user, pk)
    try:
        job = confirm(job=job, by=request.user)
    except JobGone as error:
        messages.error(request, str(error))
        return redirect("exchange:records-import")
    return redirect("exchange:import-job", pk=job.pk)

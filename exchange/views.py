"""Pages of the records' exchange: the year's figures as CSV or XLSX, and the import of
a workbook (checked first, then confirmed, both in the background)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from entractes.lib.exports import XLSX_CONTENT_TYPE
from entractes.models import AccessLogEntry
from entractes.permissions import requires
from exchange.export_jobs import (
    export_job_start,
    figures_file,
    get_export_job_for_user,
    readable_sheets,
)
from exchange.jobs import JobGone, get_import_job_for_user, import_job_start
from exchange.jobs import import_job_confirm as confirm
from exchange.models import ExportJob, ImportJob
from exchange.spec import BY_NAME

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": XLSX_CONTENT_TYPE,
    "json": "application/json; charset=utf-8",
}


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
    """The year's figures: one CSV or JSON of keys and values, or a workbook of the
    report's sections compared with the previous year."""
    year = _year(year)
    if fmt not in CONTENT_TYPES:
        raise Http404
    AccessLogEntry.objects.record(
        user=request.user, action=AccessLogEntry.Action.EXPORT, target=f"figures:{year}"
    )
    response = HttpResponse(figures_file(year, fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="chiffres-{year}.{fmt}"'
    return response


@requires("reporting.view")
def caarud_extract(request, year):
    """The year's extract in the shape of the national CAARUD activity report (CSV)."""
    from reporting.national import extract_csv

    year = _year(year)
    AccessLogEntry.objects.record(
        user=request.user, action=AccessLogEntry.Action.EXPORT, target=f"caarud-extract:{year}"
    )
    response = HttpResponse(extract_csv(year), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="extrait-caarud-{year}.csv"'
    return response


class ExportForm(forms.Form):
    what = forms.ChoiceField(label=gettext_lazy("Contenu"), choices=ExportJob.What.choices)
    year = forms.IntegerField(label=gettext_lazy("Année"), required=False)
    fmt = forms.ChoiceField(label=gettext_lazy("Format"), choices=ExportJob.Format.choices)

    def clean(self):
        data = super().clean()
        what, year, fmt = data.get("what"), data.get("year"), data.get("fmt")
        if what == ExportJob.What.FIGURES:
            if year is None or not 2000 <= year <= timezone.localdate().year:
                self.add_error(
                    "year",
                    _("Année : entre 2000 et %(year)s.") % {"year": timezone.localdate().year},
                )
        elif what == ExportJob.What.RECORDS:
            data["year"] = None
            if fmt and fmt != ExportJob.Format.XLSX:
                self.add_error("fmt", _("Format : les enregistrements s'exportent en XLSX."))
        return data


@never_cache
@requires("records.export")
def exports(request):
    """Ask for an export (it runs in the background), and the account's last ones."""
    form = ExportForm(
        request.POST if request.method == "POST" else None,
        initial={"what": "figures", "year": timezone.localdate().year - 1, "fmt": "xlsx"},
    )
    if request.method == "POST" and form.is_valid():
        job = export_job_start(by=request.user, **form.cleaned_data)
        return redirect("exchange:export-job", pk=job.pk)
    sheets = [BY_NAME[name] for name in readable_sheets(request.user)]
    jobs = ExportJob.objects.filter(requested_by=request.user)[:10]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "exchange/exports.html",
        {"form": form, "jobs": jobs, "sheets": sheets},
        status=status,
    )


@never_cache
@requires("records.export")
def export_job(request, pk):
    """A job's progress (the partial, polled by htmx every 2 s) and its file's link."""
    job = get_export_job_for_user(request.user, pk)
    template = "exchange/export_job.html"
    if request.headers.get("HX-Request"):
        template += "#status"
    return render(request, template, {"job": job})


@never_cache
@requires("records.export")
def export_job_file(request, pk):
    """The file of a finished export; each download is written to the access log."""
    job = get_export_job_for_user(request.user, pk)
    if (
        job.state != ExportJob.State.DONE
        or not job.file
        or not job.file.storage.exists(job.file.name)
    ):
        raise Http404
    target = f"figures:{job.year}" if job.what == ExportJob.What.FIGURES else "records"
    AccessLogEntry.objects.record(
        user=request.user,
        action=AccessLogEntry.Action.EXPORT,
        target=target,
        detail=",".join(job.sheets) or job.fmt,
    )
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES[job.fmt],
    )


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

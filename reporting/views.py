"""The director's pages: dashboard, figures with comparisons and drill-down, checks,
narrative, PDF generation and publication."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_AP
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contacts import figures as contact_figures
from entractes.concurrency import fingerprint, save_unless_changed
from entractes.models import AccessLogEntry
from entractes.permissions import requires
from health import figures as health_figures
from reporting import charts, checks, descriptions, figures, periods, services
from reporting import drilldown as drill
from reporting.forms import (
    AcceptForm,
    NarrativeForm,
    PublishForm,
    ReferenceFigureForm,
    RemoveForm,
)
from reporting.models import (
    CheckAcceptance,
    NarrativeBlock,
    Publication,
    ReferenceFigure,
    ReportRender,
    render_markdown,
)


def _year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return timezone.localdate().year - 1
    if not 2000 <= year <= timezone.localdate().year:
        raise Http404
    return year


@never_cache
@requires("reporting.view")
def dashboard(request):
    """A period (the year to date unless chosen) against the same days a year before
    (or the period just before), and contacts by month."""
    today = timezone.localdate()
    choice = periods.chosen(request.GET, today)
    period, before = choice.period, choice.before
    current = {
        **contact_figures.period_summary(*period.bounds),
        **health_figures.period_summary(*period.bounds),
    }
    previous = {
        **contact_figures.period_summary(*before.bounds),
        **health_figures.period_summary(*before.bounds),
    }
    labels = {
        "contacts": _("Contacts"),
        "people": _("Personnes rencontrées (contacts)"),
        "caarud_contacts": _("Contacts CAARUD"),
        "consultations": _("Consultations santé"),
    }
    rows = [
        (labels[k], current[k], previous[k], figures.change(current[k], previous[k]))
        for k in labels
    ]
    year = period.end.year
    months = [str(MONTHS_AP[number]) for number in range(1, 13)]
    chart = charts.monthly_contacts(
        list(zip(months, contact_figures.contacts_by_month(year), strict=True)),
        list(zip(months, contact_figures.contacts_by_month(year - 1), strict=True)),
        years=(year, year - 1),
    )
    return render(
        request,
        "reporting/dashboard.html",
        {
            "rows": rows,
            "chart": chart,
            "today": today,
            "choice": choice,
            "period_label": periods.label(period),
            "previous_label": periods.label(before),
            "report_year": min(year, today.year - 1),
        },
    )


@never_cache
@requires("reporting.view")
def figures_page(request):
    """The figures of a period (the year to date or the last year with records unless
    chosen) beside those it is compared with, within the chosen filters; a calendar
    year unfiltered is the report's year, with its publication and exports."""
    choice = periods.chosen(request.GET, timezone.localdate())
    query = request.GET.get("q", "").strip()[:100]
    period, scope = choice.period, choice.scope
    values = figures.kept_figures(period, scope)
    # The charts are drawn when asked for (their section opened): not with every page.
    with_charts = choice.year_mode and not query and request.GET.get("graphiques") == "1"
    if with_charts and request.headers.get("HX-Request"):
        return render(
            request,
            "reporting/figures.html#charts",
            {"charts": _page_charts(period, scope, values), "charts_open": True},
        )
    context = {
        "choice": choice,
        "period_label": periods.label(period),
        "previous_label": periods.label(choice.before),
        "scope_labels": periods.scope_labels(choice),
        "q": query,
        "can_drill": request.user.has_capability("reporting.drilldown"),
        "years": range(timezone.localdate().year, 2015, -1),
        "section_notes": {},
        "refused_count": 0,
    }
    # The figures compared with, when they are still to compute, come after the page
    # (htmx asks for its sections again with them, a link without it).
    wait = request.GET.get("comparaison") == "1"
    previous, source = figures.compared_with(choice.before, scope, wait=wait)
    pending = source == "pending"
    if choice.year_mode:
        year = period.year
        publication = Publication.objects.filter(year=year).first()
        sections = figures.compared(year, values, previous=previous, user=request.user)
        changes = services.changes_since(publication, values) if publication else []
        context |= {
            "year": year,
            "drill_query": _drill_query(choice),
            "previous_source": "reference" if source == "reference" else "computed",
            "publication": publication,
            "changes": changes,
            "labels": descriptions.labels(key for key, _before, _now in changes),
            "publications": Publication.objects.filter(year=year),
        }
    else:
        refused = figures.unfilterable(period, scope)
        names = periods.DIMENSION_LABELS
        sections = figures.compared(
            period,
            values,
            previous=previous,
            user=request.user,
            scope=scope,
            refused={key: [str(names[n]) for n in dims] for key, dims in refused.items()},
        )
        # A section none of whose figures can be filtered so is said once, without rows.
        section_notes = {}
        for index, (slug, title, rows) in enumerate(sections):
            if rows and all(row.refused for row in rows):
                names = sorted({name for row in rows for name in row.refused})
                section_notes[slug] = ", ".join(names)
                sections[index] = (slug, title, [])
        context |= {
            "section_notes": section_notes,
            "year": period.end.year,
            "drill_query": choice.query(),
            "previous_source": "computed" if pending else source,
            "refused_count": len(refused),
        }
    if query:
        sections = _matching(sections, query)
    context |= {
        "sections": sections,
        "comparison_pending": pending,
        "comparison_query": _comparison_query(choice, query),
        "found": sum(len(rows) for _slug, _title, rows in sections),
        "charts": _page_charts(period, scope, values) if with_charts else [],
        "charts_offered": choice.year_mode and not query,
        "charts_open": with_charts,
    }
    if wait and request.headers.get("HX-Request"):
        return render(request, "reporting/figures.html#sections", context)
    return render(request, "reporting/figures.html", context)


def _comparison_query(choice: periods.Choice, query: str) -> str:
    """The query string of the same figures page with the figures compared with."""
    more = {"comparaison": "1"} | ({"q": query} if query else {})
    if choice.year_mode:
        return urlencode({"year": choice.period.year} | more)
    return choice.query(**more)


def _page_charts(period, scope, values) -> list[tuple[str, str]]:
    """The figures page's charts, kept with the figures they are drawn from."""
    return figures.kept(
        f"page_charts:{get_language()}", period, scope, lambda: charts.page_charts(values)
    )


def _matching(sections, query: str):
    """The rows whose label or key holds every word of ``query`` (accents and case
    forgiven); sections left empty are dropped."""
    words = descriptions.folded(query).split()

    def matches(row) -> bool:
        text = row.description.search_text if row.description else row.key
        return all(word in text for word in words)

    found = [(slug, title, [row for row in rows if matches(row)]) for slug, title, rows in sections]
    return [section for section in found if section[2]]


def _drilled(request) -> tuple[periods.Choice, str, list, dict]:
    """The period (and filters), key and declaring sets of a drill-down the user may
    open (a refusal is logged), and the period's values."""
    if request.GET.get("year"):
        _year(request.GET.get("year"))  # 404 for a year out of range, as before
    choice = periods.chosen(request.GET, timezone.localdate())
    period, scope, key = choice.period, choice.scope, request.GET.get("key", "")
    sets = figures.declaring(key, period, scope) if key else []
    if not sets:
        raise Http404
    for capability in sorted({s.capability for s in sets if s.capability}):
        if not request.user.has_capability(capability):
            AccessLogEntry.objects.record_refusal(
                user=request.user, target=f"figure:{key}", detail=capability
            )
            raise PermissionDenied
    values = figures.kept_figures(period, scope)
    if key not in values:
        raise Http404
    return choice, key, sets, values


@never_cache
@requires("reporting.drilldown")
def drilldown(request):
    """The records behind one figure: pseudonyms only, restricted records stay restricted;
    each row links to its record's page where the reader may open it."""
    if not request.GET.get("key"):
        return redirect("reporting:figures")
    choice, key, sets, values = _drilled(request)
    AccessLogEntry.objects.record(
        user=request.user,
        action=AccessLogEntry.Action.DRILLDOWN,
        target=f"figure:{key}",
        detail=_drill_detail(choice),
    )
    return render(
        request,
        "reporting/drilldown.html",
        {
            "key": key,
            "year": choice.period.end.year,
            "choice": choice,
            "period_label": periods.label(choice.period),
            "scope_labels": periods.scope_labels(choice),
            "drill_query": _drill_query(choice),
            "value": values.get(key),
            "lists": drill.lists(
                sets, key, request.user, choice.scope, drill.page_number(request.GET.get("page"))
            ),
            "can_export": request.user.has_capability("records.export"),
            "description": descriptions.describe([key]).get(key),
        },
    )


@never_cache
@requires("reporting.drilldown")
def drilldown_export(request):
    """The records behind one figure as a CSV file, for who may both list and export
    them; the export is written to the access log."""
    if not request.GET.get("key"):
        return redirect("reporting:figures")
    choice, key, sets, _values = _drilled(request)
    if not request.user.has_capability("records.export"):
        AccessLogEntry.objects.record_refusal(
            user=request.user, target=f"figure:{key}", detail="records.export"
        )
        raise PermissionDenied
    AccessLogEntry.objects.record(
        user=request.user,
        action=AccessLogEntry.Action.EXPORT,
        target=f"figure:{key}",
        detail=_drill_detail(choice),
    )
    response = HttpResponse(
        drill.as_csv(sets, key, choice.scope), content_type="text/csv; charset=utf-8"
    )
    name = choice.period.year if choice.year_mode else str(choice.period).replace("/", "_")
    response["Content-Disposition"] = f'attachment; filename="detail-{key}-{name}.csv"'
    return response


def _drill_detail(choice: periods.Choice) -> str:
    """The access log's detail of a drill-down: the year, or the period and filters."""
    if choice.year_mode:
        return str(choice.period.year)
    return " ".join([str(choice.period), choice.scope.cache_key()]).strip()


def _drill_query(choice: periods.Choice) -> str:
    if choice.year_mode:
        return urlencode({"year": choice.period.year})
    return choice.query()


def _ref_initial(ref: ReferenceFigure | None) -> dict:
    if ref is None:
        return {}
    # The value as typed (6900, 12.5), not as stored (6900.000).
    value = (
        ref.value.quantize(1)
        if ref.value == ref.value.to_integral_value()
        else ref.value.normalize()
    )
    return {"key": ref.key, "year": ref.year, "value": value, "source": ref.source}


@never_cache
@requires("reporting.edit")
def reference_figures(request, pk=None):
    """The reference figures, a new one, or (``pk``) the correction of one."""
    ref = ReferenceFigure.objects.filter(pk=pk).first() if pk else None
    if pk and ref is None:
        raise Http404
    form = ReferenceFigureForm(request.POST or None, initial=_ref_initial(ref))

    def save():
        try:
            services.reference_figure_save(data=form.cleaned_data, by=request.user, ref=ref)
        except ValidationError as refused:  # raced by another save: shown on the form
            form.add_error(None, refused)
            raise _Refused from None

    edit = None
    saved = False
    try:
        if ref is not None:  # the second of two concurrent corrections is refused
            edit = save_unless_changed(request, ref, form.is_valid(), save)
            saved = edit.saved
        elif request.method == "POST" and form.is_valid():
            save()
            saved = True
    except _Refused:
        saved = False
    if saved:
        messages.success(request, _("Chiffre de référence enregistré."))
        return redirect("reporting:reference-figures")
    return render(
        request,
        "reporting/reference_figures.html",
        {
            "form": form,
            "ref": ref,
            "remove_form": RemoveForm() if ref is not None else None,
            "refs": ReferenceFigure.objects.all()[:500],
            "seen": edit.seen if edit else None,
            "conflict": edit.conflict if edit else None,
        },
    )


class _Refused(Exception):
    """A save the service refused; its message is already on the form."""


@require_POST
@requires("reporting.edit")
def reference_figure_remove(request, pk):
    """Withdraw a reference figure (archived with its reason, never deleted)."""
    ref = ReferenceFigure.objects.filter(pk=pk).first()
    if ref is None:
        raise Http404
    form = RemoveForm(request.POST)
    if form.is_valid():
        services.reference_figure_remove(
            ref=ref, by=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("Chiffre de référence retiré."))
        return redirect("reporting:reference-figures")
    return render(
        request,
        "reporting/reference_figures.html",
        {
            "form": ReferenceFigureForm(initial=_ref_initial(ref)),
            "ref": ref,
            "remove_form": form,
            "refs": ReferenceFigure.objects.all()[:500],
            "seen": fingerprint(ref),
        },
    )


@never_cache
@requires("reporting.edit")
def checks_page(request, year):
    year = _year(year)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.check_accept(year=year, by=request.user, **form.cleaned_data)
        messages.success(request, _("Contrôle accepté."))
        return redirect("reporting:checks", year=year)
    values = figures.all_figures(year)
    previous, _source = figures.previous_values(year)
    accepted = {a.code: a for a in CheckAcceptance.objects.filter(year=year)}
    found = checks.run(year, values, previous)
    for finding in found:  # no link to a page the reader may not open: the label alone
        finding.links = [
            (label, url if drill.may_open(request.user, url) else None)
            for label, url in finding.links
        ]
    findings = [
        (f, accepted.get(f.code), f.listing.rows(f.records, 50) if f.records is not None else [])
        for f in found
    ]
    return render(
        request,
        "reporting/checks.html",
        {"year": year, "findings": findings, "labels": descriptions.labels(values)},
    )


@never_cache
@requires("reporting.edit")
def narrative(request, year, pk=None):
    year = _year(year)
    block = NarrativeBlock.objects.filter(year=year, pk=pk).first() if pk else None
    if pk and block is None:
        raise Http404
    form = NarrativeForm(request.POST or None, instance=block, initial={"year": year})

    def save():
        services.narrative_save(
            data={**form.cleaned_data, "year": year}, by=request.user, block=block
        )

    edit = None
    if block is not None:  # an existing text: the second of two concurrent saves is refused
        edit = save_unless_changed(request, block, form.is_valid(), save)
        saved = edit.saved
    elif request.method == "POST" and form.is_valid():
        save()
        saved = True
    else:
        saved = False
    if saved:
        messages.success(request, _("Texte enregistré."))
        return redirect("reporting:narrative", year=year)
    return render(
        request,
        "reporting/narrative.html",
        {
            "year": year,
            "form": form,
            "block": block,
            "blocks": NarrativeBlock.objects.filter(year=year),
            "seen": edit.seen if edit else None,
            "conflict": edit.conflict if edit else None,
        },
    )


@require_POST
@requires("reporting.edit")
def narrative_preview(request):
    return HttpResponse(render_markdown(request.POST.get("body", "")))


@never_cache
@requires("reporting.view")
def pdf_page(request, year):
    year = _year(year)
    renders = ReportRender.objects.filter(year=year, publication__isnull=True)[:5]
    context = {"year": year, "renders": renders, "latest": renders[0] if renders else None}
    if request.headers.get("HX-Request"):
        return render(request, "reporting/pdf.html#status", context)
    return render(request, "reporting/pdf.html", context)


@require_POST
@requires("reporting.edit")
def pdf_start(request, year):
    services.report_render_start(year=_year(year), by=request.user)
    messages.info(request, _("Génération du PDF lancée."))
    return redirect("reporting:pdf", year=year)


def _file_response(request, file_field, filename: str, target: str):
    if not file_field:
        raise Http404
    AccessLogEntry.objects.record(
        user=request.user, action=AccessLogEntry.Action.PRINT, target=target
    )
    return FileResponse(
        file_field.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )


@requires("reporting.view")
def pdf_download(request, pk):
    render_ = ReportRender.objects.filter(pk=pk, status=ReportRender.Status.DONE).first()
    if render_ is None:
        raise Http404
    return _file_response(
        request, render_.file, f"rapport-activite-{render_.year}.pdf", f"report:{render_.year}"
    )


@requires("reporting.view")
def publication_download(request, pk):
    publication = Publication.objects.filter(pk=pk).first()
    if publication is None:
        raise Http404
    return _file_response(
        request,
        publication.pdf,
        f"rapport-activite-{publication.year}-v{publication.version}.pdf",
        f"publication:{publication.pk}",
    )


@never_cache
@requires("reporting.publish")
def publish(request, year):
    year = _year(year)
    form = PublishForm(request.POST or None)
    findings = services.open_findings(year)
    if request.method == "POST" and form.is_valid():
        try:
            publication = services.publish(
                year=year, reason=form.cleaned_data["reason"], by=request.user
            )
        except services.PublishError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Rapport %(year)s publié (version %(v)s).")
                % {"year": year, "v": publication.version},
            )
            return redirect(f"{reverse('reporting:figures')}?year={year}")
    return render(
        request,
        "reporting/publish.html",
        {
            "year": year,
            "form": form,
            "findings": findings,
            "publications": Publication.objects.filter(year=year),
        },
    )

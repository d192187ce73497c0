"""Pages of the minors' follow-up, training and prevention: minors' team and director only."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contacts import access as contacts_access
from entractes.concurrency import save_unless_changed
from entractes.permissions import requires
from minors import access, services
from minors.forms import (
    ENDABLE,
    SUBFORMS,
    TRAINING_FORMS,
    EndForm,
    LinkReportForm,
    MinorFileForm,
    ReceivedReportForm,
)
from minors.models import AwarenessSession, SchoolSession, TrainingCycle


@never_cache
@requires("minors.read_file")
def home(request):
    files = access.files_for_user(request.user).open().order_by("person__nickname_key")
    access.log_list_read(request.user, "files")
    return render(
        request,
        "minors/home.html",
        {
            "files": files,
            "alerts": access.alerts_for_user(request.user),
            "today": timezone.localdate(),
        },
    )


@never_cache
@requires("minors.read_file")
def file_create(request):
    form = MinorFileForm(
        request.POST or None,
        initial={
            "person": request.GET.get("person", ""),
            "worker": request.user,
            "opened_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        minor_file = services.file_save(data=dict(form.cleaned_data), by=request.user)
        messages.success(request, _("Dossier ouvert."))
        return redirect("minors:file-detail", pk=minor_file.pk)
    return render(request, "minors/file_form.html", {"form": form, "creating": True})


@never_cache
@requires("minors.read_file")
def file_edit(request, pk):
    minor_file = access.get_file_for_user(request.user, pk)
    form = MinorFileForm(request.POST or None, instance=minor_file)
    edit = save_unless_changed(
        request,
        minor_file,
        form.is_valid(),
        lambda: services.file_save(
            data=dict(form.cleaned_data), by=request.user, minor_file=minor_file
        ),
    )
    if edit.saved:
        messages.success(request, _("Dossier mis à jour."))
        return redirect("minors:file-detail", pk=minor_file.pk)
    return render(
        request,
        "minors/file_form.html",
        {"form": form, "file": minor_file, "seen": edit.seen, "conflict": edit.conflict},
    )


@never_cache
@requires("minors.read_file")
def file_detail(request, pk):
    minor_file = access.get_file_for_user(request.user, pk)
    context = {
        "file": minor_file,
        "category": minor_file.person.get_age_category_display(),
        "subforms": [
            (slug, title, form_class(prefix=slug)) for slug, (form_class, title) in SUBFORMS.items()
        ],
        "measures": minor_file.educationalmeasures.all(),
        "runaways": minor_file.runaways.all(),
        "uses": minor_file.productuses.select_related("product"),
        "partners": minor_file.partners.select_related("partner"),
        "exchanges": minor_file.exchanges.select_related("partner"),
        "reports": minor_file.safeguarding_reports.all(),
        "end_form": EndForm(initial={"end": timezone.localdate()}),
    }
    return render(request, "minors/file_detail.html", context)


@require_POST
@requires("minors.read_file")
def file_add(request, pk, kind):
    minor_file = access.get_file_for_user(request.user, pk)
    if kind not in SUBFORMS:
        raise Http404
    form_class, title = SUBFORMS[kind]
    form = form_class(request.POST, prefix=kind)
    if form.is_valid():
        services.record_add(
            instance=form.save(commit=False), minor_file=minor_file, by=request.user
        )
        messages.success(request, _("%(what)s ajouté·e.") % {"what": title})
        return redirect("minors:file-detail", pk=minor_file.pk)
    return render(
        request,
        "minors/record_form.html",
        {"file": minor_file, "form": form, "title": title, "kind": kind},
    )


@require_POST
@requires("minors.read_file")
def period_end(request, pk, kind, record):
    minor_file = access.get_file_for_user(request.user, pk)
    if kind not in ENDABLE:
        raise Http404
    period = ENDABLE[kind].objects.filter(file=minor_file, pk=record).first()
    form = EndForm(request.POST)
    if period is None:
        raise Http404
    if not form.is_valid():
        messages.error(request, _("Indiquez une date de fin."))
    else:
        try:
            services.period_end(period=period, end=form.cleaned_data["end"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Fin enregistrée."))
    return redirect("minors:file-detail", pk=minor_file.pk)


@never_cache
@requires("minors.read_file")
def report_list(request):
    form = ReceivedReportForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.report_save(data=dict(form.cleaned_data), by=request.user)
        messages.success(request, _("Signalement reçu enregistré."))
        return redirect("minors:report-list")
    access.log_list_read(request.user, "reports")
    return render(
        request,
        "minors/report_list.html",
        {
            "form": form,
            "reports": access.reports_for_user(request.user)[:200],
            "link_form": LinkReportForm(),
        },
    )


@require_POST
@requires("minors.read_file")
def report_link(request, pk):
    report = access.get_report_for_user(request.user, pk)
    form = LinkReportForm(request.POST)
    if form.is_valid():
        try:
            services.report_link(report=report, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Signalement rattaché à la personne rencontrée."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("minors:report-list")


@never_cache
@requires("minors.read_file")
def training(request):
    access.log_list_read(request.user, "training")
    return render(
        request,
        "minors/training.html",
        {
            "cycles": TrainingCycle.objects.all()[:100],
            "awareness": AwarenessSession.objects.all()[:100],
            "schools": SchoolSession.objects.all()[:100],
            "forms": [(slug, title) for slug, (_form, title) in TRAINING_FORMS.items()],
        },
    )


@never_cache
@requires("minors.read_file")
def training_add(request, kind):
    if kind not in TRAINING_FORMS:
        raise Http404
    form_class, title = TRAINING_FORMS[kind]
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.training_save(instance=form.save(commit=False), by=request.user)
        messages.success(request, _("%(what)s enregistré·e.") % {"what": title})
        return redirect("minors:training")
    return render(request, "minors/training_form.html", {"form": form, "title": title})


@never_cache
@requires("persons.view")
def person_panel(request, code):
    person = contacts_access.get_person_for_user(request.user, code)
    files = access.person_files_for_user(request.user, person)
    return render(request, "minors/person_panel.html", {"person": person, "files": files})

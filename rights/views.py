"""Pages of access to rights: procedures and PSP files (educators and the director)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contacts import access as contacts_access
from contacts.models import in_active_file_q
from entractes.concurrency import save_unless_changed
from entractes.models import User
from entractes.permissions import requires
from rights import access, services
from rights.forms import (
    ProcedureFilterForm,
    ProcedureForm,
    PSPCreateForm,
    PSPFileForm,
    StatusForm,
    StepForm,
    TransitionForm,
)
from rights.models import Procedure, ProcedureTheme, PSPFile


@never_cache
@requires("rights.use")
def procedure_list(request):
    """The worker's open procedures, past due or untouched for 30 days first, those of
    persons out of the active file last and never flagged; the team's with filters."""
    today = timezone.localdate()
    stale = timezone.now() - datetime.timedelta(days=30)
    procedures = access.procedures_for_user(request.user)
    filters = ProcedureFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    team = request.GET.get("team") == "1"
    if not team:
        procedures = procedures.filter(worker=request.user, status=Procedure.Status.IN_PROGRESS)
    elif data:
        for name in ("theme", "status", "worker"):
            if data.get(name):
                key = f"{name}__slug" if name == "theme" else name
                procedures = procedures.filter(**{key: data[name]})
    else:
        procedures = procedures.none()
    followed = in_active_file_q("person")
    procedures = procedures.annotate(
        out_of_file=Case(When(followed, then=Value(0)), default=Value(1)),
        urgent=Case(
            When(
                followed & (Q(next_action_due__lt=today) | Q(updated_at__lt=stale)),
                then=Value(0),
            ),
            default=Value(1),
            output_field=IntegerField(),
        ),
    ).order_by("out_of_file", "urgent", "next_action_due", "-opened_on")
    access.log_list_read(request.user, "procedures")
    return render(
        request,
        "rights/procedure_list.html",
        {
            "procedures": procedures[:300],
            "team": team,
            "filters": filters,
            "themes": ProcedureTheme.objects.filter(active=True),
            "statuses": Procedure.Status.choices,
            "workers": User.objects.filter(is_active=True, procedures__isnull=False).distinct(),
            "stale": stale,
            "today": today,
        },
    )


@never_cache
@requires("rights.use")
def procedure_create(request):
    form = ProcedureForm(
        request.POST or None,
        initial={
            "person": request.GET.get("person", ""),
            "worker": request.user,
            "opened_on": timezone.localdate(),
        },
    )
    if request.method == "POST" and form.is_valid():
        procedure = services.procedure_save(data=dict(form.cleaned_data), by=request.user)
        messages.success(request, _("Démarche ouverte."))
        return redirect("rights:procedure-detail", pk=procedure.pk)
    return render(request, "rights/procedure_form.html", {"form": form, "creating": True})


@never_cache
@requires("rights.use")
def procedure_detail(request, pk):
    procedure = access.get_procedure_for_user(request.user, pk)
    step_form = StepForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and step_form.is_valid():
        services.procedure_add_step(procedure=procedure, by=request.user, **step_form.cleaned_data)
        messages.success(request, _("Étape ajoutée."))
        return redirect("rights:procedure-detail", pk=procedure.pk)
    allowed = Procedure.TRANSITIONS[procedure.status]
    status_form = StatusForm(initial={"on": timezone.localdate()})
    status_form.fields["status"].choices = [c for c in Procedure.Status.choices if c[0] in allowed]
    return render(
        request,
        "rights/procedure_detail.html",
        {
            "procedure": procedure,
            "step_form": step_form,
            "status_form": status_form,
            "steps": procedure.steps.select_related("author"),
        },
    )


@never_cache
@requires("rights.use")
def procedure_edit(request, pk):
    procedure = access.get_procedure_for_user(request.user, pk)
    form = ProcedureForm(request.POST or None, instance=procedure)
    edit = save_unless_changed(
        request,
        procedure,
        form.is_valid(),
        lambda: services.procedure_save(
            data=dict(form.cleaned_data), by=request.user, procedure=procedure
        ),
    )
    if edit.saved:
        messages.success(request, _("Démarche mise à jour."))
        return redirect("rights:procedure-detail", pk=procedure.pk)
    return render(
        request,
        "rights/procedure_form.html",
        {"form": form, "procedure": procedure, "seen": edit.seen, "conflict": edit.conflict},
    )


@require_POST
@requires("rights.use")
def procedure_status(request, pk):
    procedure = access.get_procedure_for_user(request.user, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choisissez un état et une date."))
    else:
        try:
            services.procedure_set_status(procedure=procedure, by=request.user, **form.cleaned_data)
        except services.RightsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("État mis à jour."))
    return redirect("rights:procedure-detail", pk=procedure.pk)


# Past commissions shown when none is coming.
PAST_COMMISSIONS = 10


@never_cache
@requires("rights.use")
def psp_list(request):
    """PSP files: the next commissions with their files (when none is coming, the last
    ones held), and paths ending within two months."""
    today = timezone.localdate()
    files = access.psp_files_for_user(request.user)
    access.log_list_read(request.user, "psp")
    upcoming = list(
        files.filter(state=PSPFile.State.FILED, commission_date__gte=today).order_by(
            "commission_date"
        )
    )
    past = []
    if not upcoming:
        past = list(
            files.filter(commission_date__lt=today).order_by("-commission_date", "-pk")[
                :PAST_COMMISSIONS
            ]
        )
    return render(
        request,
        "rights/psp_list.html",
        {
            "upcoming": upcoming,
            "past": past,
            "ending": files.filter(
                state=PSPFile.State.PATH, path_end__lte=today + datetime.timedelta(days=61)
            ).order_by("path_end"),
            "files": files.exclude(state=PSPFile.State.CLOSED)[:200],
            "form": PSPCreateForm(),
            "today": today,
        },
    )


@require_POST
@requires("rights.use")
def psp_create(request):
    form = PSPCreateForm(request.POST)
    if form.is_valid():
        try:
            psp_file = services.psp_file_create(person=form.cleaned_data["person"], by=request.user)
        except services.RightsError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Dossier « %(kind)s » ouvert.") % {"kind": psp_file.get_kind_display()}
            )
            return redirect("rights:psp-detail", pk=psp_file.pk)
    else:
        messages.error(request, " ".join(form.errors.get("person", [])))
    return redirect("rights:psp-list")


@never_cache
@requires("rights.use")
def psp_detail(request, pk):
    psp_file = access.get_psp_file_for_user(request.user, pk)
    form = PSPFileForm(request.POST or None, instance=psp_file)
    edit = save_unless_changed(
        request,
        psp_file,
        form.is_valid(),
        lambda: services.psp_file_update(psp_file=psp_file, data=dict(form.cleaned_data)),
    )
    if edit.saved:
        messages.success(request, _("Dossier mis à jour."))
        return redirect("rights:psp-detail", pk=psp_file.pk)
    steps = [
        (state, PSPFile.State(state).label, TransitionForm(initial={"to": state}))
        for state in PSPFile.TRANSITIONS[psp_file.state]
    ]
    return render(
        request,
        "rights/psp_detail.html",
        {
            "file": psp_file,
            "form": form,
            "steps": steps,
            "seen": edit.seen,
            "conflict": edit.conflict,
        },
    )


@require_POST
@requires("rights.use")
def psp_transition(request, pk):
    psp_file = access.get_psp_file_for_user(request.user, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vérifiez les dates saisies."))
        return redirect("rights:psp-detail", pk=psp_file.pk)
    data = {k: v for k, v in form.cleaned_data.items() if k != "to" and v not in (None, "")}
    try:
        psp_file = services.psp_file_transition(
            psp_file=psp_file, to=form.cleaned_data["to"], data=data, by=request.user
        )
    except services.RightsError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("Dossier : %(state)s.") % {"state": psp_file.get_state_display()}
        )
    return redirect("rights:psp-detail", pk=psp_file.pk)


@never_cache
@requires("persons.view")
def person_panel(request, code):
    person = contacts_access.get_person_for_user(request.user, code)
    rights = access.person_rights_for_user(request.user, person)
    return render(request, "rights/person_panel.html", {"person": person, "rights": rights})

"""Pages of the health unit. Every page needs ``health.use``; objects come from
``health/access.py``, which limits partner practitioners to their own line.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from contacts import access as contacts_access
from contacts.models import in_active_file_q
from entractes.concurrency import save_unless_changed
from entractes.permissions import requires
from health import access, services
from health.forms import (
    ActFormSet,
    ConsultationForm,
    HealthSessionForm,
    ParticipantFormSet,
    SessionParamForm,
    WorkshopForm,
)
from health.models import Consultation, HealthSession, Modality


@never_cache
@requires("health.use")
def home(request):
    """The nurse's day: today's sessions and consultations, the week's remote ones,
    and the follow-ups due (of persons in the active file)."""
    today = timezone.localdate()
    consultations = access.consultations_for_user(request.user)
    later = Consultation.objects.filter(person=OuterRef("person"), at__gt=OuterRef("at"))
    context = {
        "today": today,
        "sessions": access.sessions_for_user(request.user).filter(date=today),
        "consultations": consultations.filter(day=today),
        "remote": consultations.filter(
            day__gte=today - datetime.timedelta(days=today.weekday()),
            modality__in=[Modality.REMOTE, Modality.ONLINE_OUTREACH],
        ),
        "due": consultations.filter(in_active_file_q("person"), next_appointment__lte=today)
        .annotate(seen_since=Exists(later))
        .filter(seen_since=False)
        .order_by("next_appointment")[:50],
    }
    access.log_list_read(request.user, "home")
    return render(request, "health/home.html", context)


def _consultation_form(request, instance=None, initial=None):
    return ConsultationForm(
        request.POST or None,
        instance=instance,
        initial=initial or {},
        lines=access.lines_for_user(request.user),
        sessions=access.sessions_for_user(request.user).filter(
            date__gte=timezone.localdate() - datetime.timedelta(days=60)
        ),
    )


def _acts_initial(consultation):
    return [{"act": a.act, "detail": a.detail, "result": a.result} for a in consultation.acts.all()]


@never_cache
@requires("health.use")
def consultation_create(request):
    initial = {"person": request.GET.get("person", "")}
    param = SessionParamForm(request.GET)
    if not param.is_valid():
        raise Http404
    if param.cleaned_data["session"]:
        session = access.get_session_for_user(request.user, param.cleaned_data["session"])
        initial.update(session=session, line=session.line)
    form = _consultation_form(request, initial=initial)
    acts = ActFormSet(request.POST or None, prefix="acts")
    if request.method == "POST" and form.is_valid() and acts.is_valid():
        consultation = services.consultation_save(
            data=form.consultation_data(), acts=acts.acts(), by=request.user
        )
        messages.success(request, _("Consultation enregistrée."))
        return redirect("health:consultation-detail", pk=consultation.pk)
    return render(
        request, "health/consultation_form.html", {"form": form, "acts": acts, "creating": True}
    )


@never_cache
@requires("health.use")
def consultation_detail(request, pk):
    consultation = access.get_consultation_for_user(request.user, pk)
    return render(request, "health/consultation_detail.html", {"consultation": consultation})


@never_cache
@requires("health.use")
def consultation_edit(request, pk):
    consultation = access.get_consultation_for_user(request.user, pk)
    form = _consultation_form(request, instance=consultation)
    acts = ActFormSet(request.POST or None, prefix="acts", initial=_acts_initial(consultation))
    edit = save_unless_changed(
        request,
        consultation,
        form.is_valid() and acts.is_valid(),
        lambda: services.consultation_save(
            data=form.consultation_data(),
            acts=acts.acts(),
            by=request.user,
            consultation=consultation,
        ),
    )
    if edit.saved:
        messages.success(request, _("Consultation corrigée."))
        return redirect("health:consultation-detail", pk=consultation.pk)
    return render(
        request,
        "health/consultation_form.html",
        {
            "form": form,
            "acts": acts,
            "consultation": consultation,
            "seen": edit.seen,
            "conflict": edit.conflict,
        },
    )


@never_cache
@requires("health.use")
def session_list(request):
    sessions = access.sessions_for_user(request.user)[:200]
    access.log_list_read(request.user, "sessions")
    return render(request, "health/session_list.html", {"sessions": sessions})


@never_cache
@requires("health.use")
def session_create(request):
    form = HealthSessionForm(
        request.POST or None,
        lines=access.lines_for_user(request.user),
        initial={"date": timezone.localdate(), "practitioner": request.user},
    )
    if request.method == "POST" and form.is_valid():
        session = services.health_session_save(data=dict(form.cleaned_data), by=request.user)
        messages.success(request, _("Permanence enregistrée."))
        if session.kind == HealthSession.Kind.WORKSHOP:
            return redirect("health:session-participants", pk=session.pk)
        return redirect("health:session-detail", pk=session.pk)
    return render(request, "health/session_form.html", {"form": form})


@never_cache
@requires("health.use")
def session_detail(request, pk):
    session = access.get_session_for_user(request.user, pk)
    consultations = access.consultations_for_user(request.user).filter(session=session)
    access.log_list_read(request.user, f"session:{session.pk}")
    return render(
        request,
        "health/session_detail.html",
        {
            "session": session,
            "consultations": consultations,
            "participants": session.participants.order_by("nickname_key", "code"),
        },
    )


@never_cache
@requires("health.use")
def session_participants(request, pk):
    """Who took part in a group session, typed one a row by code or nickname."""
    session = access.get_session_for_user(request.user, pk)
    access.log_list_read(request.user, f"session:{session.pk}:participants")
    initial = [{"person": p.code} for p in session.participants.order_by("nickname_key", "code")]
    formset = ParticipantFormSet(request.POST or None, initial=initial, session=session)
    if request.method == "POST" and formset.is_valid():
        services.health_session_participants_set(session=session, persons=formset.persons())
        messages.success(request, _("Participant·es enregistré·es."))
        return redirect("health:session-detail", pk=session.pk)
    return render(
        request, "health/session_participants.html", {"session": session, "formset": formset}
    )


@never_cache
@requires("health.use")
def workshop_list(request):
    access.log_list_read(request.user, "workshops")
    return render(
        request,
        "health/workshop_list.html",
        {"workshops": access.workshops_for_user(request.user)[:100]},
    )


@never_cache
@requires("health.use")
def workshop_create(request):
    form = WorkshopForm(request.POST or None, initial={"date": timezone.localdate()})
    form.fields["line"].queryset = access.lines_for_user(request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["participants"] = data.pop("participant_codes")
        services.workshop_save(data=data, by=request.user)
        messages.success(request, _("Atelier enregistré."))
        return redirect("health:workshop-list")
    return render(request, "health/workshop_form.html", {"form": form})


@never_cache
@requires("persons.view")
def person_panel(request, code):
    """The health panel of a person's page: care for health staff, a summary for others."""
    person = contacts_access.get_person_for_user(request.user, code)
    consultations = access.person_consultations_for_user(request.user, person)
    groups = access.person_group_sessions_for_user(request.user, person)
    return render(
        request,
        "health/person_panel.html",
        {
            "person": person,
            "consultations": consultations[:30] if consultations is not None else None,
            "group_sessions": groups[:30] if groups is not None else None,
            "summary": access.person_health_summary(person),
        },
    )

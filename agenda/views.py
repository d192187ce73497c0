"""My day, the team's agenda and week, the actions and the handover between shifts."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from agenda import compose
from agenda.forms import ActionForm, HandoverNoteForm, WeekForm
from contacts import access as contacts_access
from contacts import services
from contacts.models import Action, shift_after, shift_before
from entractes.concurrency import save_unless_changed
from entractes.permissions import requires

# How far "this week" looks ahead from today on my day and the team's agenda.
AHEAD = datetime.timedelta(days=7)
# Late items shown at once on my day (the urgent first); the others one tap away.
OVERDUE_SHOWN = 10


def _back(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@never_cache
@requires("actions.use")
def my_day(request):
    """What is due today and overdue, then the week ahead; the handover to read first."""
    today = timezone.localdate()
    team = request.GET.get("vue") == "equipe"
    by_person = team and request.GET.get("par") == "personne"
    items = compose.agenda(request.user, since=None, until=today + AHEAD, mine=not team)
    overdue = [item for item in items if item.overdue]
    handover = (
        compose.handover_to_read(request.user)
        if request.user.has_capability("handover.use")
        else []
    )
    return render(
        request,
        "agenda/my_day.html",
        {
            "today": today,
            "team": team,
            "overdue": overdue,
            "overdue_first": overdue[:OVERDUE_SHOWN],
            "overdue_more": overdue[OVERDUE_SHOWN:],
            "due_today": [item for item in items if not item.overdue and item.day == today],
            "ahead": [item for item in items if item.day > today],
            "by_person": by_person,
            "groups": (compose.by_person(items) if by_person else compose.by_holder(items))
            if team
            else [],
            "handover": handover,
            "next": request.get_full_path(),
        },
    )


@never_cache
@requires("actions.use")
def week(request):
    """The week's calendar: each day's actions and deadlines, Monday to Sunday."""
    today = timezone.localdate()
    form = WeekForm(request.GET or None)
    start = today
    if form.is_valid() and form.cleaned_data["du"]:
        start = form.cleaned_data["du"]
    days = compose.week_of(start)
    mine = request.GET.get("vue") != "equipe"
    items = compose.agenda(request.user, since=days[0], until=days[-1], mine=mine)
    columns = [(day, [item for item in items if item.day == day]) for day in days]
    return render(
        request,
        "agenda/week.html",
        {
            "form": form,
            "today": today,
            "columns": columns,
            "mine": mine,
            "previous": days[0] - datetime.timedelta(days=7),
            "following": days[0] + datetime.timedelta(days=7),
            "next": request.get_full_path(),
        },
    )


def _action_form(request, *, instance=None, initial=None) -> ActionForm:
    return ActionForm(
        request.POST or None,
        instance=instance,
        initial=initial,
        user=request.user,
        domains=contacts_access.action_domains_for_user(request.user),
    )


@never_cache
@requires("actions.use")
def action_create(request):
    domains = contacts_access.action_domains_for_user(request.user)
    domain = request.GET.get("domaine", "")
    initial = {
        "person": request.GET.get("personne", ""),
        "due_on": timezone.localdate(),
        "domain": domain if domain in domains else (domains[0] if domains else ""),
        "assignee": request.user,
    }
    form = _action_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        action = services.action_save(data=dict(form.cleaned_data), by=request.user)
        messages.success(request, _("Action enregistrée."))
        if action.person is not None and not request.POST.get("next"):
            return redirect("contacts:person-detail", code=action.person.code)
        return redirect(_back(request, "agenda:my-day"))
    return render(
        request,
        "agenda/action_form.html",
        {"form": form, "creating": True, "next": _back(request, "")},
    )


@never_cache
@requires("actions.use")
def action_edit(request, pk):
    action = contacts_access.get_action_for_user(request.user, pk)
    form = _action_form(request, instance=action)
    edit = save_unless_changed(
        request,
        action,
        form.is_valid(),
        lambda: services.action_save(data=dict(form.cleaned_data), by=request.user, action=action),
    )
    if edit.saved:
        messages.success(request, _("Action mise à jour."))
        return redirect(_back(request, "agenda:my-day"))
    return render(
        request,
        "agenda/action_form.html",
        {
            "form": form,
            "action": action,
            "seen": edit.seen,
            "conflict": edit.conflict,
            "next": _back(request, ""),
        },
    )


@require_POST
@requires("actions.use")
def action_status(request, pk):
    """Mark an action done (one tap from the list), cancelled, or to do again."""
    action = contacts_access.get_action_for_user(request.user, pk)
    status = request.POST.get("status", "")
    if status not in Action.Status.values:
        messages.error(request, _("État de l'action : choisissez faite, annulée ou à faire."))
        return redirect(_back(request, "agenda:my-day"))
    services.action_set_status(action=action, status=status, by=request.user)
    messages.success(
        request,
        _("« %(title)s » : %(status)s.")
        % {"title": action.title, "status": action.get_status_display().lower()},
    )
    return redirect(_back(request, "agenda:my-day"))


@never_cache
@requires("persons.view")
def person_panel(request, code):
    """The person's open actions the reader may read, on the person's page."""
    person = contacts_access.get_person_for_user(request.user, code)
    allowed = request.user.has_capability("actions.use")
    actions = (
        contacts_access.actions_for_user(request.user)
        .filter(person=person)
        .order_by("status", "due_on", "pk")[:30]
        if allowed
        else []
    )
    return render(
        request,
        "agenda/person_panel.html",
        {"person": person, "allowed": allowed, "actions": actions, "today": timezone.localdate()},
    )


@never_cache
@requires("handover.use")
def handover(request):
    """A day's handover, shift by shift: the notes written and the rounds' reports; and
    the form to write one for the current shift."""
    form = WeekForm(request.GET or None)
    current_day, current_shift = compose.shift_now()
    day = current_day
    if form.is_valid() and form.cleaned_data["jour"]:
        day = form.cleaned_data["jour"]
    shifts = [(day, shift) for shift in ("day", "evening", "night")]
    before, after = shift_before(*shifts[0]), shift_after(*shifts[-1])
    note_form = HandoverNoteForm(initial={"date": current_day, "shift": current_shift})
    return render(
        request,
        "agenda/handover.html",
        {
            "form": form,
            "day": day,
            "logs": compose.shift_logs(request.user, shifts),
            "current": (current_day, current_shift),
            "previous_day": before[0],
            "next_day": after[0],
            "today": timezone.localdate(),
            "note_form": note_form,
        },
    )


@never_cache
@requires("handover.use")
def handover_create(request):
    current_day, current_shift = compose.shift_now()
    form = HandoverNoteForm(
        request.POST or None, initial={"date": current_day, "shift": current_shift}
    )
    if request.method == "POST" and form.is_valid():
        note = services.handover_note_save(data=dict(form.cleaned_data), by=request.user)
        messages.success(request, _("Transmission enregistrée."))
        return redirect(f"{reverse('agenda:handover')}?jour={note.date.isoformat()}")
    return render(request, "agenda/handover_form.html", {"form": form, "creating": True})


@never_cache
@requires("handover.use")
def handover_edit(request, pk):
    note = contacts_access.get_handover_note_for_user(request.user, pk)
    form = HandoverNoteForm(request.POST or None, instance=note)
    edit = save_unless_changed(
        request,
        note,
        form.is_valid(),
        lambda: services.handover_note_save(
            data=dict(form.cleaned_data), by=request.user, note=note
        ),
    )
    if edit.saved:
        messages.success(request, _("Transmission mise à jour."))
        return redirect(f"{reverse('agenda:handover')}?jour={note.date.isoformat()}")
    return render(
        request,
        "agenda/handover_form.html",
        {"form": form, "note": note, "seen": edit.seen, "conflict": edit.conflict},
    )

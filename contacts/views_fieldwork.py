"""Pages of the field work: sessions and round sheets, single contacts, online work,
social mediation.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Prefetch, Q, Sum
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from contacts import access, services
from contacts.forms import (
    ContactRowForm,
    ContactRowFormSet,
    FollowerSnapshotForm,
    MediationEventForm,
    OnlineRoundSiteFormSet,
    SessionFilterForm,
    SessionForm,
    SessionMaterialFormSet,
    SessionServiceFormSet,
    reference_choices,
)
from contacts.models import (
    AgeCategory,
    Channel,
    Contact,
    ContactMaterial,
    FollowerSnapshot,
    Gender,
    LeaveReason,
    Material,
    MediationEvent,
    OpeningSlot,
    Person,
    Service,
    SessionKind,
    Theme,
    code_forms,
)
from entractes.concurrency import save_unless_changed
from entractes.permissions import requires


def _sheet_materials(kind: str) -> list[Material]:
    """The materials a session of that kind offers on every contact of its sheet (set by
    the administrator per material)."""
    return [m for m in Material.objects.filter(active=True) if m.usual_on(kind)]


def _row_kwargs(user, materials, refs=None, **kwargs):
    return {
        "materials": materials,
        "can_identify": user.has_capability("contacts.log"),
        "refs": refs or reference_choices(),
        **kwargs,
    }


# The session list opens on that many days, today included.
SESSION_LIST_DAYS = 60
SESSION_LIST_LIMIT = 200


def _days_ending(day: datetime.date, days: int = SESSION_LIST_DAYS) -> datetime.date:
    """The first of the ``days`` days ending on ``day``."""
    try:
        return day - datetime.timedelta(days=days - 1)
    except OverflowError:
        return datetime.date.min


@never_cache
@requires("contacts.log_anonymous")
def session_list(request):
    """The sessions of a period (from/to in the query string). Without one, the last 60
    days, or, when they hold no session, the 60 days ending on the last session."""
    today = timezone.localdate()
    filters = SessionFilterForm(request.GET)
    filters.is_valid()
    data = filters.cleaned_data
    kind = data.get("kind", "")
    sessions = access.sessions_for_user(request.user)
    if kind:
        sessions = sessions.filter(kind=kind)
    # A wrong date is shown with its message, and the list opens as without dates.
    start, end = (None, None) if filters.errors else (data.get("start"), data.get("end"))
    notice = ""
    if start or end:
        end = end or max(today, start)
        start = start or _days_ending(end)
    else:
        end = today
        start = _days_ending(end)
        if not sessions.filter(date__range=(start, end)).exists():
            last = (
                sessions.filter(date__lt=start)
                .order_by("-date")
                .values_list("date", flat=True)
                .first()
            )
            if last is not None:
                end, start = last, _days_ending(last)
                notice = _(
                    "Aucune session sur les %(days)s derniers jours : voici les %(days)s jours "
                    "jusqu'à la dernière session, le %(date)s."
                ) % {"days": SESSION_LIST_DAYS, "date": date_format(last, "SHORT_DATE_FORMAT")}
    if not filters.errors:
        # The fields show the period on the page, chosen or not.
        filters = SessionFilterForm(initial={"kind": kind, "start": start, "end": end})
    rows = list(
        sessions.filter(date__range=(start, end))
        .annotate(n_contacts=Count("contacts"))
        # Explicit: the model's ordering is not applied to a grouped query.
        .order_by("-date", "-start_time", "-pk")[: SESSION_LIST_LIMIT + 1]
    )
    return render(
        request,
        "contacts/session_list.html",
        {
            "sessions": rows[:SESSION_LIST_LIMIT],
            "truncated": len(rows) > SESSION_LIST_LIMIT,
            "limit": SESSION_LIST_LIMIT,
            "kinds": SessionKind.choices,
            "kind": kind,
            "filters": filters,
            "start": start,
            "end": end,
            "notice": notice,
            "today": today,
        },
    )


@never_cache
@requires("contacts.log_anonymous")
def session_create(request):
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            session = services.session_create(data=dict(form.cleaned_data), by=request.user)
            messages.success(request, _("Session ouverte : ajoutez les contacts."))
            return redirect("contacts:round-sheet", pk=session.pk)
    else:
        initial = {"date": timezone.localdate(), "staff": [request.user.pk]}
        fitting = OpeningSlot.objects.fitting(timezone.now())
        if fitting:
            slot, day = fitting
            initial.update(kind=slot.kind, date=day, start_time=slot.start, end_time=slot.end)
        form = SessionForm(initial=initial)
    return render(request, "contacts/session_form.html", {"form": form, "creating": True})


@never_cache
@requires("contacts.log_anonymous")
def session_edit(request, pk):
    session = access.get_session_for_user(request.user, pk)
    form = SessionForm(request.POST or None, instance=session)
    edit = save_unless_changed(
        request,
        session,
        form.is_valid(),
        lambda: services.session_update(session=session, data=dict(form.cleaned_data)),
    )
    if edit.saved:
        messages.success(request, _("Session mise à jour."))
        return redirect("contacts:session-detail", pk=session.pk)
    return render(
        request,
        "contacts/session_form.html",
        {"form": form, "session": session, "seen": edit.seen, "conflict": edit.conflict},
    )


@never_cache
@requires("contacts.log_anonymous")
def session_detail(request, pk):
    session = access.get_session_for_user(request.user, pk)
    contacts = session.contacts.select_related("person", "channel").prefetch_related(
        Prefetch("material_lines", queryset=ContactMaterial.objects.select_related("material"))
    )
    totals = (
        ContactMaterial.objects.filter(contact__session=session, contact__archived_at=None)
        .values("material")
        .annotate(total=Sum("quantity"))
    )
    kinds = Material.objects.in_bulk([row["material"] for row in totals])
    material = sorted(
        ((kinds[row["material"]], row["total"]) for row in totals),
        key=lambda pair: (pair[0].position, pair[0].name),
    )
    return render(
        request,
        "contacts/session_detail.html",
        {
            "session": session,
            "contacts": contacts,
            "material": material,
            "session_material": session.material_lines.select_related("material", "partner"),
            "session_services": session.service_lines.select_related("service"),
            "sites": session.site_lines.select_related("site"),
        },
    )


@never_cache
@requires("contacts.log_anonymous")
def round_sheet(request, pk):
    """One screen to log a whole session; all rows are saved together or not at all."""
    session = access.get_session_for_user(request.user, pk)
    materials = _sheet_materials(session.kind)
    kwargs = _row_kwargs(request.user, materials, session=session)
    channel = Channel.objects.filter(slug=session.default_channel_slug).first()
    initial_row = {"channel": channel, "caarud": False}
    # Every row starts from the session's defaults: a row left untouched is skipped.
    try:
        rows = min(int(request.POST.get("form-TOTAL_FORMS", 1)), ContactRowFormSet.absolute_max)
    except ValueError:
        rows = 1
    formset = ContactRowFormSet(
        request.POST or None, form_kwargs=kwargs, initial=[initial_row] * rows
    )
    if request.method == "POST" and formset.is_valid():
        rows = [
            form.cleaned_data
            for form in formset.forms
            if form.has_changed() and not formset._should_delete_form(form)
        ]
        saved = services.round_sheet_save(session=session, rows=rows, by=request.user)
        messages.success(
            request, _("%(n)d contact(s) enregistré(s) sur la session.") % {"n": len(saved)}
        )
        _say_out_of_file(request, [contact.person for contact in saved if contact.person])
        return redirect("contacts:session-detail", pk=session.pk)
    empty = ContactRowFormSet(form_kwargs=kwargs, initial=[initial_row]).empty_form
    empty.initial = initial_row
    return render(
        request,
        "contacts/round_sheet.html",
        {
            "session": session,
            "formset": formset,
            "empty_form": empty,
            "materials": materials,
            "sheet_config": _sheet_config(request, session, materials, channel),
        },
    )


def _items(queryset) -> list[dict]:
    return [
        {"slug": item.slug, "label": item.name, "plural": item.plural_name} for item in queryset
    ]


def _send_url(session, sheet_url: str) -> str:
    try:
        return reverse("contacts:round-sheet-send", kwargs={"pk": session.pk})
    except NoReverseMatch:  # the address the contract gives the sending endpoint
        return f"{sheet_url}envoi/"


def _sheet_config(request, session, materials, channel) -> dict:
    """What the round sheet's script needs, given to it as JSON (``json_script``).

    Only reference lists and the session's span: nothing restricted. The script keeps
    the sheet being typed on the phone under ``storage_key`` (one key per user and
    session), and forgets it after ``max_age`` seconds (the longest a login lasts).
    """
    sheet_url = reverse("contacts:round-sheet", kwargs={"pk": session.pk})
    usual = {material.slug for material in materials}
    return {
        "user": request.user.pk,
        "session": session.pk,
        "storage_key": f"entractes.sheet.{request.user.pk}.{session.pk}",
        "max_age": settings.SESSION_MAX_SECONDS,
        "sheet_url": sheet_url,
        "send_url": _send_url(session, sheet_url),
        "suggest_url": reverse("contacts:person-suggest"),
        "login_url": f"{reverse('login')}?next={sheet_url}",
        "logout_url": reverse("logout"),
        "sw_url": reverse("contacts:service-worker"),
        "detail_url": reverse("contacts:session-detail", kwargs={"pk": session.pk}),
        "services_url": reverse("contacts:session-services", kwargs={"pk": session.pk}),
        "title": str(session),
        "date": session.date.isoformat(),
        "start": session.start_time.strftime("%H:%M") if session.start_time else "",
        "end": session.end_time.strftime("%H:%M") if session.end_time else "",
        "can_identify": request.user.has_capability("contacts.log"),
        "materials": _items(materials),
        "other_materials": _items(
            m for m in Material.objects.filter(active=True) if m.slug not in usual
        ),
        "channels": _items(Channel.objects.filter(active=True)),
        "channel": channel.slug if channel else "",
        "services": _items(Service.objects.filter(active=True)),
        "themes": _items(Theme.objects.filter(active=True)),
        "genders": [{"slug": value, "label": str(label)} for value, label in Gender.choices],
        "ages": [{"slug": value, "label": str(label)} for value, label in AgeCategory.choices],
    }


def _session_lines(request, pk, formset_class, *, title, saved, intro=""):
    """A page of a session's own lines (material, services, sites), saved together and
    refused when someone else saved the session meanwhile (what was typed is kept)."""
    session = access.get_session_for_user(request.user, pk)
    formset = formset_class(request.POST or None, instance=session)
    edit = save_unless_changed(request, session, formset.is_valid(), formset.save)
    if edit.saved:
        messages.success(request, saved)
        return redirect("contacts:session-detail", pk=session.pk)
    return render(
        request,
        "contacts/session_lines.html",
        {
            "session": session,
            "formset": formset,
            "title": title,
            "intro": intro,
            "seen": edit.seen,
            "conflict": edit.conflict,
        },
    )


@never_cache
@requires("contacts.log_anonymous")
def session_material(request, pk):
    return _session_lines(
        request,
        pk,
        SessionMaterialFormSet,
        title=_("Matériel hors contact"),
        saved=_("Matériel hors contact enregistré."),
    )


@never_cache
@requires("contacts.log_anonymous")
def session_services(request, pk):
    """Services of the session given to no one in particular: coffees, meals, showers."""
    return _session_lines(
        request,
        pk,
        SessionServiceFormSet,
        title=_("Prestations sans personne"),
        saved=_("Prestations de la session enregistrées."),
        intro=_(
            "Ce qui a été donné pendant la session sans contact noté : cafés, repas, "
            "douches, colis..."
        ),
    )


@never_cache
@requires("online.log")
def session_sites(request, pk):
    return _session_lines(
        request,
        pk,
        OnlineRoundSiteFormSet,
        title=_("Sites d'annonces visités"),
        saved=_("Sites visités enregistrés."),
    )


def _all_materials():
    return list(Material.objects.filter(active=True))


@never_cache
@requires("contacts.log_anonymous")
def contact_create(request):
    """A single contact outside a sheet: a phone call, a conversation online, a parcel."""
    kwargs = _row_kwargs(request.user, _all_materials(), with_day=True)
    initial = {
        "channel": Channel.objects.filter(slug=request.GET.get("channel", "phone")).first(),
        "day": timezone.localdate(),
    }
    person_code = request.GET.get("person", "")
    if person_code and request.user.has_capability("contacts.log"):
        initial["person"] = person_code
    form = ContactRowForm(request.POST or None, initial=initial, **kwargs)
    if request.method == "POST" and form.is_valid():
        contact = services.contact_save(
            row=form.cleaned_data, by=request.user, occurred_at=form.cleaned_data["occurred_at"]
        )
        messages.success(request, _("Contact enregistré."))
        if contact.person:
            _say_out_of_file(request, [contact.person])
        if contact.person and request.user.has_capability("persons.view"):
            return redirect("contacts:person-detail", code=contact.person.code)
        return redirect("contacts:contact-create")
    return render(request, "contacts/contact_form.html", {"form": form})


def _say_out_of_file(request, persons: list[Person]) -> None:
    """A contact with a person out of the active file is saved as any other; whoever may
    bring them back is told so (their page offers it), nothing changes by itself."""
    codes = sorted({person.code for person in persons if person.left_file_on})
    if codes and request.user.has_capability("persons.edit"):
        messages.warning(
            request,
            _(
                "Hors file active : %(codes)s. Le contact est enregistré ; la fiche propose "
                "de réintégrer la personne."
            )
            % {"codes": ", ".join(codes)},
        )


@never_cache
@requires("contacts.log_anonymous")
def contact_edit(request, pk):
    contact = access.get_contact_for_user(request.user, pk)
    kwargs = _row_kwargs(
        request.user, _all_materials(), session=contact.session, with_day=not contact.session_id
    )
    lines = {
        line.material.slug: line.quantity
        for line in contact.material_lines.select_related("material")
    }
    initial = {
        "person": contact.person.code if contact.person else "",
        "anonymous_gender": contact.anonymous_gender,
        "anonymous_age_category": contact.anonymous_age_category,
        "channel": contact.channel,
        "caarud": contact.caarud,
        "day": timezone.localtime(contact.occurred_at).date(),
        "time": timezone.localtime(contact.occurred_at).time(),
        "themes": list(contact.themes.all()),
        "services": list(contact.services.all()),
        "referrals": list(contact.referrals.all()),
        "note": contact.note,
        **{f"qty_{slug}": quantity for slug, quantity in lines.items()},
    }
    form = ContactRowForm(request.POST or None, initial=initial, **kwargs)

    def save():
        services.contact_save(
            row=form.cleaned_data,
            by=request.user,
            contact=contact,
            occurred_at=form.cleaned_data["occurred_at"],
        )

    edit = save_unless_changed(request, contact, form.is_valid(), save)
    if edit.saved:
        messages.success(request, _("Contact corrigé."))
        if contact.session_id:
            return redirect("contacts:session-detail", pk=contact.session_id)
        return redirect("contacts:contact-create")
    return render(
        request,
        "contacts/contact_form.html",
        {
            "form": form,
            "contact": contact,
            "seen": edit.seen,
            "conflict": edit.conflict,
        },
    )


@never_cache
@requires("persons.view")
def person_suggest(request):
    """Options for the person autocomplete, by POST so no name travels in a URL."""
    text = request.POST.get("q") or next(
        (v for k, v in request.POST.items() if k.endswith("-person") or k == "person"), ""
    )
    text = text.replace("\x00", "")  # never valid in a search; PostgreSQL refuses it
    persons = []
    if len(text.strip()) >= 2:
        # A person who left the file deceased is offered only to whoever types their code.
        persons = (
            access.persons_for_user(request.user)
            .search(text)
            .filter(~Q(left_file_reason=LeaveReason.DECEASED) | Q(code__in=code_forms(text)))[:12]
        )
    return render(request, "contacts/person_options.html", {"persons": persons})


@never_cache
@requires("online.log")
def followers(request):
    form = FollowerSnapshotForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.follower_snapshot_record(**form.cleaned_data, by=request.user)
        messages.success(request, _("Relevé enregistré."))
        return redirect("contacts:followers")
    snapshots = FollowerSnapshot.objects.select_related("channel", "author")[:100]
    return render(request, "contacts/followers.html", {"form": form, "snapshots": snapshots})


@never_cache
@requires("mediation.log")
def mediation_list(request):
    events = MediationEvent.objects.select_related("zone").prefetch_related("themes")[:200]
    return render(request, "contacts/mediation_list.html", {"events": events})


@never_cache
@requires("mediation.log")
def mediation_create(request):
    form = MediationEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.mediation_save(data=dict(form.cleaned_data), by=request.user)
        messages.success(request, _("Médiation enregistrée."))
        return redirect("contacts:mediation-list")
    return render(request, "contacts/mediation_form.html", {"form": form, "creating": True})


@never_cache
@requires("mediation.log")
def mediation_edit(request, pk):
    event = access.get_mediation_for_user(request.user, pk)
    form = MediationEventForm(request.POST or None, instance=event)
    edit = save_unless_changed(
        request,
        event,
        form.is_valid(),
        lambda: services.mediation_save(data=dict(form.cleaned_data), by=request.user, event=event),
    )
    if edit.saved:
        messages.success(request, _("Médiation mise à jour."))
        return redirect("contacts:mediation-list")
    return render(
        request,
        "contacts/mediation_form.html",
        {"form": form, "event": event, "seen": edit.seen, "conflict": edit.conflict},
    )


def contacts_panel_queryset(person: Person):
    return (
        Contact.objects.filter(person=person)
        .select_related("channel", "session", "author")
        .prefetch_related(
            "themes",
            Prefetch("material_lines", queryset=ContactMaterial.objects.select_related("material")),
        )
    )

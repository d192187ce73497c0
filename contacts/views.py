"""Pages for persons: list and search, creation, page, identity, merge, history."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Min
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contacts import access, services
from contacts.forms import IdentityForm, MergeChoiceForm, MergeForm, PersonFilterForm, PersonForm
from contacts.models import Contact, LegalIdentity, Person
from contacts.views_fieldwork import contacts_panel_queryset
from entractes.concurrency import Conflict, GuardedSave, fingerprint, save_unless_changed
from entractes.permissions import requires

PAGE_SIZE = 50


def _filtered_persons(user, form: PersonFilterForm):
    persons = access.persons_for_user(user)
    if not form.is_valid():
        return persons.none()
    data = form.cleaned_data
    persons = persons.search(data["q"])
    if data["gender"]:
        persons = persons.filter(gender=data["gender"])
    if data["category"]:
        persons = persons.in_age_category(data["category"], timezone.localdate())
    if data["activity"] in ("sex_work", "both"):
        persons = persons.filter(sex_work=True)
    if data["activity"] in ("uses_drugs", "both"):
        persons = persons.filter(uses_drugs=True)
    return persons.order_by("nickname_key", "code")


def _with_last_contact(persons) -> list[Person]:
    """The persons of one page, each with the moment of their last contact: one grouped
    query over the page's persons, not over every person's whole history."""
    persons = list(persons)
    # Archived contacts are withdrawn, not a last contact.
    last = dict(
        Contact.objects.filter(person__in=persons, archived_at=None)
        .values("person")
        .annotate(last=Max("occurred_at"))
        .values_list("person", "last")
    )
    for person in persons:
        person.last_contact = last.get(person.pk)
    return persons


@never_cache
@requires("persons.view")
def person_list(request):
    """List with filters; the search text travels by POST so no name lands in a URL."""
    form = PersonFilterForm(request.POST if request.method == "POST" else request.GET)
    page = Paginator(_filtered_persons(request.user, form), PAGE_SIZE).get_page(
        request.POST.get("page") or request.GET.get("page")
    )
    page.object_list = _with_last_contact(page.object_list)
    context = {"form": form, "page": page}
    if request.headers.get("HX-Request"):
        return render(request, "contacts/person_list.html#results", context)
    return render(request, "contacts/person_list.html", context)


@never_cache
@requires("persons.edit")
def person_create(request):
    duplicates: list[Person] = []
    if request.method == "POST":
        form = PersonForm(request.POST, show_confirm="confirm_shown" in request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            confirmed = data.pop("confirm_new", False)
            duplicates = services.likely_duplicates(
                nickname=data["nickname"], gender=data["gender"], birth_year=data.get("birth_year")
            )
            if not duplicates or confirmed:
                person = services.person_create(data=data, by=request.user)
                messages.success(request, _("Fiche %(code)s créée.") % {"code": person.code})
                return redirect("contacts:person-detail", code=person.code)
            form = PersonForm(request.POST, show_confirm=True)
            form.is_valid()
    else:
        form = PersonForm()
    return render(
        request,
        "contacts/person_form.html",
        {"form": form, "duplicates": duplicates, "creating": True},
    )


@never_cache
@requires("persons.edit")
def person_edit(request, code):
    person = access.get_person_for_user(request.user, code)
    if person.merged_into_id:
        return redirect("contacts:person-detail", code=person.code)
    form = PersonForm(request.POST or None, instance=person)

    def save():
        data = dict(form.cleaned_data)
        data.pop("confirm_new", None)
        services.person_update(person=person, data=data)

    edit = save_unless_changed(request, person, form.is_valid(), save)
    if edit.saved:
        messages.success(request, _("Fiche mise à jour."))
        return redirect("contacts:person-detail", code=person.code)
    return render(
        request,
        "contacts/person_form.html",
        {"form": form, "person": person, "seen": edit.seen, "conflict": edit.conflict},
    )


@never_cache
@requires("persons.view")
def person_detail(request, code):
    person = access.get_person_for_user(request.user, code)
    if person.merged_into_id:
        messages.info(
            request,
            _("La fiche %(old)s a été fusionnée dans la fiche %(new)s.")
            % {"old": person.code, "new": person.merged_into.code},
        )
        return redirect("contacts:person-detail", code=person.merged_into.code)
    stats = person.contacts.aggregate(
        first=Min("occurred_at"), last=Max("occurred_at"), n=Count("id")
    )
    context = {
        "person": person,
        "stats": stats,
        "has_identity": LegalIdentity.objects.filter(person=person).exists(),
        "merges": person.merges_received.select_related("duplicate").order_by("-merged_at"),
        "panels": settings.PERSON_PANELS,
        "today": timezone.localdate(),
    }
    return render(request, "contacts/person_detail.html", context)


@never_cache
@requires("persons.view")
def person_contacts_panel(request, code):
    person = access.get_person_for_user(request.user, code)
    if not request.user.has_capability("contacts.read"):
        # A partner practitioner finds the person, not the field team's contact notes.
        return HttpResponse("")
    contacts = contacts_panel_queryset(person)[:30]
    return render(
        request,
        "contacts/person_detail.html#contacts-panel",
        {"person": person, "contacts": contacts},
    )


@never_cache
@requires("persons.read_identity")
def identity_show(request, code):
    """The legal identity, fetched on demand; each display is written to the access log."""
    person = access.get_person_for_user(request.user, code)
    identity = access.get_identity_for_user(request.user, person)
    return render(request, "contacts/identity_show.html", {"person": person, "identity": identity})


@never_cache
@requires("persons.edit_identity")
def identity_edit(request, code):
    person = access.get_person_for_user(request.user, code)
    identity = access.get_identity_for_user(request.user, person)
    form = IdentityForm(request.POST or None, instance=identity)
    valid = form.is_valid()

    def save():
        services.identity_save(person=person, data=form.cleaned_data)

    if identity is None:
        # A first identity: nothing to overwrite, unless somebody wrote one meanwhile.
        edit = GuardedSave(seen="")
        if request.method == "POST" and valid:
            with transaction.atomic():
                written = LegalIdentity.objects.select_for_update().filter(person=person).first()
                if written is None:
                    save()
                    edit.saved = True
                else:
                    edit.conflict = Conflict(current=written, seen="")
                    edit.seen = fingerprint(written)
    else:
        edit = save_unless_changed(request, identity, valid, save)
    if edit.saved:
        messages.success(request, _("Identité légale enregistrée."))
        return redirect("contacts:person-detail", code=person.code)
    return render(
        request,
        "contacts/identity_form.html",
        {"form": form, "person": person, "seen": edit.seen, "conflict": edit.conflict},
    )


@never_cache
@requires("persons.merge")
def person_merge(request, code):
    kept = access.get_person_for_user(request.user, code)
    if kept.merged_into_id:
        return redirect("contacts:person-detail", code=kept.code)
    form = MergeForm(request.POST or None, kept=kept)
    duplicate = choice_form = None
    if request.method == "POST" and form.is_valid():
        duplicate = form.cleaned_data["duplicate_code"]
        choice_form = MergeChoiceForm(
            request.POST if "confirm" in request.POST else None,
            kept=kept,
            duplicate=duplicate,
            fields=services.merge_disagreements(kept, duplicate),
        )
        if "confirm" in request.POST and choice_form.is_valid():
            try:
                services.person_merge(
                    kept=kept, duplicate=duplicate, by=request.user, choices=choice_form.choices()
                )
            except services.MergeError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("La fiche %(dup)s a été fusionnée dans %(kept)s.")
                    % {"dup": duplicate.code, "kept": kept.code},
                )
                return redirect("contacts:person-detail", code=kept.code)
    return render(
        request,
        "contacts/person_merge.html",
        {"form": form, "kept": kept, "duplicate": duplicate, "choice_form": choice_form},
    )


@require_POST
@requires("persons.merge")
def merge_undo(request, pk):
    merge = access.get_merge_for_user(request.user, pk)
    try:
        services.person_merge_undo(merge=merge, by=request.user)
    except services.MergeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Fusion annulée : les fiches %(a)s et %(b)s sont à nouveau distinctes.")
            % {"a": merge.kept.code, "b": merge.duplicate.code},
        )
    return redirect("contacts:person-detail", code=merge.kept.code)

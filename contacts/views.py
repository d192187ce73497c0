"""Pages for persons: list and search, creation, page, identity, merge, history."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Max, Min, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from contacts import access, services
from contacts.forms import (
    IdentityForm,
    LeaveFileForm,
    MergeChoiceForm,
    MergeForm,
    PersonFilterForm,
    PersonForm,
    ReturnFileForm,
)
from contacts.models import Contact, LegalIdentity, Person, code_forms, in_active_file_q
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
    if data["file"] == "out":
        persons = persons.out_of_active_file()
    elif not data["file"]:
        # A round may meet again someone out of the file: their code still finds them.
        coded = Q(code__in=code_forms(data["q"])) if data["q"].strip() else Q(pk__in=[])
        persons = persons.filter(in_active_file_q() | coded)
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


def _hidden_out_of_file(request, form: PersonFilterForm) -> int:
    """How many persons out of the active file the typed text finds besides those shown
    (the list shows the active file unless asked otherwise)."""
    if not form.is_valid() or form.cleaned_data["file"] or not form.cleaned_data["q"].strip():
        return 0
    text = form.cleaned_data["q"]
    return (
        access.persons_for_user(request.user)
        .search(text)
        .out_of_active_file()
        .exclude(code__in=code_forms(text))
        .count()
    )


@never_cache
@requires("persons.view")
def person_list(request):
    """List with filters; the search text travels by POST so no name lands in a URL."""
    form = PersonFilterForm(request.POST if request.method == "POST" else request.GET)
    page = Paginator(_filtered_persons(request.user, form), PAGE_SIZE).get_page(
        request.POST.get("page") or request.GET.get("page")
    )
    page.object_list = _with_last_contact(page.object_list)
    context = {"form": form, "page": page, "hidden_out_of_file": _hidden_out_of_file(request, form)}
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


def _active_file(request, person: Person, leave_form=None, return_form=None) -> dict:
    """The person page's active file: the state, and for those who change it the history,
    the form of the next change and the contact met since the person left, if any."""
    if not request.user.has_capability("persons.edit"):
        return {"file_changes": [], "leave_form": None, "return_form": None, "met_since": None}
    met_since = None
    if person.left_file_on:
        # Met again after leaving (the day itself is when the decision is often taken).
        met_since = (
            person.contacts.filter(archived_at=None, day__gt=person.left_file_on)
            .order_by("-day")
            .values_list("day", flat=True)
            .first()
        )
        leave_form = None
        return_form = return_form or ReturnFileForm(
            initial={"date": met_since or timezone.localdate()}
        )
    else:
        leave_form, return_form = leave_form or LeaveFileForm(), None
    return {
        "file_changes": person.active_file_changes.select_related("author"),
        "leave_form": leave_form,
        "return_form": return_form,
        "met_since": met_since,
    }


def _person_page(request, person: Person, **forms):
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
        **_active_file(request, person, **forms),
    }
    return render(request, "contacts/person_detail.html", context)


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
    return _person_page(request, person)


def _file_change(request, code, *, leaving: bool):
    """Leave the active file, or come back to it: a change refused for the person's state
    (a page left open while someone else changed it) is said on the page; a refused
    field re-renders the page with the form as typed."""
    person = access.get_person_for_user(request.user, code)
    if person.merged_into_id:
        return redirect("contacts:person-detail", code=person.code)
    if leaving != person.in_active_file:
        already = (
            _("%(code)s est déjà hors file active.")
            if leaving
            else _("%(code)s est déjà dans la file active.")
        )
        messages.error(request, already % {"code": person.code})
        return redirect("contacts:person-detail", code=person.code)
    form = (LeaveFileForm if leaving else ReturnFileForm)(request.POST)
    if form.is_valid():
        change = services.person_leave_file if leaving else services.person_return_to_file
        try:
            change(person=person, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # the state changed meanwhile
                messages.error(request, " ".join(error.messages))
                return redirect("contacts:person-detail", code=person.code)
            _add_errors(form, error)
        else:
            done = (
                _("%(code)s est sorti·e de la file active.")
                if leaving
                else _("%(code)s est de retour dans la file active.")
            )
            messages.success(request, done % {"code": person.code})
            return redirect("contacts:person-detail", code=person.code)
    if leaving:
        return _person_page(request, person, leave_form=form)
    return _person_page(request, person, return_form=form)


def _add_errors(form, error: ValidationError) -> None:
    """A service's refusal onto the form: by field where the form has it."""
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@require_POST
@requires("persons.edit")
def person_leave_file(request, code):
    return _file_change(request, code, leaving=True)


@require_POST
@requires("persons.edit")
def person_return_to_file(request, code):
    return _file_change(request, code, leaving=False)


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

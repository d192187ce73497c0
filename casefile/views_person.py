"""A person's rights over their data: the change history, the right-of-access document,
and erasure."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from casefile import document as access_document
from casefile import retention
from casefile.history import history_for, log_history_read
from contacts import access
from entractes.permissions import requires


def _person(request, code):
    """The person of the URL; a merged duplicate leads to the person it was merged into."""
    person = access.get_person_for_user(request.user, code)
    if person.merged_into_id:
        return person, redirect(request.resolver_match.view_name, code=person.merged_into.code)
    return person, None


@never_cache
@requires("persons.history")
def person_history(request, code):
    person = access.get_person_for_user(request.user, code)
    log_history_read(request.user, person)
    return render(
        request,
        "casefile/person_history.html",
        {"person": person, "lines": history_for(request.user, person)},
    )


@never_cache
@requires("persons.export")
def person_data_access(request, code):
    """The right-of-access document as a page the person can read (or print)."""
    person, elsewhere = _person(request, code)
    if elsewhere:
        return elsewhere
    document = access_document.person_data_for_user(request.user, person, medium="page")
    return render(
        request, "casefile/person_data_access.html", {"person": person, "document": document}
    )


@never_cache
@requires("persons.export")
def person_data_export(request, code):
    """The same document as a JSON file to hand over."""
    person, elsewhere = _person(request, code)
    if elsewhere:
        return elsewhere
    document = access_document.person_data_for_user(request.user, person, medium="json")
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    filename = f"donnees-{person.code}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ErasureForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Motif"), choices=retention.ERASURE_REASONS, widget=forms.RadioSelect
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Je confirme : l'anonymisation est définitive, rien ne pourra être rétabli."
        ),
    )


@never_cache
@requires("persons.erase")
def person_erase(request, code):
    """Confirmation page, then (POST) the person is anonymised at once."""
    person, elsewhere = _person(request, code)
    if elsewhere:
        return elsewhere
    form = ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = retention.person_erase(
                person=person, by=request.user, reason=form.cleaned_data["reason"]
            )
        except retention.ErasureRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("Les données de la personne ont été effacées : la fiche %(code)s est anonyme.")
                % {"code": person.code},
            )
            return redirect("contacts:person-detail", code=person.code)
    context = {
        "person": person,
        "form": form,
        "obstacles": retention.erasure_obstacles(person),
    }
    return render(request, "casefile/person_erase.html", context)

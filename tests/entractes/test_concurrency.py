"""Two people editing the same record: the second save is refused, never a silent overwrite."""

import datetime

import pytest
from django.forms import BaseFormSet
from django.urls import reverse

from contacts.models import Contact, MediationEvent
from health.models import Consultation
from minors.models import MinorFile
from rights.models import Procedure, ProcedureTheme
from tests.factories import (
    ConsultationFactory,
    ContactFactory,
    MediationEventFactory,
    PersonFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [str(getattr(v, "pk", v)) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def form_data(context):
    """What the browser would send back for the page's form (and formsets) untouched."""
    data = {"seen": context["seen"]}
    for name in ("form", "acts"):
        if name not in context:
            continue
        item = context[name]
        forms = []
        if isinstance(item, BaseFormSet):
            management = item.management_form
            data.update({bf.html_name: _value(bf) for bf in management})
            forms = list(item.forms)
        elif hasattr(item, "fields") and hasattr(item, "is_bound") and not hasattr(item, "forms"):
            forms = [item]
        for form in forms:
            for bound in form:
                value = _value(bound)
                if value not in ("", []):
                    data[bound.html_name] = value
    return data


def _contact(user):
    contact = ContactFactory(session=SessionFactory(created_by=user), person=None, author=user)
    return contact, reverse("contacts:contact-edit", args=[contact.pk]), "note"


def _mediation(user):
    event = MediationEventFactory(author=user, residents=2)
    return event, reverse("contacts:mediation-edit", args=[event.pk]), "place"


def _procedure(user):
    procedure = Procedure.objects.create(
        person=PersonFactory(),
        theme=ProcedureTheme.objects.first(),
        request="Demande",
        worker=user,
        created_by=user,
    )
    return procedure, reverse("rights:procedure-edit", args=[procedure.pk]), "next_action"


def _consultation(user):
    consultation = ConsultationFactory(author=user)
    return consultation, reverse("health:consultation-edit", args=[consultation.pk]), "shared_note"


def _minor_file(user):
    minor_file = MinorFile.objects.create(
        person=PersonFactory(), worker=user, created_by=user, first_meeting_place="outreach"
    )
    return minor_file, reverse("minors:file-edit", args=[minor_file.pk]), "notes"


CASES = {
    "contact": (_contact, ("educator",), Contact, "note"),
    "mediation": (_mediation, ("educator",), MediationEvent, "place"),
    "procedure": (_procedure, ("educator",), Procedure, "next_action"),
    "consultation": (_consultation, ("nurse",), Consultation, "shared_note"),
    "minor_file": (_minor_file, ("educator", "minors_team"), MinorFile, "notes"),
}


@pytest.mark.parametrize("case", CASES)
def test_second_save_is_refused_and_the_other_version_shown(client, make_user, case):
    build, roles, model, _field = CASES[case]
    first, second = make_user(*roles), make_user(*roles)
    record, url, field = build(first)
    from django.test import Client

    alice, bob = Client(), Client()
    alice.force_login(first)
    bob.force_login(second)
    alice_data = form_data(alice.get(url).context)
    bob_data = form_data(bob.get(url).context)

    # Alice saves first.
    alice_data[field] = "Version d'Alice"
    saved = alice.post(url, alice_data)
    assert saved.status_code == 302, saved.context and saved.context["form"].errors
    assert getattr(model.objects.get(pk=record.pk), field) == "Version d'Alice"

    # Bob saves on the page he opened before: refused, nothing written.
    bob_data[field] = "Version de Bob"
    refused = bob.post(url, bob_data)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Rien n&#x27;a été enregistré" in page or "Rien n'a été enregistré" in page
    assert "Version d&#x27;Alice" in page  # the other's version is shown
    assert "Version de Bob" in page  # what Bob typed is kept
    assert getattr(model.objects.get(pk=record.pk), field) == "Version d'Alice"

    # Having seen it, Bob saves again deliberately.
    again = form_data(refused.context)
    again[field] = "Version de Bob"
    assert bob.post(url, again).status_code == 302
    assert getattr(model.objects.get(pk=record.pk), field) == "Version de Bob"

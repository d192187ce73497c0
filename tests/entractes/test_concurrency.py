"""Two people editing the same record: the second save is refused, never a silent overwrite."""

import datetime

import pytest
from django.forms import BaseFormSet
from django.test import Client
from django.urls import reverse

from contacts.models import Contact, LegalIdentity, MediationEvent, Person, Session
from entractes.models import User
from health.models import Consultation
from minors.models import MinorFile
from rights.models import Procedure, ProcedureTheme, PSPFile
from tests import tally
from tests.factories import (
    ConsultationFactory,
    ContactFactory,
    LegalIdentityFactory,
    MediationEventFactory,
    MinorFileFactory,
    PersonFactory,
    ProcedureFactory,
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
    for name in ("form", "acts", "formset"):
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
    procedure = ProcedureFactory(
        theme=ProcedureTheme.objects.first(), request="Demande", worker=user
    )
    return procedure, reverse("rights:procedure-edit", args=[procedure.pk]), "next_action"


def _consultation(user):
    consultation = ConsultationFactory(author=user)
    return consultation, reverse("health:consultation-edit", args=[consultation.pk]), "shared_note"


def _minor_file(user):
    minor_file = MinorFileFactory(
        person=PersonFactory(), worker=user, first_meeting_place="outreach"
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
    tally.add("lost_update_pairs")
    tally.add(
        "lost_updates", int(getattr(model.objects.get(pk=record.pk), field) != "Version d'Alice")
    )
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


def _session(user):
    session = SessionFactory(created_by=user, report="")
    return session, reverse("contacts:session-edit", args=[session.pk]), "report"


def _psp_file(user):
    from rights.services import psp_file_create

    psp_file = psp_file_create(person=PersonFactory(), by=user)
    return psp_file, reverse("rights:psp-detail", args=[psp_file.pk]), "notes"


def _identity(user):
    identity = LegalIdentityFactory()
    url = reverse("contacts:identity-edit", args=[identity.person.code])
    return identity, url, "birth_place"


def _narrative_model():
    from reporting.models import NarrativeBlock

    return NarrativeBlock


def _narrative(user):
    from tests.factories import NarrativeBlockFactory

    block = NarrativeBlockFactory(
        year=2023, kind="editorial", body="Texte", title="", updated_by=user
    )
    return block, reverse("reporting:narrative-edit", args=[2023, block.pk]), "title"


def _reference_figure(user):
    from tests.factories import ReferenceFigureFactory

    ref = ReferenceFigureFactory(year=2021, source="Rapport 2021", created_by=user)
    return ref, reverse("reporting:reference-figure-edit", args=[ref.pk]), "source"


def _reference_figure_model():
    from reporting.models import ReferenceFigure

    return ReferenceFigure


def _person(user):
    person = PersonFactory(notes="")
    return person, reverse("contacts:person-edit", args=[person.code]), "notes"


def _staff_account(user):
    from tests.factories import UserFactory

    account = UserFactory(roles=["educator"], first_name="Paula")
    return account, reverse("staff-edit", args=[account.pk]), "first_name"


# Every edit page guarded by save_unless_changed: (build, roles, model). The session's
# material and sites pages (formsets of its lines) are tested below, on their lines.
GUARDED = {
    **{name: (build, roles, model) for name, (build, roles, model, _f) in CASES.items()},
    "session": (_session, ("educator",), Session),
    "psp_file": (_psp_file, ("educator",), PSPFile),
    "identity": (_identity, ("educator",), LegalIdentity),
    "narrative": (_narrative, ("director",), _narrative_model()),
    "reference_figure": (_reference_figure, ("director",), _reference_figure_model()),
    "staff": (_staff_account, ("administrator",), User),
    "person": (_person, ("educator",), Person),
}
# What the README quotes: edit pages x the pairs of people saving the same record.
LOST_UPDATE_PAIRS = [(page, "second save refused") for page in GUARDED] + [
    (page, "save without the version refused") for page in GUARDED
]


def _open_both(make_user, case):
    build, roles, model = GUARDED[case]
    first, second = make_user(*roles), make_user(*roles)
    record, url, field = build(first)
    alice, bob = Client(), Client()
    alice.force_login(first)
    bob.force_login(second)
    return record, url, field, model, alice, bob


@pytest.mark.parametrize("case", GUARDED)
def test_every_edit_page_refuses_the_second_save_and_keeps_what_was_typed(make_user, case):
    record, url, field, model, alice, bob = _open_both(make_user, case)
    alice_data = form_data(alice.get(url).context)
    bob_data = form_data(bob.get(url).context)
    alice_data[field] = "Version d'Alice"
    saved = alice.post(url, alice_data)
    assert saved.status_code == 302, saved.context and saved.context["form"].errors
    bob_data[field] = "Version de Bob"
    refused = bob.post(url, bob_data)
    tally.add("lost_update_pairs")
    tally.add(
        "lost_updates", int(getattr(model.objects.get(pk=record.pk), field) != "Version d'Alice")
    )
    assert refused.status_code == 200
    page = refused.content.decode().replace("&#x27;", "'")
    assert "Rien n'a été enregistré" in page
    assert "Version de Bob" in page
    assert getattr(model.objects.get(pk=record.pk), field) == "Version d'Alice"


@pytest.mark.parametrize("case", GUARDED)
def test_a_save_without_the_version_field_is_refused(make_user, case):
    record, url, field, model, alice, _bob = _open_both(make_user, case)
    before = getattr(model.objects.get(pk=record.pk), field)
    data = form_data(alice.get(url).context)
    del data["seen"]
    data[field] = "Sans version"
    refused = alice.post(url, data)
    assert refused.status_code == 200
    page = refused.content.decode().replace("&#x27;", "'")
    assert "Rien n'a été enregistré" in page
    assert "Sans version" in page
    assert getattr(model.objects.get(pk=record.pk), field) == before
    # The page now carries the version: saving it again goes through.
    again = form_data(refused.context)
    again[field] = "Sans version"
    assert alice.post(url, again).status_code == 302
    assert getattr(model.objects.get(pk=record.pk), field) == "Sans version"


def test_a_wrong_role_cannot_open_the_new_guarded_pages(make_user):
    volunteer = make_user("peer_volunteer")
    client = Client()
    client.force_login(volunteer)
    for case in ("psp_file", "identity"):
        _record, url, _field = GUARDED[case][0](make_user("educator"))
        assert client.get(url).status_code == 403


def test_the_child_rows_a_model_declares_are_part_of_its_fingerprint():
    from contacts.models import ContactMaterial, Material
    from entractes.concurrency import fingerprint
    from health.models import Act, ConsultationAct

    contact = ContactFactory(person=None)
    before = fingerprint(contact)
    ContactMaterial.objects.create(
        contact=contact, material=Material.objects.filter(active=True).first(), quantity=3
    )
    assert fingerprint(contact) != before

    consultation = ConsultationFactory()
    before = fingerprint(consultation)
    line = ConsultationAct.objects.create(
        consultation=consultation, act=Act.objects.filter(active=True).first()
    )
    assert fingerprint(consultation) != before
    before = fingerprint(consultation)
    line.result = "négatif"
    line.save()
    assert fingerprint(consultation) != before


def test_the_concurrency_kernel_names_no_app_model():
    import inspect

    from entractes import concurrency

    source = inspect.getsource(concurrency)
    for app in ("contacts.", "health.", "rights.", "minors.", "reporting."):
        assert app not in source


def _first_line(page, value):
    """What a person types on the first empty line of a session's material or sites page."""
    from contacts.models import AdSite, Material, Service

    if page == "contacts:session-material":
        material = Material.objects.filter(active=True).order_by("pk")[int(value) % 2]
        return {"material_lines-0-material": str(material.pk), "material_lines-0-quantity": value}
    if page == "contacts:session-services":
        service = Service.objects.filter(active=True).order_by("pk")[int(value) % 2]
        return {"service_lines-0-service": str(service.pk), "service_lines-0-count": value}
    site = AdSite.objects.order_by("pk")[int(value) % 2]
    return {"site_lines-0-site": str(site.pk), "site_lines-0-messages_sent": value}


@pytest.mark.parametrize(
    "page", ["contacts:session-material", "contacts:session-services", "contacts:session-sites"]
)
def test_the_session_line_pages_refuse_the_second_save_and_keep_what_was_typed(make_user, page):
    first, second = make_user("educator"), make_user("educator")
    session = SessionFactory(created_by=first)
    url = reverse(page, args=[session.pk])
    alice, bob = Client(), Client()
    alice.force_login(first)
    bob.force_login(second)
    alice_data = form_data(alice.get(url).context)
    bob_data = form_data(bob.get(url).context)
    lines = {
        "contacts:session-material": session.material_lines,
        "contacts:session-services": session.service_lines,
        "contacts:session-sites": session.site_lines,
    }[page]

    assert alice.post(url, {**alice_data, **_first_line(page, "5")}).status_code == 302
    alice_line = str(lines.get())
    refused = bob.post(url, {**bob_data, **_first_line(page, "8")})
    tally.add("lost_update_pairs")
    tally.add("lost_updates", int([str(line) for line in lines.all()] != [alice_line]))
    assert refused.status_code == 200
    page_text = refused.content.decode().replace("&#x27;", "'")
    assert "Rien n'a été enregistré" in page_text
    assert alice_line in page_text  # the other's version is shown
    assert 'value="8"' in page_text  # what Bob typed is kept
    assert [str(line) for line in lines.all()] == [alice_line]

    # A post without the version is refused the same way.
    no_version = {**bob_data, **_first_line(page, "8")}
    del no_version["seen"]
    assert bob.post(url, no_version).status_code == 200
    assert lines.count() == 1

    # Having seen it, Bob saves again deliberately: his line is added beside Alice's.
    again = {**form_data(refused.context), **_first_line(page, "8")}
    assert bob.post(url, again).status_code == 302
    assert lines.count() == 2


def test_a_first_identity_written_meanwhile_is_not_overwritten(make_user):
    first, second = make_user("educator"), make_user("educator")
    person = PersonFactory()
    url = reverse("contacts:identity-edit", args=[person.code])
    alice, bob = Client(), Client()
    alice.force_login(first)
    bob.force_login(second)
    alice_data = form_data(alice.get(url).context)
    bob_data = form_data(bob.get(url).context)
    assert (
        alice.post(url, {**alice_data, "last_name": "Alicenom", "first_names": "A"}).status_code
        == 302
    )
    refused = bob.post(url, {**bob_data, "last_name": "Bobnom", "first_names": "B"})
    tally.add("lost_update_pairs")
    tally.add("lost_updates", int(LegalIdentity.objects.get(person=person).last_name != "Alicenom"))
    assert refused.status_code == 200
    page = refused.content.decode().replace("&#x27;", "'")
    assert "Rien n'a été enregistré" in page
    assert "Alicenom" in page and 'value="Bobnom"' in page
    assert LegalIdentity.objects.get(person=person).last_name == "Alicenom"
    again = {**form_data(refused.context), "last_name": "Bobnom"}
    assert bob.post(url, again).status_code == 302
    assert LegalIdentity.objects.get(person=person).last_name == "Bobnom"

"""Change history on every record; clinical values masked for non-health roles."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.urls import reverse

from contacts.models import LegalIdentity
from entractes.audit import MASK
from health.models import Act
from tests.factories import (
    ConsultationActFactory,
    ConsultationFactory,
    ContactFactory,
    LegalIdentityFactory,
    MinorFileFactory,
    PersonFactory,
    ProcedureFactory,
)

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"entractes", "contacts", "health", "rights", "minors", "reporting", "casefile"}
NOT_TRACKED = {
    "entractes.AccessLogEntry",
    "entractes.RecordsState",
    "reporting.ReportRender",
    # A document's bytes (encrypted): its title and dates have the history.
    "casefile.DocumentContent",
    # Second factors and enrolment codes hold secrets: never copied into a history.
    "entractes.AuthenticatorDevice",
    "entractes.RecoveryDevice",
    "entractes.RecoveryCode",
    "entractes.EnrolmentCode",
}


def test_every_record_of_the_project_has_a_change_history():
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and model._meta.label not in NOT_TRACKED
        and not auditlog.contains(model)
    ]
    assert missing == []


def _minor_file(person, author):
    return MinorFileFactory(
        person=person,
        worker=author,
        first_meeting_place="outreach",
        notes="Marqueur mineur",
    )


def _procedure(person, author):
    from rights.models import ProcedureTheme

    return ProcedureFactory(
        person=person,
        theme=ProcedureTheme.objects.first(),
        request="Marqueur démarche",
        worker=author,
    )


@pytest.fixture
def records(make_user):
    author = make_user("educator", "minors_team")
    person = PersonFactory(nickname="Historia")
    contact = ContactFactory(person=person, author=author, note="Avant")
    contact.note = "Après la modification"
    contact.save()
    identity = LegalIdentityFactory(person=person, last_name="MARQUEURNOM")
    identity.last_name = "AUTRENOM"
    identity.save()
    consultation = ConsultationFactory(person=person, clinical_note="Marqueur clinique")
    consultation.clinical_note = "Marqueur clinique modifié"
    consultation.save()
    ConsultationActFactory(
        consultation=consultation, act=Act.objects.get(slug="trod_hiv"), result="positive"
    )
    return {
        "person": person,
        "contact": contact,
        "identity": identity,
        "consultation": consultation,
        "procedure": _procedure(person, author),
        "minor_file": _minor_file(person, author),
    }


def test_changes_are_recorded_with_before_and_after(records):
    entry = LogEntry.objects.get_for_object(records["contact"]).filter(action=1).get()
    assert entry.changes_dict["note"] == ["Avant", "Après la modification"]


def test_encrypted_values_never_reach_the_history_table(records):
    for entry in LogEntry.objects.all():
        text = str(entry.changes)
        for marker in ("MARQUEURNOM", "AUTRENOM", "Marqueur clinique"):
            assert marker not in text
    entry = LogEntry.objects.get_for_object(records["identity"]).filter(action=1).get()
    assert entry.changes_dict["last_name"] == [MASK, MASK]


def _history(client, user, person):
    client.force_login(user)
    response = client.get(reverse("casefile:person-history", args=[person.code]))
    assert response.status_code == 200
    return response.content.decode()


def test_nurse_sees_clinical_changes_educator_sees_them_masked(client, records, nurse, educator):
    person = records["person"]
    nurse_page = _history(client, nurse, person)
    assert "Positif" in nurse_page or "positive" in nurse_page
    assert "Après la modification" in nurse_page

    educator_page = _history(client, educator, person)
    assert "Après la modification" in educator_page
    # Not even that a health record exists: health history is for health staff.
    client.force_login(educator)
    url = reverse("casefile:person-history", args=[person.code])
    labels = {line.label for line in client.get(url).context["lines"]}
    assert "consultation" not in labels and "personne" in labels
    client.force_login(nurse)
    assert "consultation" in {line.label for line in client.get(url).context["lines"]}
    assert "Positif" not in educator_page and "positive" not in educator_page


def test_minors_and_rights_history_only_for_their_readers(client, records, nurse, director):
    person = records["person"]
    nurse_page = _history(client, nurse, person)
    assert "Marqueur mineur" not in nurse_page
    assert "Marqueur démarche" not in nurse_page
    director_page = _history(client, director, person)
    assert "Marqueur mineur" in director_page
    assert "Marqueur démarche" in director_page


def test_identity_history_names_the_fields_never_the_values(client, records, educator, nurse):
    person = records["person"]
    page = _history(client, educator, person)
    assert "MARQUEURNOM" not in page and "AUTRENOM" not in page
    assert str(LegalIdentity._meta.get_field("last_name").verbose_name) in page
    assert "identité légale" not in _history(client, nurse, person).lower()


def test_archived_contact_shows_when_and_by_whom_not_its_text(client, records, educator, director):
    from django.utils import timezone

    from contacts.models import Contact

    Contact.all_objects.filter(pk=records["contact"].pk).update(
        archived_at=timezone.now(), archived_by=director
    )
    page = _history(client, educator, records["person"])
    assert "Après la modification" not in page and "Avant" not in page
    assert "archivé le" in page and director.username in page
    # A live contact's text is still shown (the rule is about archived records only).
    ContactFactory(person=records["person"], author=educator, note="Contact actif")
    assert "Contact actif" in _history(client, educator, records["person"])


def test_history_read_is_logged_once_and_refused_to_other_roles(
    client, records, educator, volunteer
):
    from entractes.models import AccessLogEntry

    before = AccessLogEntry.objects.count()
    _history(client, educator, records["person"])
    entry = AccessLogEntry.objects.order_by("pk")[before:].get()
    assert (entry.user, entry.action, entry.detail) == (educator, "read", "history")
    client.force_login(volunteer)
    url = reverse("casefile:person-history", args=[records["person"].code])
    assert client.get(url).status_code == 403

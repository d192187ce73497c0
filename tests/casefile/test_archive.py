"""Nothing is hard-deleted: staff archive, the record disappears, an administrator restores."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from contacts.figures import period_summary
from contacts.models import Contact, Person
from health.models import Consultation
from tests.factories import ConsultationFactory, ContactFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def night(educator):
    session = SessionFactory(created_by=educator)
    person = PersonFactory(nickname="Archivia")
    kept = ContactFactory(session=session, person=person, author=educator)
    mistake = ContactFactory(session=session, person=person, author=educator)
    return session, person, kept, mistake


def _summary(contact):
    return period_summary(contact.day, contact.day)


def test_educator_archives_a_contact_it_leaves_pages_and_figures(client, educator, night):
    session, _person, kept, mistake = night
    before = _summary(kept)
    client.force_login(educator)
    url = reverse("casefile:archive-contact", args=[mistake.pk])
    response = client.post(url, {"reason": "Saisi deux fois"})
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:session-detail", args=[session.pk])

    assert list(Contact.objects.filter(session=session)) == [kept]
    archived = Contact.all_objects.get(pk=mistake.pk)
    assert archived.archived_by == educator
    assert archived.archive_reason == "Saisi deux fois"
    assert _summary(kept) != before
    assert sum(_summary(kept).values()) < sum(before.values())
    # The change history says who archived it.
    entry = LogEntry.objects.get_for_object(archived).latest("timestamp")
    assert entry.actor == educator
    assert "archived_at" in entry.changes_dict
    # Its edit page is gone for staff.
    assert client.get(reverse("contacts:contact-edit", args=[mistake.pk])).status_code == 404


def test_archiving_needs_a_reason_and_writes_nothing_without(client, educator, night):
    _session, _person, _kept, mistake = night
    client.force_login(educator)
    response = client.post(reverse("casefile:archive-contact", args=[mistake.pk]), {"reason": " "})
    assert response.status_code == 200
    assert "Motif" in response.content.decode()
    assert response.context["form"].errors["reason"]
    assert Contact.objects.filter(pk=mistake.pk).exists()


def test_administrator_sees_archives_and_restores(client, educator, admin_user, night):
    _session, _person, kept, mistake = night
    before = _summary(kept)
    client.force_login(educator)
    client.post(reverse("casefile:archive-contact", args=[mistake.pk]), {"reason": "Erreur"})
    client.force_login(admin_user)
    page = client.get(reverse("casefile:archive-list")).content.decode()
    assert "Erreur" in page
    response = client.post(reverse("casefile:archive-restore", args=["contact", mistake.pk]))
    assert response.status_code == 302
    restored = Contact.objects.get(pk=mistake.pk)
    assert restored.archived_at is None and restored.archive_reason == ""
    assert _summary(kept) == before


def test_staff_cannot_restore(client, educator, night):
    _session, _person, _kept, mistake = night
    client.force_login(educator)
    client.post(reverse("casefile:archive-contact", args=[mistake.pk]), {"reason": "Erreur"})
    response = client.post(reverse("casefile:archive-restore", args=["contact", mistake.pk]))
    assert response.status_code == 403
    assert Contact.all_objects.get(pk=mistake.pk).archived_at is not None


def test_peer_volunteer_cannot_archive_a_contact_with_a_known_person(client, make_user, night):
    _session, _person, kept, _mistake = night
    client.force_login(make_user("peer_volunteer"))
    response = client.post(reverse("casefile:archive-contact", args=[kept.pk]), {"reason": "x"})
    assert response.status_code == 404
    assert Contact.objects.filter(pk=kept.pk).exists()


def test_consultation_archive_is_for_health_staff_and_hides_it(client, nurse, educator):
    consultation = ConsultationFactory(author=nurse)
    client.force_login(educator)
    assert client.post(
        reverse("casefile:archive-consultation", args=[consultation.pk]), {"reason": "x"}
    ).status_code in (403, 404)
    client.force_login(nurse)
    client.post(
        reverse("casefile:archive-consultation", args=[consultation.pk]), {"reason": "Doublon"}
    )
    assert not Consultation.objects.filter(pk=consultation.pk).exists()
    assert Consultation.all_objects.filter(pk=consultation.pk).exists()


def test_a_person_with_records_is_not_archived(client, educator, night):
    _session, person, _kept, _mistake = night
    client.force_login(educator)
    response = client.post(
        reverse("casefile:archive-person", args=[person.pk]), {"reason": "Erreur"}
    )
    assert response.status_code == 200
    assert "archivez-les" in response.content.decode()
    assert Person.objects.filter(pk=person.pk).exists()


def test_an_archived_person_leaves_lists_search_and_pages(client, educator, admin_user):
    person = PersonFactory(nickname="Fantomette")
    client.force_login(educator)
    client.post(
        reverse("casefile:archive-person", args=[person.pk]), {"reason": "Créée par erreur"}
    )
    assert not Person.objects.filter(pk=person.pk).exists()
    listing = client.post(reverse("contacts:person-list"), {"q": "Fantomette"})
    assert person.code not in listing.content.decode()
    assert list(listing.context["page"]) == []
    detail = client.get(reverse("contacts:person-detail", args=[person.code]))
    assert detail.status_code == 404
    client.force_login(admin_user)
    client.post(reverse("casefile:archive-restore", args=["person", person.pk]))
    client.force_login(educator)
    assert client.get(reverse("contacts:person-detail", args=[person.code])).status_code == 200


def test_a_person_met_only_in_an_archived_contact_is_not_counted(client, educator):
    from django.utils import timezone

    from contacts.figures import figures

    year = timezone.localdate().year
    before = figures(year)
    person = PersonFactory()
    contact = ContactFactory(person=person, author=educator)
    assert figures(year) != before
    client.force_login(educator)
    client.post(
        reverse("casefile:archive-contact", args=[contact.pk]), {"reason": "Mauvaise personne"}
    )
    assert figures(year) == before

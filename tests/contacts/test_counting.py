"""An archived contact is withdrawn with its material: no material figure, no session
total and no "last contact" counts it."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from casefile import archive
from contacts import figures
from contacts.models import Channel
from tests.factories import ContactFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(y, m, d, hour=15):
    return datetime.datetime(y, m, d, hour, tzinfo=PARIS)


def withdraw(contact, by):
    archive.archive(archive.kinds()["contact"], contact, by=by, reason="Saisi en double")


def test_an_archived_contact_material_leaves_the_material_figures(educator):
    ContactFactory(author=educator, occurred_at=at(2023, 3, 1), material={"male_condom": 10})
    post = Channel.objects.get(slug="post")
    doubled = ContactFactory(
        author=educator,
        occurred_at=at(2023, 4, 1),
        channel=post,
        material={"male_condom": 4, "hiv_selftest": 2},
    )
    ContactFactory(
        author=educator, occurred_at=at(2023, 5, 1), channel=post, material={"hiv_selftest": 1}
    )
    values = figures.figures(2023)
    assert values["rdr.material.male_condom"] == 14
    assert values["digital.hiv_selftests_sent"] == 3

    withdraw(doubled, educator)

    values = figures.figures(2023)
    assert values["rdr.material.male_condom"] == 10
    assert values["rdr.material.hiv_selftest"] == 1
    assert values["digital.hiv_selftests_sent"] == 1
    on_contacts = figures.records("rdr.material.male_condom", 2023)[0]
    assert [line.quantity for line in on_contacts] == [10]


def test_a_session_total_leaves_out_an_archived_contact_material(login, educator):
    session = SessionFactory(created_by=educator)
    ContactFactory(author=educator, session=session, material={"male_condom": 3}, person=None)
    doubled = ContactFactory(
        author=educator, session=session, material={"male_condom": 40}, person=None
    )
    withdraw(doubled, educator)

    response = login(educator).get(reverse("contacts:session-detail", args=[session.pk]))

    assert [total for _kind, total in response.context["material"]] == [3]


def test_session_totals_are_refused_to_a_partner(login, partner):
    session = SessionFactory(created_by=partner)
    response = login(partner).get(reverse("contacts:session-detail", args=[session.pk]))
    assert response.status_code == 403


@pytest.fixture
def met_then_withdrawn(educator):
    """A person met in March; a contact in June logged by mistake, then archived."""
    person = PersonFactory(nickname="Elvire")
    ContactFactory(person=person, author=educator, occurred_at=at(2023, 3, 1))
    mistake = ContactFactory(person=person, author=educator, occurred_at=at(2023, 6, 1))
    withdraw(mistake, educator)
    return person


def test_the_person_list_last_contact_is_never_an_archived_one(login, educator, met_then_withdrawn):
    response = login(educator).get(reverse("contacts:person-list"))
    (row,) = response.context["page"]
    assert row == met_then_withdrawn
    assert row.last_contact == at(2023, 3, 1)


def test_the_person_page_last_contact_is_never_an_archived_one(login, educator, met_then_withdrawn):
    response = login(educator).get(
        reverse("contacts:person-detail", args=[met_then_withdrawn.code])
    )
    assert response.context["stats"]["last"] == at(2023, 3, 1)
    assert response.context["stats"]["n"] == 1


def test_the_person_list_is_refused_to_a_volunteer(login, volunteer, met_then_withdrawn):
    assert login(volunteer).get(reverse("contacts:person-list")).status_code == 403

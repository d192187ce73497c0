"""The partner directory: every staff member finds a structure, its contacts and what it
offers, by words and by kind; inactive partners are not shown."""

import pytest
from django.urls import reverse

from contacts.models import Partner
from entractes.permissions import ROLES
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners():
    return [
        PartnerFactory(
            name="CeGIDD du CHU",
            kind=Partner.Kind.CEGIDD,
            phone="03 20 00 00 01",
            offer="Dépistage VIH, hépatites et IST, sans rendez-vous le mardi.",
            hours="Mardi 9h-12h",
        ),
        PartnerFactory(
            name="Foyer de la Deûle",
            kind=Partner.Kind.SHELTER,
            offer="Hébergement d'urgence pour femmes.",
            contact_person="Mme Interlocutrice",
        ),
        PartnerFactory(name="Ancien partenaire", kind=Partner.Kind.CEGIDD, active=False),
    ]


def test_the_directory_lists_active_partners_with_how_to_reach_them(client, educator, partners):
    client.force_login(educator)
    page = client.get(reverse("contacts:partner-directory")).content.decode()
    assert "CeGIDD du CHU" in page and "Foyer de la Deûle" in page
    assert 'href="tel:0320000001"' in page and "Mardi 9h-12h" in page
    assert "Mme Interlocutrice" in page
    assert "Ancien partenaire" not in page


def test_a_search_finds_by_words_of_the_offer_and_by_kind(client, educator, partners):
    client.force_login(educator)
    url = reverse("contacts:partner-directory")
    found = client.get(url, {"q": "dépistage mardi"}).context["partners"]
    assert [p.name for p in found] == ["CeGIDD du CHU"]
    by_kind = client.get(url, {"type": "shelter"}).context["partners"]
    assert "Foyer de la Deûle" in [p.name for p in by_kind]
    assert {p.kind for p in by_kind} == {"shelter"}
    none = client.get(url, {"q": "hébergement", "type": "cegidd"})
    assert list(none.context["partners"]) == []
    assert "Aucun partenaire ne correspond" in none.content.decode()
    # From the search box (htmx): the results only, not the page.
    fragment = client.get(url, {"q": "foyer"}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Foyer de la Deûle" in fragment


def test_odd_input_is_ignored_not_an_error(client, educator, partners):
    client.force_login(educator)
    url = reverse("contacts:partner-directory")
    for params in ({"type": "nope"}, {"q": "x" * 500}, {"q": "%' OR 1=1 --"}):
        assert client.get(url, params).status_code == 200
    # A NUL character is refused before any page, as everywhere.
    assert client.get(url, {"q": "\x00abc"}).status_code == 400


@pytest.mark.parametrize("role", sorted(ROLES))
def test_every_role_reads_the_directory(client, make_user, partners, role):
    client.force_login(make_user(role))
    assert "CeGIDD du CHU" in client.get(reverse("contacts:partner-directory")).content.decode()


def test_an_anonymous_visitor_is_sent_to_the_login(client, partners):
    response = client.get(reverse("contacts:partner-directory"))
    assert response.status_code == 302 and "connexion" in response.url

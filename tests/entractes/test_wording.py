"""Words agree with what they count and with whom they speak of, in French and in
English: « 10 préservatifs masculins », « née en 1998 », dates in one order per
language, the reference lists in English when English is chosen."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from contacts.models import ContactMaterial, Material, Service, SessionService
from tests.factories import ContactFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db


def english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})


def test_a_count_of_material_agrees_with_its_number():
    condom = Material.objects.get(slug="male_condom")
    with translation.override("fr"):
        assert condom.counted(10) == "10 Préservatifs masculins"
        assert condom.counted(1) == "1 Préservatif masculin"
        assert condom.counted(0) == "0 Préservatif masculin"  # French: 0 is singular
    with translation.override("en"):
        assert condom.counted(10) == "10 Male condoms"
        assert condom.counted(1) == "1 Male condom"
        assert condom.counted(0) == "0 Male condoms"
        assert str(condom) == "Male condom"
    # An item an administrator added with no plural keeps its label.
    added = Material.objects.create(slug="kit_base", label="Kit base", position=99)
    with translation.override("en"):
        assert added.counted(3) == "3 Kit base"


def test_the_pages_count_material_and_services_in_the_plural(client, educator):
    session = SessionFactory(date=timezone.localdate(), created_by=educator)
    contact = ContactFactory(person=PersonFactory(), author=educator, session=session)
    ContactMaterial.objects.create(
        contact=contact, material=Material.objects.get(slug="male_condom"), quantity=10
    )
    ContactMaterial.objects.create(
        contact=contact, material=Material.objects.get(slug="syringe"), quantity=1
    )
    SessionService.objects.create(
        session=session, service=Service.objects.get(slug="shower"), count=3
    )
    client.force_login(educator)
    person_page = reverse("contacts:person-contacts-panel", args=[contact.person.code])
    session_page = reverse("contacts:session-detail", args=[session.pk])
    for url in (person_page, session_page):
        page = client.get(url).content.decode()
        assert "10 préservatifs masculins" in page
        assert "1 seringue" in page and "1 seringues" not in page
    assert "3 douches" in client.get(session_page).content.decode()
    english(client)
    page = client.get(person_page).content.decode()
    assert "10 male condoms" in page and "1 syringe" in page


@pytest.mark.parametrize(
    "gender, french, english_words",
    [
        ("female", "née en 1998", "born in 1998"),
        ("male", "né en 1998", "born in 1998"),
        ("non_binary", "né·e en 1998", "born in 1998"),
    ],
)
def test_the_birth_year_agrees_with_the_person(client, educator, gender, french, english_words):
    person = PersonFactory(gender=gender, birth_year=1998)
    ContactFactory(person=person, author=educator)
    client.force_login(educator)
    url = reverse("contacts:person-detail", kwargs={"code": person.code})
    page = client.get(url).content.decode()
    assert french in page
    assert "née/né" not in page
    english(client)
    assert english_words in client.get(url).content.decode()


def test_dates_follow_one_order_per_language(client, educator):
    day = datetime.date(2026, 3, 4)
    SessionFactory(date=day, created_by=educator)
    client.force_login(educator)
    url = reverse("contacts:session-list")
    query = {"du": "2026-03-01", "au": "2026-03-31"}
    assert "04/03/2026" in client.get(url, query).content.decode()
    english(client)
    page = client.get(url, query).content.decode()
    assert "4 Mar 2026" in page
    assert "03/04/2026" not in page and "04/03/2026" not in page
    # A date typed day first is read day first in English too (never month first).
    typed = client.get(url, {"du": "01/03/2026", "au": "31/03/2026"})
    assert typed.status_code == 200 and "4 Mar 2026" in typed.content.decode()


def test_reference_lists_are_in_english_when_english_is_chosen(client, educator):
    client.force_login(educator)
    english(client)
    page = client.get(reverse("contacts:person-create")).content.decode()
    assert "Cannabis" in page and "Heroin" in page and "Héroïne" not in page

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from reporting import descriptions, figures
from reporting.descriptions import UNITS
from tests.factories import (
    ContactFactory,
    MaterialFactory,
    PersonFactory,
    ProcedureThemeFactory,
    ProductFactory,
)
from tests.reporting.test_report import expected_keys

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
THIN, NBSP = "\u202f", "\u00a0"
SECTION_SLUGS = {slug for slug, _title, _prefixes in figures.SECTIONS}


@pytest.fixture
def year_2023(educator):
    person = PersonFactory(uses_drugs=True, birth_year=2006)
    ContactFactory(
        person=person,
        author=educator,
        caarud=True,
        occurred_at=datetime.datetime(2023, 5, 3, 15, tzinfo=PARIS),
        material={"crack_pipe": 3},
    )
    return person


def assert_complete(description):
    assert description.label.strip() and description.label_en.strip(), description.key
    assert description.definition.strip(), description.key
    assert description.definition_en.strip(), description.key
    assert description.unit in UNITS, description.key
    assert description.section in SECTION_SLUGS, description.key
    assert "{" not in description.label + description.label_en + description.definition
    assert "{" not in description.definition_en, description.key


def test_every_figure_of_the_year_has_a_complete_description(year_2023):
    keys = set(figures.all_figures(2023))
    described = descriptions.describe(keys)
    assert keys - set(described) == set()
    for description in described.values():
        assert_complete(description)


def test_every_figure_of_the_year_has_an_english_definition(year_2023):
    described = descriptions.describe(figures.all_figures(2023))
    for description in described.values():
        assert description.definition_en.strip(), description.key
        assert description.definition_en != description.definition, description.key
    material = described["rdr.material.crack_pipe"]
    assert "Crack pipe" in material.definition_en  # the item's English name
    assert "« Pipe à crack »" in material.definition  # the French is kept as it is


def test_definitions_follow_the_language():
    every = descriptions.all_descriptions()
    contacts = every["attendance.contacts"]
    with translation.override("en"):
        assert contacts.definition_here == contacts.definition_en
        assert "every channel" in contacts.definition_here
    with translation.override("fr"):
        assert contacts.definition_here == contacts.definition
        assert "tous canaux" in contacts.definition_here


def test_every_key_of_the_specification_is_described():
    assert expected_keys() - set(descriptions.all_descriptions()) == set()


def test_no_description_of_a_key_that_does_not_exist(year_2023):
    assert set(descriptions.all_descriptions()) - set(figures.all_figures(2023)) == set()


def test_a_new_reference_item_is_described_with_its_label():
    MaterialFactory(slug="naloxone_kit", label="Kits de naloxone")
    ProcedureThemeFactory(slug="pension", label="Retraite")
    ProductFactory(slug="ketamine", label="Kétamine")
    every = descriptions.all_descriptions()
    keys = set(figures.all_figures(2023))
    assert "rdr.material.naloxone_kit" in keys
    assert every["rdr.material.naloxone_kit"].label == "Matériel distribué : Kits de naloxone"
    assert every["rdr.material.naloxone_kit"].unit == "quantity"
    assert "Retraite" in every["rights.procedures.pension.opened"].label
    assert "Kétamine" in every["minors.products.minor.ketamine"].label
    assert set(every) == keys


def test_labels_are_worded_as_the_seed_report():
    every = descriptions.all_descriptions()
    assert every["attendance.people"].label == "Personnes accueillies ou rencontrées"
    assert every["attendance.people_young_adults"].label == "dont jeunes majeur·es (18-20 ans)"
    assert every["digital.messages_sent"].label == "Messages envoyés sur les sites d'annonces"
    assert every["caarud.share_of_people"].unit == "share"
    assert every["training.days"].unit == "days"
    assert every["health.nurse.people"].section == "health"
    assert every["mediation.contacts.shopkeepers"].label.endswith("Commerçant·es")


def test_labels_follow_the_language():
    with translation.override("en"):
        assert descriptions.labels(["attendance.contacts", "nope"]) == {
            "attendance.contacts": "Contacts",
            "nope": "nope",
        }
        assert descriptions.labels(["caarud.people"])["caarud.people"] == "People who use drugs"
    with translation.override("fr"):
        assert descriptions.labels(["caarud.people"])["caarud.people"] == (
            "Personnes usagères de drogues"
        )


def test_descriptions_take_a_fixed_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(len(descriptions.SOURCES)):
        descriptions.all_descriptions()


def test_figures_page_shows_labels_definitions_and_french_numbers(client, director, year_2023):
    client.force_login(director)
    body = client.get(reverse("reporting:figures"), {"year": 2023}).content.decode()
    assert "Personnes usagères de drogues" in body
    assert "<details" in body and "tous canaux, personnes identifiées ou anonymes" in body
    assert "attendance.contacts" in body  # the key stays, secondary
    assert f"{NBSP}%" in body  # the share of drug users printed as a percentage


def test_figures_page_in_english_shows_english_definitions(client, director, year_2023):
    client.force_login(director)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("reporting:figures"), {"year": 2023}).content.decode()
    assert 'lang="en"' in body
    assert "<details" in body and "every channel, identified or anonymous persons" in body
    assert "tous canaux, personnes identifiées ou anonymes" not in body
    drill = client.get(
        reverse("reporting:drilldown"), {"key": "caarud.people", "year": 2023}
    ).content.decode()
    assert "whose profile says they use drugs" in drill


def test_figures_page_search_filters_by_label_or_key(client, director, year_2023):
    client.force_login(director)
    response = client.get(reverse("reporting:figures"), {"year": 2023, "q": "pipe a crack"})
    keys = [row.key for _s, _t, rows in response.context["sections"] for row in rows]
    assert keys == ["rdr.material.crack_pipe"]
    response = client.get(reverse("reporting:figures"), {"year": 2023, "q": "psp.renew"})
    keys = [row.key for _s, _t, rows in response.context["sections"] for row in rows]
    assert keys == ["rights.psp.renewals"]
    response = client.get(reverse("reporting:figures"), {"year": 2023, "q": "zzznothing"})
    assert response.context["sections"] == []
    assert "0 chiffre" in response.content.decode()


def test_drill_down_is_titled_by_the_label(client, director, year_2023):
    client.force_login(director)
    body = client.get(
        reverse("reporting:drilldown"), {"key": "caarud.people", "year": 2023}
    ).content.decode()
    assert "<title>Personnes usagères de drogues" in body.replace("\n", "")


def test_checks_name_their_figures_by_label(client, director):
    from tests.factories import SchoolSessionFactory

    SchoolSessionFactory(date=datetime.date(2023, 3, 2), pupils=10, boys=3, girls=3)
    client.force_login(director)
    body = client.get(reverse("reporting:checks", args=[2023])).content.decode()
    assert "Adolescent·es rencontré·es en milieu scolaire" in body


def test_pdf_appendix_lists_every_key_with_its_label_and_french_value(year_2023):
    from reporting import document

    values = figures.all_figures(2023)
    values["rdr.material.male_condom"] = 76226
    html = document.render_to_string(
        "reporting/pdf/report.html", document.context(2023, values, [])
    )
    appendix = html[html.index('id="appendix"') :]
    assert "rdr.material.male_condom</td><td>Matériel distribué" in appendix
    assert f"76{THIN}226" in appendix
    assert appendix.count("<tr>") == len(values)

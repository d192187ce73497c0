import datetime
import zoneinfo

import pytest
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
    assert description.unit in UNITS, description.key
    assert description.section in SECTION_SLUGS, description.key
    assert "{" not in description.label + description.label_en + description.definition


def test_every_figure_of_the_year_has_a_complete_description(year_2023):
    keys = set(figures.all_figures(2023))
    described = descriptions.describe(keys)
    assert keys - set(described) == set()
    for description in described.values():
        assert_complete(description)


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

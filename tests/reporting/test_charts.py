"""The report's charts: French labels from the reference lists, both series of the
rights chart named, values in French typography, the material split by family."""

import base64
import datetime

import pytest
from django.urls import reverse

from contacts.models import Material
from reporting import charts
from rights.models import ProcedureTheme
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def svg(uri: str | None) -> str:
    assert uri is not None
    return base64.b64decode(uri.split(",", 1)[1]).decode()


def test_the_rights_chart_names_themes_and_both_series_in_french():
    values = {
        "rights.procedures.social_benefits.opened": 96,
        "rights.procedures.social_benefits.completed": 58,
        "rights.procedures.housing.opened": 41,
        "rights.procedures.housing.completed": 0,
        "rights.procedures.banking.opened": 0,
        "rights.procedures.banking.completed": 0,
    }
    drawn = svg(charts.report_charts(values)["procedures"])
    label = ProcedureTheme.objects.get(slug="social_benefits").label
    assert label in drawn
    assert "social_benefits" not in drawn and "housing" not in drawn
    assert "Démarches engagées" in drawn and "Démarches abouties" in drawn
    # A theme with nothing in either series is left out.
    assert ProcedureTheme.objects.get(slug="banking").label not in drawn


def test_quantities_print_in_french_and_the_material_splits_by_family():
    drug = Material.objects.filter(category=Material.Category.DRUG_USE).first()
    sex = Material.objects.filter(category=Material.Category.SEX_WORK).first()
    values = {f"rdr.material.{drug.slug}": 3400, f"rdr.material.{sex.slug}": 76226}
    drawn = charts.report_charts(values)
    drugs, sex_work = svg(drawn["materials_drugs"]), svg(drawn["materials_sex_work"])
    assert drug.label in drugs and sex.label not in drugs
    assert sex.label in sex_work and drug.label not in sex_work
    assert "3\u202f400" in drugs and "76\u202f226" in sex_work
    assert "3400" not in drugs


def test_minors_charts_have_a_series_per_category():
    values = {
        "minors.prostitution_modes.minor.street": 25,
        "minors.prostitution_modes.young_adult.street": 33,
        "minors.prostitution_modes.minor.internet": 13,
        "minors.prostitution_modes.young_adult.internet": 23,
        "minors.age.17": 14,
        "minors.age.16": 11,
    }
    drawn = charts.report_charts(values)
    modes = svg(drawn["prostitution_modes"])
    assert "Mineur·es" in modes and "Jeunes majeur·es" in modes
    assert "street" not in modes
    assert "17 ans" in svg(drawn["minors_age"])


def test_nothing_is_drawn_for_an_empty_family():
    drawn = charts.report_charts({"rights.procedures.housing.opened": 0})
    assert drawn["procedures"] is None
    assert drawn["gender"] is None and drawn["minors_products"] is None


def test_the_figures_page_titles_its_charts_in_french(client, director, educator):
    ContactFactory(
        author=educator,
        occurred_at=datetime.datetime(2023, 5, 3, 15, tzinfo=datetime.UTC),
        material={"crack_pipe": 3},
    )
    client.force_login(director)
    url = reverse("reporting:figures")
    # The page offers the charts without drawing them: drawn when their section opens.
    page = client.get(url, {"year": 2023}).content.decode()
    assert "data:image/svg+xml" not in page
    assert "graphiques=1" in page
    opened = client.get(url, {"year": 2023, "graphiques": 1}, headers={"HX-Request": "true"})
    fragment = opened.content.decode()
    assert "<html" not in fragment and "data:image/svg+xml" in fragment
    assert 'alt="Matériel lié à l&#x27;usage de drogues"' in fragment
    assert "materials_drugs" not in fragment
    # Without htmx, the link shows the page with its charts open.
    full = client.get(url, {"year": 2023, "graphiques": 1}).content.decode()
    assert "<html" in full and 'alt="Matériel lié à l&#x27;usage de drogues"' in full
    # A year with nothing to draw says so.
    empty = client.get(url, {"year": 2019, "graphiques": 1}, headers={"HX-Request": "true"})
    assert "Rien à dessiner" in empty.content.decode()

"""Reference figures: only keys of the report, corrected on their own page (guarded
against concurrent saves), withdrawn by archiving, never deleted."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reporting import figures, services
from reporting.models import ReferenceFigure
from tests.factories import ReferenceFigureFactory

pytestmark = pytest.mark.django_db


def valid(**overrides):
    return {
        "key": "attendance.contacts",
        "year": "2021",
        "value": "7800",
        "source": "Rapport 2021, p. 4",
        **overrides,
    }


def test_the_keys_are_those_the_report_computes():
    keys = figures.figure_keys(2021)
    assert {"attendance.contacts", "caarud.share_of_people", "rdr.material.crack_pipe"} <= keys
    assert keys == set(figures.all_figures(2021))


def test_a_reference_figure_of_a_report_key_is_recorded(client, director):
    client.force_login(director)
    response = client.post(reverse("reporting:reference-figures"), valid())
    assert response.status_code == 302
    ref = ReferenceFigure.objects.get()
    assert (ref.key, ref.year, ref.value, ref.created_by) == (
        "attendance.contacts",
        2021,
        Decimal("7800"),
        director,
    )
    assert figures.reference_values(2021) == {"attendance.contacts": 7800}


@pytest.mark.parametrize("key", ["attendance.contact", "caarud.gender.martian", "x.y"])
def test_an_unknown_key_is_refused_naming_the_field_and_keeping_the_input(client, director, key):
    client.force_login(director)
    response = client.post(reverse("reporting:reference-figures"), valid(key=key))
    assert response.status_code == 200
    assert not ReferenceFigure.all_objects.exists()
    form = response.context["form"]
    assert list(form.errors) == ["key"]
    assert "n'est pas une clé des chiffres du rapport" in form.errors["key"][0]
    body = response.content.decode()
    assert f'value="{key}"' in body
    assert 'value="Rapport 2021, p. 4"' in body


def test_the_service_refuses_an_unknown_key_as_an_import_would_see_it(director):
    with pytest.raises(ValidationError) as refused:
        services.reference_figure_save(
            data={"key": "attendance.contact", "year": 2021, "value": 1, "source": "s"},
            by=director,
        )
    assert list(refused.value.message_dict) == ["key"]
    assert not ReferenceFigure.all_objects.exists()


def test_an_entry_is_corrected_on_its_page(client, director):
    ref = ReferenceFigureFactory(year=2021, value=Decimal("10"), source="Rapport")
    url = reverse("reporting:reference-figure-edit", args=[ref.pk])
    client.force_login(director)
    page = client.get(url)
    assert page.context["form"].initial["value"] == Decimal("10")
    response = client.post(
        url, {**valid(value="12", source="Rapport, erratum"), "seen": page.context["seen"]}
    )
    assert response.status_code == 302
    ref.refresh_from_db()
    assert (ref.value, ref.source) == (Decimal("12"), "Rapport, erratum")
    assert ReferenceFigure.all_objects.count() == 1


def test_a_correction_with_an_unknown_key_changes_nothing(client, director):
    ref = ReferenceFigureFactory(year=2021, value=Decimal("10"))
    url = reverse("reporting:reference-figure-edit", args=[ref.pk])
    client.force_login(director)
    seen = client.get(url).context["seen"]
    response = client.post(url, {**valid(key="attendance.visits", value="99"), "seen": seen})
    assert response.status_code == 200
    assert "key" in response.context["form"].errors
    ref.refresh_from_db()
    assert (ref.key, ref.value) == ("attendance.contacts", Decimal("10"))


def test_a_correction_onto_the_key_and_year_of_another_figure_is_refused(client, director):
    ReferenceFigureFactory(key="attendance.people", year=2021, value=Decimal("5"))
    ref = ReferenceFigureFactory(key="attendance.contacts", year=2021, value=Decimal("10"))
    url = reverse("reporting:reference-figure-edit", args=[ref.pk])
    client.force_login(director)
    seen = client.get(url).context["seen"]
    response = client.post(url, {**valid(key="attendance.people"), "seen": seen})
    assert response.status_code == 200
    assert "existe déjà" in response.content.decode()
    ref.refresh_from_db()
    assert ref.key == "attendance.contacts"


def test_removing_archives_with_a_reason_and_leaves_the_comparisons(client, director):
    ref = ReferenceFigureFactory(year=2021, value=Decimal("10"))
    url = reverse("reporting:reference-figure-remove", args=[ref.pk])
    client.force_login(director)
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 200
    assert "Indiquez pourquoi ce chiffre est retiré" in refused.content.decode()
    assert ReferenceFigure.objects.filter(pk=ref.pk).exists()

    assert client.post(url, {"reason": "Saisi sur la mauvaise année"}).status_code == 302
    assert not ReferenceFigure.objects.exists()
    kept = ReferenceFigure.all_objects.get(pk=ref.pk)  # archived, not deleted
    assert (kept.archived_by, kept.archive_reason) == (director, "Saisi sur la mauvaise année")
    assert figures.reference_values(2021) == {}
    listing = client.get(reverse("reporting:reference-figures"))
    assert list(listing.context["refs"]) == []
    # The same key and year may be recorded again once the wrong one is withdrawn.
    assert client.post(reverse("reporting:reference-figures"), valid()).status_code == 302
    assert ReferenceFigure.objects.get().value == Decimal("7800")


def test_a_role_that_does_not_edit_the_report_can_neither_correct_nor_remove(client, educator):
    ref = ReferenceFigureFactory(year=2021)
    client.force_login(educator)
    edit = reverse("reporting:reference-figure-edit", args=[ref.pk])
    assert client.get(edit).status_code == 403
    assert client.post(edit, valid(value="1")).status_code == 403
    remove = reverse("reporting:reference-figure-remove", args=[ref.pk])
    assert client.post(remove, {"reason": "x"}).status_code == 403
    ref.refresh_from_db()
    assert (ref.value, ref.archived_at) == (Decimal("1"), None)

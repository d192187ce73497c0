"""The materials on each contact of a round sheet are set per kind of session by the
administrator; the others stay on the sheet, one tap away."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Material
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def test_the_initial_lists_give_each_kind_of_session_its_usual_materials():
    night = {m.slug for m in Material.objects.all() if m.usual_on("night_round")}
    post = {m.slug for m in Material.objects.all() if m.usual_on("postal_dispatch")}
    assert {"crack_pipe", "male_condom", "syringe"} <= night
    assert "hiv_selftest" in post and "crack_grid" not in post
    assert not any(m.usual_on("online_round") for m in Material.objects.all())


def test_the_administrator_sets_a_material_on_the_sheet_of_a_kind(client, admin_user, educator):
    naloxone = Material.objects.get(slug="naloxone")
    assert not naloxone.usual_on("street_round")
    client.force_login(admin_user)
    url = reverse("settings:contacts_material_change", args=[naloxone.pk])
    assert "Maraude à pied" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "label": naloxone.label,
            "position": naloxone.position,
            "category": naloxone.category,
            "active": "on",
            "sheet_kinds": ["street_round"],
        },
    )
    assert response.status_code == 302
    naloxone.refresh_from_db()
    assert naloxone.sheet_kinds == ["street_round"]

    today = timezone.localdate() - datetime.timedelta(days=1)
    street = SessionFactory(kind="street_round", date=today, created_by=educator)
    night = SessionFactory(kind="night_round", date=today, created_by=educator)
    client.force_login(educator)
    street_sheet = client.get(reverse("contacts:round-sheet", args=[street.pk]))
    night_sheet = client.get(reverse("contacts:round-sheet", args=[night.pk]))
    on_street = {m.slug for m in street_sheet.context["materials"]}
    on_night = {m.slug for m in night_sheet.context["materials"]}
    assert "naloxone" in on_street and "naloxone" not in on_night
    assert "syringe" in on_night and "syringe" not in on_street


def test_an_unknown_kind_is_refused_with_a_message(client, admin_user):
    pipe = Material.objects.get(slug="crack_pipe")
    client.force_login(admin_user)
    url = reverse("settings:contacts_material_change", args=[pipe.pk])
    response = client.post(
        url,
        {
            "label": pipe.label,
            "position": pipe.position,
            "category": pipe.category,
            "active": "on",
            "sheet_kinds": ["space_round"],
        },
    )
    assert response.status_code == 200
    assert "space_round" in response.content.decode()
    pipe.refresh_from_db()
    assert "space_round" not in pipe.sheet_kinds

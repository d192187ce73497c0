"""Observations of places: logged from a round by its staff, listed by zone and period,
refused to the roles that do not do the rounds."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import PlaceObservation, Zone
from tests.factories import PlaceObservationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def zones():
    first, second = Zone.objects.order_by("position", "pk")[:2]
    return first, second


def test_an_educator_logs_an_observation_and_finds_it_in_the_list(client, educator, zones):
    client.force_login(educator)
    today = timezone.localdate()
    response = client.post(
        reverse("contacts:place-create"),
        {
            "date": today.isoformat(),
            "zone": zones[0].pk,
            "place": "Square du métro",
            "kind": "new_squat",
            "note": "Tentes installées derrière le square depuis la semaine dernière.",
        },
    )
    assert response.status_code == 302
    observation = PlaceObservation.objects.get()
    assert (observation.zone, observation.kind, observation.author) == (
        zones[0],
        "new_squat",
        educator,
    )
    page = client.get(reverse("contacts:place-list")).content.decode()
    assert "Square du métro" in page and "Nouveau squat, nouveau lieu de vie" in page
    assert "Tentes installées derrière le square" in page


def test_an_invalid_observation_names_its_fields_writes_nothing_and_keeps_what_was_typed(
    client, educator, zones
):
    client.force_login(educator)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        reverse("contacts:place-create"),
        {"date": tomorrow.isoformat(), "zone": "", "place": "Parking relais", "kind": "x"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"date", "zone", "kind", "note"}
    assert "futur" in str(errors["date"])
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html and 'value="Parking relais"' in html
    assert not PlaceObservation.objects.exists()


def test_the_list_is_chosen_by_zone_kind_and_period_and_counted_by_zone(client, educator, zones):
    day = datetime.date(2026, 3, 10)
    PlaceObservationFactory(zone=zones[0], date=day, note="ZQ-first-zone-march")
    PlaceObservationFactory(zone=zones[0], date=day, kind="police", note="ZQ-police-march")
    PlaceObservationFactory(zone=zones[1], date=day, note="ZQ-second-zone-march")
    PlaceObservationFactory(zone=zones[0], date=datetime.date(2026, 5, 2), note="ZQ-first-may")
    client.force_login(educator)
    url = reverse("contacts:place-list")
    march = {"du": "2026-03-01", "au": "2026-03-31"}
    page = client.get(url, {**march, "zone": zones[0].pk}).content.decode()
    assert "ZQ-first-zone-march" in page and "ZQ-police-march" in page
    assert "ZQ-second-zone-march" not in page and "ZQ-first-may" not in page
    response = client.get(url, march)
    assert response.context["total"] == 3
    counted = {(zone, str(kind)): n for zone, kind, n in response.context["by_zone"]}
    assert counted == {
        (zones[0].label, "Matériel usagé trouvé"): 1,
        (zones[0].label, "Opération de police"): 1,
        (zones[1].label, "Matériel usagé trouvé"): 1,
    }
    police = client.get(url, {"kind": "police"}).content.decode()
    assert "ZQ-police-march" in police and "ZQ-first-may" not in police


def test_a_period_ending_before_it_starts_is_said_and_shows_nothing(client, educator):
    PlaceObservationFactory(note="ZQ-any")
    client.force_login(educator)
    response = client.get(reverse("contacts:place-list"), {"du": "2026-05-01", "au": "2026-04-01"})
    assert response.status_code == 200
    assert "La fin de la période précède son début." in response.content.decode()
    assert "ZQ-any" not in response.content.decode()
    bad = client.get(reverse("contacts:place-list"), {"du": "pas une date", "zone": "x"})
    assert bad.status_code == 200 and "Saisissez une date valide." in bad.content.decode()


def test_an_observation_is_edited_then_archived_never_deleted(client, educator, zones):
    observation = PlaceObservationFactory(zone=zones[0], note="ZQ-before")
    client.force_login(educator)
    edit = reverse("contacts:place-edit", args=[observation.pk])
    context = client.get(edit).context
    data = {name: context["form"][name].value() for name in context["form"].fields}
    data |= {"seen": context["seen"], "note": "ZQ-after", "zone": zones[1].pk}
    assert client.post(edit, data).status_code == 302
    observation.refresh_from_db()
    assert (observation.note, observation.zone) == ("ZQ-after", zones[1])
    archive = reverse("casefile:archive-place", args=[observation.pk])
    assert client.post(archive, {"reason": "Saisie en double"}).status_code == 302
    assert "ZQ-after" not in client.get(reverse("contacts:place-list")).content.decode()
    assert PlaceObservation.all_objects.filter(pk=observation.pk, archived_at__isnull=False)
    assert client.get(edit).status_code == 404


@pytest.mark.parametrize("role", ["peer_volunteer", "nurse", "director"])
def test_the_staff_of_the_rounds_and_the_director_read_the_observations(client, make_user, role):
    PlaceObservationFactory(note="ZQ-readable")
    client.force_login(make_user(role))
    assert "ZQ-readable" in client.get(reverse("contacts:place-list")).content.decode()


@pytest.mark.parametrize("role", ["partner_practitioner", "administrator", "minors_team"])
def test_roles_outside_the_rounds_are_refused_every_page(client, make_user, role):
    observation = PlaceObservationFactory(note="ZQ-hidden")
    client.force_login(make_user(role))
    pages = [
        reverse("contacts:place-list"),
        reverse("contacts:place-create"),
        reverse("contacts:place-edit", args=[observation.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert "ZQ-hidden" not in response.content.decode()
    posted = client.post(
        reverse("contacts:place-create"),
        {"date": "2026-03-01", "zone": observation.zone.pk, "kind": "other", "note": "ZQ-new"},
    )
    assert posted.status_code in (403, 404)
    assert not PlaceObservation.objects.filter(note="ZQ-new").exists()

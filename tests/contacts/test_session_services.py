"""Services given during a session to no one in particular (coffees, meals, showers),
counted on the session as outreach tools keep them."""

import pytest
from django.urls import reverse

from contacts.models import Service, SessionService
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def _data(client, url, lines):
    page = client.get(url)
    management = page.context["formset"].management_form
    data = {bound.html_name: bound.value() for bound in management}
    data["seen"] = page.context["seen"]
    for index, (service, count) in enumerate(lines):
        data[f"service_lines-{index}-service"] = str(service.pk) if service else ""
        data[f"service_lines-{index}-count"] = count
    return data


def test_counts_are_saved_on_the_session_and_shown(client, educator):
    session = SessionFactory(kind="drop_in", created_by=educator)
    meal, shower = Service.objects.get(slug="snack_meal"), Service.objects.get(slug="shower")
    client.force_login(educator)
    url = reverse("contacts:session-services", args=[session.pk])
    response = client.post(url, _data(client, url, [(meal, "12"), (shower, "3")]))
    assert response.status_code == 302
    assert {(s.service.slug, s.count) for s in SessionService.objects.all()} == {
        ("snack_meal", 12),
        ("shower", 3),
    }
    detail = client.get(reverse("contacts:session-detail", args=[session.pk])).content.decode()
    assert "Prestations sans personne" in detail and f"12 {meal.plural.lower()}" in detail


@pytest.mark.parametrize(
    ("count", "message"),
    [("0", "supérieure ou égale à 1"), ("abc", "Saisissez un nombre entier"), ("", "obligatoire")],
)
def test_a_wrong_count_names_the_field_and_writes_nothing(client, educator, count, message):
    session = SessionFactory(created_by=educator)
    meal = Service.objects.get(slug="snack_meal")
    client.force_login(educator)
    url = reverse("contacts:session-services", args=[session.pk])
    response = client.post(url, _data(client, url, [(meal, count)]))
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert message in page and "Nombre" in page
    assert not SessionService.objects.exists()


def test_the_same_service_twice_is_refused(client, educator):
    session = SessionFactory(created_by=educator)
    meal = Service.objects.get(slug="snack_meal")
    client.force_login(educator)
    url = reverse("contacts:session-services", args=[session.pk])
    response = client.post(url, _data(client, url, [(meal, "2"), (meal, "5")]))
    assert response.status_code == 200
    assert not SessionService.objects.exists()

"""The session list: a period chosen with from/to dates, opening on the last 60 days or,
when they hold no session, on the 60 days ending on the last session."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db

URL = reverse("contacts:session-list")


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def detail(session):
    return reverse("contacts:session-detail", args=[session.pk])


@pytest.fixture
def client_in(login, educator):
    return login(educator)


def test_opens_on_the_last_60_days_when_they_hold_sessions(client_in, educator):
    recent = SessionFactory(date=days_ago(3), created_by=educator)
    edge = SessionFactory(date=days_ago(59), created_by=educator)
    older = SessionFactory(date=days_ago(60), created_by=educator)
    response = client_in.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert detail(recent) in page and detail(edge) in page
    assert detail(older) not in page
    assert response.context["start"] == days_ago(59)
    assert response.context["end"] == timezone.localdate()
    assert response.context["notice"] == ""
    # The date fields show the period the page opened on.
    assert f'value="{days_ago(59).isoformat()}"' in page
    assert f'value="{timezone.localdate().isoformat()}"' in page


def test_data_only_in_the_past_opens_on_the_60_days_ending_on_the_last_session(client_in, educator):
    last = SessionFactory(date=days_ago(400), created_by=educator)
    same_period = SessionFactory(date=days_ago(400 + 59), created_by=educator)
    before = SessionFactory(date=days_ago(400 + 60), created_by=educator)
    response = client_in.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert detail(last) in page and detail(same_period) in page
    assert detail(before) not in page
    assert response.context["end"] == days_ago(400)
    assert response.context["start"] == days_ago(459)
    assert "Aucune session sur les 60 derniers jours" in page
    assert days_ago(400).strftime("%d/%m/%Y") in response.context["notice"]


def test_the_fallback_follows_the_kind_filter(client_in, educator):
    SessionFactory(kind="drop_in", date=days_ago(2), created_by=educator)
    night = SessionFactory(kind="night_round", date=days_ago(200), created_by=educator)
    response = client_in.get(URL, {"kind": "night_round"})
    assert detail(night) in response.content.decode()
    assert response.context["end"] == night.date
    assert response.context["notice"]


def test_empty_database_opens_on_the_last_60_days_without_notice(client_in):
    response = client_in.get(URL)
    assert response.status_code == 200
    assert response.context["sessions"] == []
    assert response.context["start"] == days_ago(59)
    assert response.context["notice"] == ""
    assert "Aucune session sur la période." in response.content.decode()


def test_a_chosen_period_includes_both_ends(client_in, educator):
    first = SessionFactory(date=datetime.date(2023, 3, 1), created_by=educator)
    last = SessionFactory(date=datetime.date(2023, 3, 31), created_by=educator)
    outside = [
        SessionFactory(date=datetime.date(2023, 2, 28), created_by=educator),
        SessionFactory(date=datetime.date(2023, 4, 1), created_by=educator),
        SessionFactory(date=days_ago(1), created_by=educator),
    ]
    response = client_in.get(URL, {"start": "2023-03-01", "end": "2023-03-31"})
    page = response.content.decode()
    assert [s.pk for s in response.context["sessions"]] == [last.pk, first.pk]
    assert not any(detail(s) in page for s in outside)
    assert response.context["notice"] == ""
    assert 'value="2023-03-01"' in page and 'value="2023-03-31"' in page


def test_a_period_typed_the_french_way_is_understood(client_in, educator):
    inside = SessionFactory(date=datetime.date(2023, 3, 15), created_by=educator)
    response = client_in.get(URL, {"start": "01/03/2023", "end": "31/03/2023"})
    assert [s.pk for s in response.context["sessions"]] == [inside.pk]


def test_only_a_start_runs_to_today(client_in, educator):
    old = SessionFactory(date=days_ago(100), created_by=educator)
    recent = SessionFactory(date=days_ago(1), created_by=educator)
    SessionFactory(date=days_ago(101), created_by=educator)
    response = client_in.get(URL, {"start": days_ago(100).isoformat()})
    assert [s.pk for s in response.context["sessions"]] == [recent.pk, old.pk]
    assert response.context["end"] == timezone.localdate()


def test_only_an_end_shows_the_60_days_ending_there(client_in, educator):
    inside = SessionFactory(date=datetime.date(2023, 5, 2), created_by=educator)
    SessionFactory(date=datetime.date(2023, 3, 2), created_by=educator)
    response = client_in.get(URL, {"end": "2023-05-02"})
    assert [s.pk for s in response.context["sessions"]] == [inside.pk]
    assert response.context["start"] == datetime.date(2023, 3, 4)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2023-13-45"}, "« Du » n'est pas une date valide"),
        ({"end": "demain"}, "« Au » n'est pas une date valide"),
        ({"start": "2023-04-01", "end": "2023-03-01"}, "La date « Au » (01/03/2023) précède"),
    ],
)
def test_a_wrong_date_names_its_field_and_the_list_opens_as_without_dates(
    client_in, educator, query, message
):
    recent = SessionFactory(date=days_ago(3), created_by=educator)
    response = client_in.get(URL, query)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert message in page
    assert "is-invalid" in page
    assert detail(recent) in page
    assert response.context["start"] == days_ago(59)


@pytest.mark.parametrize("query", [{"end": "0001-01-03"}, {"start": "9999-12-31"}])
def test_dates_at_the_calendar_limits_never_fail(client_in, query):
    assert client_in.get(URL, query).status_code == 200

"""The figures page keeps its figures in a cache, under the token of the records they
were computed from: never older than the records."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import Channel
from entractes.apps import create_cache_tables
from entractes.freshness import ALL_YEARS, earliest_year, state_of
from exchange.engine import import_records
from reporting import figures
from tests.factories import ContactFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):
    """The figures' cache as in production (the tests' settings keep none)."""
    settings.CACHES = {
        **settings.CACHES,
        "figures": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "test_figures_cache",
            "TIMEOUT": 600,
        },
    }
    create_cache_tables(using="default")
    return caches["figures"]


def on(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(15), tzinfo=datetime.UTC)


def contacts_on_page(client, year: int) -> tuple[int, int | None]:
    response = client.get(reverse("reporting:figures"), {"year": year})
    assert response.status_code == 200
    rows = {row.key: row for _slug, _title, rows in response.context["sections"] for row in rows}
    return rows["attendance.contacts"].value, rows["attendance.contacts"].previous


def test_the_page_computes_once_then_reads_the_kept_figures(
    client, director, kept, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
        ContactFactory(occurred_at=on(datetime.date(2022, 3, 1)))
    client.force_login(director)
    with CaptureQueriesContext(connection) as first:
        assert contacts_on_page(client, 2023) == (1, 1)
    with CaptureQueriesContext(connection) as second:
        assert contacts_on_page(client, 2023) == (1, 1)
    # Both years' figures (dozens of aggregate queries) come from the cache the second time.
    assert len(second) <= len(first) - 40, (len(first), len(second))


def test_a_new_record_is_counted_at_once(
    client, director, kept, django_capture_on_commit_callbacks
):
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
        ContactFactory(occurred_at=on(datetime.date(2022, 3, 1)))
    assert contacts_on_page(client, 2023) == (1, 1)
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 4, 1)))
    assert contacts_on_page(client, 2023) == (2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2022, 4, 1)))
    assert contacts_on_page(client, 2023) == (2, 2)


def test_a_change_to_a_record_is_counted_at_once(
    client, director, kept, django_capture_on_commit_callbacks
):
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        contact = ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
    assert contacts_on_page(client, 2023)[0] == 1
    with django_capture_on_commit_callbacks(execute=True):
        contact.occurred_at = on(datetime.date(2024, 3, 1))
        contact.save()
    assert contacts_on_page(client, 2023)[0] == 0


def test_a_transaction_of_many_records_draws_one_token(django_capture_on_commit_callbacks):
    before = state_of(9999)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ContactFactory.create_batch(10, occurred_at=on(datetime.date(2023, 3, 1)))
    assert len(callbacks) == 1
    assert state_of(9999) != before


def test_a_new_record_leaves_the_figures_of_earlier_years_kept(
    client, director, kept, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
    client.force_login(director)
    assert contacts_on_page(client, 2023)[0] == 1
    with CaptureQueriesContext(connection) as kept_read:
        assert contacts_on_page(client, 2023)[0] == 1
    before = {year: state_of(year) for year in (2023, 2025, 2026)}
    with django_capture_on_commit_callbacks(execute=True):
        contact = ContactFactory(person=None, occurred_at=on(datetime.date(2026, 1, 5)))
    assert earliest_year(contact) == 2026
    assert state_of(2023) == before[2023] and state_of(2025) == before[2025]
    assert state_of(2026) != before[2026]
    with CaptureQueriesContext(connection) as again:
        assert contacts_on_page(client, 2023)[0] == 1
    assert len(again) == len(kept_read)  # nothing computed again
    # A late entry dated in the year counts at once.
    with django_capture_on_commit_callbacks(execute=True):
        late = ContactFactory(occurred_at=on(datetime.date(2023, 12, 31)))
    assert earliest_year(late) == 2023
    assert contacts_on_page(client, 2023)[0] == 2


def test_the_earliest_of_a_records_dates_counts():
    contact = ContactFactory.build(occurred_at=on(datetime.date(2023, 3, 1)))
    assert earliest_year(contact) == 2023
    # An undated record (here a reference list's entry) touches every year.
    assert earliest_year(Channel.objects.get(slug="drop_in")) == ALL_YEARS


def test_changing_a_list_of_a_person_draws_a_token(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = PersonFactory()
    before = state_of(9999)
    with django_capture_on_commit_callbacks(execute=True):
        person.languages.clear()
    assert state_of(9999) != before


def test_reading_records_draws_no_token(client, educator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        person = PersonFactory()
    before = state_of(9999)
    client.force_login(educator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert client.get(reverse("contacts:person-detail", args=[person.code])).status_code == 200
        assert client.get(reverse("contacts:person-list")).status_code == 200
    assert callbacks == [] and state_of(9999) == before


def test_an_import_draws_a_token_and_a_dry_run_none(admin_user, django_capture_on_commit_callbacks):
    data = {"persons": [(2, {"id": "P-1", "nickname": "Lou", "gender": "Femme"})]}
    before = state_of(9999)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_records(data, by=admin_user, dry_run=True)
    assert callbacks == [] and state_of(9999) == before
    with django_capture_on_commit_callbacks(execute=True):
        import_records(data, by=admin_user)
    assert state_of(9999) != before


def test_the_report_and_exports_compute_afresh(kept, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2022, 3, 1)))
    assert figures.kept_figures(2022)["attendance.contacts"] == 1
    # A write whose token is not drawn yet (still in its transaction): the kept figures
    # lag, the report's own do not.
    ContactFactory(occurred_at=on(datetime.date(2022, 4, 1)))
    assert figures.kept_figures(2022)["attendance.contacts"] == 1
    assert figures.previous_values(2023)[0]["attendance.contacts"] == 2
    assert figures.all_figures(2022)["attendance.contacts"] == 2

"""The figures page keeps its figures in a cache, under the token of the records they
were computed from: never older than the records."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Channel, Contact, ContactMaterial, Material, Person, Product
from contacts.services import person_merge, person_merge_undo, session_update
from entractes.apps import create_cache_tables
from entractes.freshness import ALL_YEARS, earliest_year, state_of
from entractes.lib.figures import OPEN
from entractes.lib.period import Period
from exchange.engine import import_records
from health.models import ServiceLine
from reporting import figures
from tests.factories import (
    ContactFactory,
    MinorFileFactory,
    PersonFactory,
    ProcedureFactory,
    PublicationFactory,
    ReferenceFigureFactory,
    SessionFactory,
    WorkshopFactory,
)
from tests.reporting.shown import rows_of, rows_shown

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
    row = rows_shown(client, {"year": year})["attendance.contacts"]
    return row.value, row.previous


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


def test_a_cold_page_shows_its_year_and_loads_the_year_before_after_it(
    client, director, kept, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
        ContactFactory(occurred_at=on(datetime.date(2022, 3, 1)))
        ContactFactory(occurred_at=on(datetime.date(2022, 4, 1)))
    client.force_login(director)
    url = reverse("reporting:figures")
    page = client.get(url, {"year": 2023})
    html = page.content.decode()
    # The year's figures are shown; those of 2022 are not computed with the page.
    assert page.context["comparison_pending"]
    assert figures.kept_only("all_figures", 2022, OPEN) is None
    assert figures.kept_only("all_figures", 2023, OPEN) is not None
    assert 'hx-get="?year=2023&amp;comparaison=1"' in html and 'hx-trigger="load"' in html
    assert "Les chiffres de 2022 sont en cours de calcul" in html
    rows = rows_of(page)
    assert (rows["attendance.contacts"].value, rows["attendance.contacts"].previous) == (1, None)
    # htmx asks for the sections again, now with 2022: a fragment, not a page.
    fragment = client.get(url, {"year": 2023, "comparaison": 1}, headers={"HX-Request": "true"})
    text = fragment.content.decode()
    assert "<html" not in text and 'class="figure-sections"' in text
    assert "hx-get" not in text and "en cours de calcul" not in text
    rows = rows_of(fragment)
    assert (rows["attendance.contacts"].value, rows["attendance.contacts"].previous) == (1, 2)
    # Now kept, the year before comes with the page at once.
    again = client.get(url, {"year": 2023})
    assert (
        not again.context["comparison_pending"]
        and 'hx-trigger="load"' not in again.content.decode()
    )


def test_without_htmx_the_comparison_is_a_link_to_the_whole_page(
    client, director, kept, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
        ContactFactory(occurred_at=on(datetime.date(2022, 3, 1)))
    client.force_login(director)
    url = reverse("reporting:figures")
    html = client.get(url, {"year": 2023, "q": "contacts"}).content.decode()
    assert '<noscript> <a href="?year=2023&amp;comparaison=1&amp;q=contacts">' in html
    full = client.get(url, {"year": 2023, "comparaison": 1, "q": "contacts"})
    assert "<html" in full.content.decode() and not full.context["comparison_pending"]
    rows = rows_of(full)
    assert rows["attendance.contacts"].previous == 1
    assert all("contacts" in row.key for row in rows.values() if row.description is None)


def test_a_chosen_period_loads_its_comparison_after_the_page(
    client, director, kept, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 2, 1)))
        ContactFactory(occurred_at=on(datetime.date(2022, 2, 1)))
    client.force_login(director)
    url = reverse("reporting:figures")
    quarter = {"du": "2023-01-01", "au": "2023-03-31"}
    page = client.get(url, quarter)
    assert page.context["comparison_pending"]
    query = page.context["comparison_query"]
    assert "du=2023-01-01" in query and "comparaison=1" in query
    fragment = client.get(f"{url}?{query}", headers={"HX-Request": "true"})
    rows = rows_of(fragment)
    assert rows["attendance.contacts"].previous == 1


def test_reference_figures_come_with_the_page(client, director, kept):
    ReferenceFigureFactory(year=2022, key="attendance.contacts", value=40)
    ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
    client.force_login(director)
    page = client.get(reverse("reporting:figures"), {"year": 2023})
    assert not page.context["comparison_pending"]
    rows = rows_of(page)
    assert rows["attendance.contacts"].previous == 40


def test_a_published_year_reads_what_changed_from_the_kept_figures(
    client, director, kept, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
    PublicationFactory(year=2023, figures=figures.all_figures(2023))
    client.force_login(director)
    url = reverse("reporting:figures")
    with CaptureQueriesContext(connection) as first:
        assert client.get(url, {"year": 2023}).context["changes"] == []
    with CaptureQueriesContext(connection) as again:
        assert client.get(url, {"year": 2023}).context["changes"] == []
    # Neither the year nor what changed since its publication is computed again (the
    # figures of a year are dozens of aggregate queries).
    assert len(again) <= len(first) - 30, (len(first), len(again))
    counted = [q["sql"] for q in again.captured_queries if '"contacts_contact"' in q["sql"]]
    assert not any("COUNT(" in sql for sql in counted), counted
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 4, 1)))
    changes = client.get(url, {"year": 2023}).context["changes"]
    assert ("attendance.contacts", 1, 2) in changes


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
    # A reference figure stands for its year, whenever it was typed.
    assert earliest_year(ReferenceFigureFactory.build(year=2021)) == 2021


def test_a_record_without_dates_counts_with_the_one_it_belongs_to():
    contact = ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
    line = ContactMaterial(contact=contact, material=Material.objects.first(), quantity=2)
    assert earliest_year(line) == 2023
    assert earliest_year(ContactMaterial(contact_id=contact.pk, quantity=2)) == 2023


def test_a_person_counts_from_their_first_record_not_their_birth():
    person = PersonFactory(birth_date=datetime.date(1990, 4, 1))
    assert earliest_year(person) == timezone.localdate().year  # no record yet
    ContactFactory(person=person, occurred_at=on(datetime.date(2025, 3, 1)))
    ProcedureFactory(person=person, opened_on=datetime.date(2024, 2, 1))
    assert earliest_year(person) == 2024


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


# --- An edit draws the token of the years its records count in ----------------------------


def _value(bound) -> str | list[str]:
    value = bound.value()
    if value is None or value is False:
        return ""
    if value is True:
        return "on"
    if isinstance(value, list | tuple):
        return [str(getattr(v, "pk", v)) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def resubmit(client, url: str, **changes) -> None:
    """Send an edit page's form back as the browser would, with ``changes``."""
    context = client.get(url).context
    data = {"seen": context["seen"]}
    data |= {bound.html_name: _value(bound) for bound in context["form"]}
    response = client.post(url, {**data, **changes})
    assert response.status_code == 302, response.context["form"].errors


@pytest.fixture
def computed(monkeypatch):
    """The periods whose figures were computed, not read from the cache."""
    periods: list[Period] = []
    compute = figures.all_figures

    def spy(period, scope=OPEN):
        periods.append(Period.of(period))
        return compute(period, scope)

    monkeypatch.setattr(figures, "all_figures", spy)
    return periods


def years(*numbers: int) -> list[Period]:
    return [Period.calendar_year(number) for number in numbers]


def view_pages(client, director, *numbers: int) -> None:
    client.force_login(director)
    for number in numbers:
        assert client.get(reverse("reporting:figures"), {"year": number}).status_code == 200


@pytest.fixture
def years_kept(client, director, kept, computed, django_capture_on_commit_callbacks):
    """A contact in each of 2022, 2023, 2024 and 2026, the figures of those years kept."""
    with django_capture_on_commit_callbacks(execute=True):
        contacts = {
            year: ContactFactory(occurred_at=on(datetime.date(year, 3, 1)))
            for year in (2022, 2023, 2024, 2026)
        }
    view_pages(client, director, 2022, 2023, 2024, 2026)
    assert set(computed) == set(years(2022, 2023, 2024, 2026))
    computed.clear()
    view_pages(client, director, 2022, 2023, 2024, 2026)
    assert computed == []  # all kept
    return contacts


def test_editing_a_contact_of_2026_leaves_the_figures_of_earlier_years_kept(
    client, director, educator, years_kept, computed, django_capture_on_commit_callbacks
):
    client.force_login(educator)
    with django_capture_on_commit_callbacks(execute=True):
        resubmit(client, reverse("contacts:contact-edit", args=[years_kept[2026].pk]), note="Vu")
    assert Contact.objects.get(pk=years_kept[2026].pk).note == "Vu"
    view_pages(client, director, 2022, 2023, 2024, 2026)
    assert computed == years(2026)


def test_moving_a_contact_out_of_2023_counts_at_once_in_2023(
    client, director, educator, years_kept, computed, django_capture_on_commit_callbacks
):
    client.force_login(educator)
    url = reverse("contacts:contact-edit", args=[years_kept[2023].pk])
    with django_capture_on_commit_callbacks(execute=True):
        resubmit(client, url, day="2026-01-05")
    assert Contact.objects.get(pk=years_kept[2023].pk).day == datetime.date(2026, 1, 5)
    # Its former year is recomputed (one contact fewer), the year before it is kept.
    assert contacts_on_page(client, 2023) == (0, 1)
    view_pages(client, director, 2022, 2024, 2026)
    assert set(computed) == set(years(2023, 2024, 2026))


def test_archiving_a_contact_of_2024_leaves_2023_kept(
    client, director, educator, years_kept, computed, django_capture_on_commit_callbacks
):
    client.force_login(educator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("casefile:archive-contact", args=[years_kept[2024].pk]), {"reason": "Erreur"}
        )
    assert response.status_code == 302
    client.force_login(director)
    assert contacts_on_page(client, 2024) == (0, 1)
    view_pages(client, director, 2022, 2023, 2026)
    assert set(computed) == set(years(2024, 2026))


def test_deleting_a_contact_and_its_material_leaves_earlier_years_kept(
    client, director, kept, computed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(occurred_at=on(datetime.date(2023, 3, 1)))
        contact = ContactFactory(
            occurred_at=on(datetime.date(2024, 3, 1)), material={"male_condom": 10}
        )
    view_pages(client, director, 2023, 2024)
    computed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        contact.material_lines.get().delete()  # a line counts in its contact's year
    view_pages(client, director, 2023, 2024)
    assert computed == years(2024)
    with django_capture_on_commit_callbacks(execute=True):
        Contact.all_objects.get(pk=contact.pk).delete()
    assert contacts_on_page(client, 2024) == (0, 1)
    assert computed == years(2024, 2024)


def test_editing_a_person_first_met_in_2024_leaves_2023_kept(
    client, director, educator, years_kept, computed, django_capture_on_commit_callbacks
):
    person = years_kept[2024].person
    with django_capture_on_commit_callbacks(execute=True):
        ContactFactory(person=person, occurred_at=on(datetime.date(2026, 5, 1)))
    view_pages(client, director, 2026)
    computed.clear()
    client.force_login(educator)
    with django_capture_on_commit_callbacks(execute=True):
        resubmit(client, reverse("contacts:person-edit", args=[person.code]), gender="male")
    assert Person.objects.get(pk=person.pk).gender == "male"
    view_pages(client, director, 2022, 2023, 2024, 2026)
    assert set(computed) == set(years(2024, 2026))


def test_a_person_counts_from_their_first_record_of_any_kind(
    client, director, years_kept, computed, django_capture_on_commit_callbacks
):
    # Met in 2026, followed in a minors' file since 2023: counted in 2023's figures.
    person = years_kept[2026].person
    with django_capture_on_commit_callbacks(execute=True):
        MinorFileFactory(person=person, opened_on=datetime.date(2023, 6, 1))
    view_pages(client, director, 2023, 2024, 2026)
    computed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        person.gender = "male"
        person.save()
    view_pages(client, director, 2022, 2023, 2024, 2026)
    assert set(computed) == set(years(2023, 2024, 2026))


def test_a_list_changed_from_its_other_side_touches_the_holders_years(
    client, director, years_kept, computed, django_capture_on_commit_callbacks
):
    person = years_kept[2024].person
    with django_capture_on_commit_callbacks(execute=True):
        workshop = WorkshopFactory(date=datetime.date(2026, 2, 1), line=ServiceLine.objects.first())
    view_pages(client, director, 2026)
    computed.clear()
    # The workshop holds the list of its participants: its year is touched, not the
    # years of the person's first meetings.
    for change in (
        lambda: person.health_workshops.add(workshop),
        lambda: person.health_workshops.clear(),
        lambda: workshop.participants.add(person),
        lambda: workshop.participants.remove(person),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            change()
        view_pages(client, director, 2022, 2023, 2024, 2026)
        assert computed == years(2026)
        computed.clear()
    # A person holds their products: touched from their first meeting.
    with django_capture_on_commit_callbacks(execute=True):
        person.products.add(Product.objects.first())
    view_pages(client, director, 2022, 2023, 2024, 2026)
    assert set(computed) == set(years(2024, 2026))


def test_a_period_is_kept_under_the_tokens_of_its_end_year(
    client, director, educator, years_kept, computed, django_capture_on_commit_callbacks
):
    quarters = {"2023": ("2023-01-01", "2023-03-31"), "2026": ("2026-01-01", "2026-03-31")}
    client.force_login(director)
    for start, end in quarters.values():
        assert client.get(reverse("reporting:figures"), {"du": start, "au": end}).status_code == 200
    computed.clear()
    client.force_login(educator)
    with django_capture_on_commit_callbacks(execute=True):
        resubmit(client, reverse("contacts:contact-edit", args=[years_kept[2026].pk]), note="Vu")
    client.force_login(director)
    for start, end in quarters.values():
        assert client.get(reverse("reporting:figures"), {"du": start, "au": end}).status_code == 200
    # The quarter of 2026 is computed again; the quarter of 2023 and those they are
    # compared with (the same quarters a year before) are kept.
    assert computed == [Period.quarter(2026, 1)]


def test_a_merge_and_its_undoing_touch_the_years_of_both_persons(
    client, director, years_kept, computed, django_capture_on_commit_callbacks
):
    kept, duplicate = years_kept[2026].person, years_kept[2024].person
    with django_capture_on_commit_callbacks(execute=True):
        merge = person_merge(kept=kept, duplicate=duplicate, by=director)
    assert Contact.objects.get(pk=years_kept[2024].pk).person == kept
    view_pages(client, director, 2022, 2023, 2024, 2026)
    assert set(computed) == set(years(2024, 2026))
    computed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        person_merge_undo(merge=merge, by=director)
    view_pages(client, director, 2022, 2023, 2024, 2026)
    assert set(computed) == set(years(2024, 2026))


def test_a_session_gives_its_day_to_contacts_counted_on_another(
    client, director, years_kept, computed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        session = SessionFactory(date=datetime.date(2026, 2, 1))
        contact = ContactFactory(session=session, occurred_at=on(datetime.date(2026, 2, 1)))
    # Counted on another day (as before contacts followed their session's).
    Contact.objects.filter(pk=contact.pk).update(day=datetime.date(2023, 5, 1))
    view_pages(client, director, 2022, 2023, 2026)
    computed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session_update(session=session, data={})
    assert Contact.objects.get(pk=contact.pk).day == session.date
    view_pages(client, director, 2022, 2023, 2026)
    assert set(computed) == set(years(2023, 2026))


def test_erasing_a_person_touches_the_years_of_their_lists(
    client, director, years_kept, computed, django_capture_on_commit_callbacks
):
    # Their participations go with the person, without a signal of their own.
    with django_capture_on_commit_callbacks(execute=True):
        workshop = WorkshopFactory(date=datetime.date(2023, 2, 1), line=ServiceLine.objects.first())
        person = PersonFactory()
        workshop.participants.add(person)
    view_pages(client, director, 2022, 2023, 2024, 2026)
    computed.clear()
    with django_capture_on_commit_callbacks(execute=True):
        person.delete()
    view_pages(client, director, 2022, 2023, 2024, 2026)
    assert set(computed) == set(years(2023, 2024, 2026))

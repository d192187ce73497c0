"""Figures for any period and within filters: the same declarations as the year's, so a
year is the sum of its quarters for what adds up, a quarter never counts more persons
than its year, and the zones partition what can be filtered by zone."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from contacts.models import Person, Session, SessionKind, Zone
from entractes.lib.figures import NO_ZONE, Scope
from entractes.lib.period import Period
from entractes.models import AccessLogEntry
from reporting import figures, periods
from tests.factories import ContactFactory, PersonFactory, SessionFactory

YEAR = 2023
QUARTERS = [Period.quarter(YEAR, n) for n in (1, 2, 3, 4)]

# Persons counted by a state the period itself decides, which a shorter period may
# find where the year does not: the age category at the first meeting of the period
# (a person met as a minor in March and as an adult in October is an adult in Q4,
# a minor in the year) and the absence of an educational measure over the period.
PERIOD_RELATIVE = (
    "attendance.people_minors",
    "attendance.people_young_adults",
    "caarud.people_minors",
    "social.people_minors",
    "minors.people.",
    "minors.age.",
    "minors.gender.",
    "minors.measures.",
    "minors.consumers.",
    "minors.tobacco.",
    "minors.products.",
    "minors.first_meeting.",
    "minors.prostitution_modes.",
    "minors.runaways.base",
)


def person_keys(period: Period) -> set[str]:
    return {
        figure.key
        for figure_set in figures.figure_sets(period)
        if figure_set.base.model is Person and not figure_set.records_only
        for figure in figure_set.figures
    }


@pytest.fixture
def demo_year(demo_db):
    return figures.all_figures(YEAR)


def test_a_year_is_the_sum_of_its_quarters_for_every_additive_figure(demo_db, demo_year):
    additive = figures.summable_keys(YEAR)
    # Counts of records and sums of quantities of every app are declared additive.
    for prefix in ("attendance.contacts", "rdr.material.", "health.", "rights.", "training."):
        assert any(key.startswith(prefix) for key in additive), prefix
    assert not additive & person_keys(YEAR)
    by_quarter = [figures.all_figures(quarter) for quarter in QUARTERS]
    wrong = {
        key: (demo_year[key], [values[key] for values in by_quarter])
        for key in additive
        if demo_year[key] != sum(values[key] for values in by_quarter)
    }
    assert not wrong
    assert sum(values["attendance.contacts"] for values in by_quarter) == 7966


def test_a_quarter_never_counts_more_persons_than_its_year(demo_db, demo_year):
    keys = {k for k in person_keys(YEAR) if not k.startswith(PERIOD_RELATIVE)}
    assert {"attendance.people", "caarud.people", "health.nurse.people"} <= keys
    over = {}
    for quarter in QUARTERS:
        values = figures.all_figures(quarter)
        over |= {
            (str(quarter), key): (values[key], demo_year[key])
            for key in keys
            if values[key] > demo_year[key]
        }
        # And the persons of a quarter are among those of the year.
        assert values["attendance.people"] < demo_year["attendance.people"]
    assert not over


def test_the_zones_partition_every_figure_filterable_by_zone(demo_db, demo_year):
    slugs = [*Zone.objects.values_list("slug", flat=True), NO_ZONE]
    sets = figures.figure_sets(YEAR)
    additive = figures.summable_keys(YEAR)
    by_zone = {slug: figures.all_figures(YEAR, Scope(zone=(slug,))) for slug in slugs}
    filterable = {key for key in additive if by_zone[slugs[0]][key] is not None}
    assert {"attendance.contacts", "rdr.material.male_condom", "mediation.events"} <= filterable
    # Health, rights and the minors' follow-up belong to no zone: said, not guessed.
    refused = figures.unfilterable(YEAR, Scope(zone=(slugs[0],)))
    assert refused["health.nurse.consultations"] == ["zone"]
    assert by_zone[slugs[0]]["health.nurse.consultations"] is None
    assert all(s.refused(Scope(zone=("x",))) == ["zone"] for s in sets if not s.filters)
    wrong = {
        key: (demo_year[key], {slug: by_zone[slug][key] for slug in slugs})
        for key in filterable
        if sum(by_zone[slug][key] for slug in slugs) != demo_year[key]
    }
    assert not wrong
    # Some zone holds a real share of the contacts, not all of them.
    assert 0 < by_zone["vieux_lille"]["attendance.contacts"] < demo_year["attendance.contacts"]


def test_a_period_takes_as_many_queries_as_a_year(demo_db):
    counts = []
    for period in (
        Period.calendar_year(YEAR),
        Period.month(YEAR, 3),
        Period(datetime.date(2022, 11, 5), datetime.date(2023, 2, 17)),
    ):
        with CaptureQueriesContext(connection) as queries:
            figures.all_figures(period, Scope(zone=("vieux_lille",), kind=("night_round",)))
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


def test_periods_and_their_comparisons():
    march = Period.month(2024, 3)
    assert march.preceding() == Period.month(2024, 2)
    assert Period.month(2024, 2).year_before() == Period.month(2023, 2)
    assert Period.quarter(2024, 1).preceding() == Period.quarter(2023, 4)
    assert Period.semester(2024, 2).preceding() == Period.semester(2024, 1)
    assert Period.calendar_year(2024).year_before() == Period.calendar_year(2023)
    span = Period(datetime.date(2024, 3, 10), datetime.date(2024, 3, 19))
    assert span.preceding() == Period(datetime.date(2024, 2, 29), datetime.date(2024, 3, 9))
    leap = Period(datetime.date(2024, 1, 1), datetime.date(2024, 2, 29))
    assert leap.year_before().end == datetime.date(2023, 2, 28)
    with pytest.raises(ValueError):
        Period(datetime.date(2024, 3, 2), datetime.date(2024, 3, 1))
    with translation.override("fr"):
        assert periods.label(Period.quarter(2024, 2)) == "T2 2024"
        assert periods.label(march) == "mars 2024"
        assert periods.label(Period(datetime.date(2024, 1, 1), datetime.date(2024, 5, 6))) == (
            "2024 jusqu'au 06/05/2024"
        )
    with translation.override("en"):
        assert periods.label(march) == "March 2024"


# --- The pages ------------------------------------------------------------------------


def _contact_on(day: datetime.date, author, zone: Zone | None = None, **more):
    session = None
    if zone is not None:
        session = SessionFactory(date=day, kind=SessionKind.STREET_ROUND, created_by=author)
        session.zones.set([zone])
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(15)))
    return ContactFactory(occurred_at=moment, author=author, session=session, **more)


@pytest.mark.django_db
def test_the_pages_open_on_the_year_to_date_when_it_holds_records(client, director, educator):
    today = timezone.localdate()
    _contact_on(today, educator, person=PersonFactory())
    _contact_on(today.replace(year=today.year - 1), educator)
    client.force_login(director)
    page = client.get(reverse("reporting:figures")).content.decode()
    assert escape(periods.label(Period(datetime.date(today.year, 1, 1), today))) in page
    assert "Année en cours jusqu'à aujourd'hui" in page
    row = page[page.index("attendance.contacts") - 600 :]
    assert ">1<" in row.replace(" ", "")[:3000]
    board = client.get(reverse("reporting:dashboard")).content.decode()
    assert "Année en cours jusqu'à aujourd'hui" in board


@pytest.mark.django_db
def test_without_records_this_year_the_pages_open_on_the_last_year_with_some(
    client, director, educator
):
    today = timezone.localdate()
    _contact_on(datetime.date(today.year - 3, 5, 4), educator)
    client.force_login(director)
    response = client.get(reverse("reporting:figures"))
    assert response.context["choice"].period == Period.calendar_year(today.year - 3)
    assert "Dernière année qui compte des enregistrements" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, message",
    [
        ({"du": "2024-13-01", "au": "2024-03-31"}, "Du : Saisissez une date valide."),
        ({"du": "2024-04-01", "au": "2024-03-31"}, "Au : La fin de la période précède son début."),
        ({"du": "2024-04-01"}, "Au : Indiquez le début et la fin de la période."),
        ({"du": "1999-01-01", "au": "1999-03-31"}, "Du : La période commence au plus tôt en 2000."),
        ({"du": "2024-01-01", "au": "2024-03-31", "zone": "nowhere"}, "Zone : Sélectionnez"),
        ({"du": "2024-01-01", "au": "2024-03-31", "equipe": "abc"}, "Équipe (saisi par) :"),
        ({"year": "1800"}, "Année inconnue"),
    ],
)
def test_a_wrong_period_or_filter_is_named_in_french(client, director, query, message):
    client.force_login(director)
    for name in ("reporting:figures", "reporting:dashboard"):
        response = client.get(reverse(name), query)
        assert response.status_code == 200
        assert message.replace("'", "&#x27;") in response.content.decode()


@pytest.mark.django_db
def test_a_zone_filter_counts_its_records_and_says_what_it_cannot_filter(
    client, director, educator
):
    lille, gare = Zone.objects.all()[:2]
    day = datetime.date(2024, 5, 14)
    for _ in range(3):
        _contact_on(day, educator, lille, person=PersonFactory())
    _contact_on(day, educator, gare, person=PersonFactory())
    _contact_on(day, educator)  # at the drop-in: no zone
    client.force_login(director)
    query = {"du": "2024-04-01", "au": "2024-06-30", "zone": lille.slug}
    response = client.get(reverse("reporting:figures"), query)
    rows = {row.key: row for _s, _t, rows in response.context["sections"] for row in rows}
    assert rows["attendance.contacts"].value == 3
    assert rows["attendance.people"].value == 3
    assert rows["social.instagram.followers"].value is None
    assert rows["social.instagram.followers"].refused == ("zone",)
    page = response.content.decode()
    assert f"Zone : {lille.label}" in page
    assert "Les chiffres de cette partie ne peuvent pas être filtrés par : zone." in page
    no_zone = client.get(reverse("reporting:figures"), {**query, "zone": NO_ZONE})
    rows = {row.key: row for _s, _t, rows in no_zone.context["sections"] for row in rows}
    assert rows["attendance.contacts"].value == 1
    both = client.get(reverse("reporting:figures"), {**query, "zone": [lille.slug, gare.slug]})
    rows = {row.key: row for _s, _t, rows in both.context["sections"] for row in rows}
    assert rows["attendance.contacts"].value == 4


@pytest.mark.django_db
def test_the_team_filter_counts_what_each_one_recorded(client, director, educator, make_user):
    other = make_user("educator", username="autre")
    day = datetime.date(2024, 2, 3)
    _contact_on(day, educator)
    _contact_on(day, educator)
    _contact_on(day, other)
    query = {"du": "2024-02-01", "au": "2024-02-29"}
    assert figures.all_figures(Period.month(2024, 2))["attendance.contacts"] == 3
    for user, expected in ((educator, 2), (other, 1)):
        values = figures.all_figures(Period.month(2024, 2), Scope(team=(user.pk,)))
        assert values["attendance.contacts"] == expected
    client.force_login(director)
    response = client.get(reverse("reporting:figures"), {**query, "equipe": other.pk})
    assert response.status_code == 200
    rows = {row.key: row for _s, _t, rows in response.context["sections"] for row in rows}
    assert rows["attendance.contacts"].value == 1
    assert rows["attendance.contacts"].previous is None  # nothing a year before


@pytest.mark.django_db
def test_the_drilldown_of_a_filtered_period_lists_its_records_only(client, director, educator):
    lille, gare = Zone.objects.all()[:2]
    kept = PersonFactory(nickname="Dalila")
    _contact_on(datetime.date(2024, 5, 14), educator, lille, person=kept)
    _contact_on(datetime.date(2024, 5, 15), educator, gare, person=PersonFactory(nickname="Zora"))
    _contact_on(datetime.date(2024, 8, 1), educator, lille, person=PersonFactory(nickname="Ines"))
    client.force_login(director)
    query = {"key": "attendance.people", "du": "2024-04-01", "au": "2024-06-30", "zone": lille.slug}
    page = client.get(reverse("reporting:drilldown"), query).content.decode()
    assert "Dalila" in page and "Zora" not in page and "Ines" not in page
    assert "T2 2024 = 1" in page
    entry = AccessLogEntry.objects.filter(action=AccessLogEntry.Action.DRILLDOWN).latest("pk")
    assert entry.detail == "2024-04-01/2024-06-30 zone=" + lille.slug


@pytest.mark.django_db
def test_the_dashboard_compares_the_chosen_period_and_names_months_in_english(
    client, director, educator
):
    _contact_on(datetime.date(2024, 3, 5), educator)
    _contact_on(datetime.date(2023, 3, 6), educator)
    _contact_on(datetime.date(2023, 3, 7), educator)
    client.force_login(director)
    response = client.get(reverse("reporting:dashboard"), {"du": "2024-03-01", "au": "2024-03-31"})
    rows = {label: (now, before) for label, now, before, _change in response.context["rows"]}
    assert rows["Contacts"] == (1, 2)
    assert "mars 2023" in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("reporting:dashboard"), {"du": "2024-03-01", "au": "2024-03-31"})
    assert "March 2024" in english.content.decode()


@pytest.mark.django_db
def test_sessions_of_several_zones_count_in_each(educator):
    lille, gare = Zone.objects.all()[:2]
    session = SessionFactory(date=datetime.date(2024, 5, 2), created_by=educator)
    session.zones.set([lille, gare])
    ContactFactory(
        session=session,
        author=educator,
        occurred_at=datetime.datetime(2024, 5, 2, 20, tzinfo=datetime.UTC),
    )
    quarter = Period.quarter(2024, 2)
    for zone in (lille, gare):
        assert figures.all_figures(quarter, Scope(zone=(zone.slug,)))["attendance.contacts"] == 1
    both = figures.all_figures(quarter, Scope(zone=(lille.slug, gare.slug)))
    assert both["attendance.contacts"] == 1
    assert Session.objects.count() == 1

"""The checks run before publishing: each rule fires on records built to break it, names
them with a link, and stays silent on clean data."""

import datetime
import zoneinfo

import pytest
from django.urls import reverse

from reporting import checks, figures
from tests.factories import (
    ConsultationFactory,
    ContactFactory,
    MinorFileFactory,
    PersonFactory,
    PSPFileFactory,
)

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
KINDS = {"persons", "minors", "psp", "health", "contacts", "breakdown", "included", "moved"}


def at(year, month=3, day=3):
    return datetime.datetime(year, month, day, 15, tzinfo=PARIS)


def findings(year=2023, previous=None):
    found = checks.run(year, figures.all_figures(year), previous or {})
    return {finding.code: finding for finding in found}


@pytest.fixture
def clean_year(educator, nurse):
    """A year with nothing to report: every record complete."""
    person = PersonFactory(nickname="Corina", birth_year=1985)
    ContactFactory(person=person, author=educator, occurred_at=at(2023))
    ConsultationFactory(
        person=person, author=nurse, at=at(2023, 4), acts=[("trod_hiv", "negative")]
    )
    MinorFileFactory(opened_on=datetime.date(2023, 2, 1))
    PSPFileFactory(
        person=person,
        filed_on=datetime.date(2023, 3, 1),
        commission_date=datetime.date(2023, 5, 10),
        state="decided",
        decision="favourable",
        decision_on=datetime.date(2023, 5, 10),
    )
    return person


def test_clean_data_gives_no_finding(clean_year):
    assert findings() == {}


def test_persons_met_without_birth_data_are_named_with_their_page(clean_year, educator):
    unknown = PersonFactory(nickname="Sans âge", birth_year=None)
    ContactFactory(person=unknown, author=educator, occurred_at=at(2023, 6))
    # Not met in the year: not a finding of the year.
    ContactFactory(person=PersonFactory(birth_year=None), author=educator, occurred_at=at(2021))
    found = findings()
    assert list(found) == ["persons:birth_unknown"]
    finding = found["persons:birth_unknown"]
    assert "1 personne(s)" in finding.message
    assert finding.links == [(unknown.code, reverse("contacts:person-detail", args=[unknown.code]))]


def test_open_files_whose_age_is_to_establish_are_named(clean_year):
    person = PersonFactory(age_to_establish=True, birth_year=None)
    still_open = MinorFileFactory(person=person, opened_on=datetime.date(2023, 5, 1))
    MinorFileFactory(
        person=PersonFactory(age_to_establish=True, birth_year=None),
        opened_on=datetime.date(2023, 1, 5),
        closed_on=datetime.date(2023, 8, 1),
    )
    finding = findings()["minors:age_to_establish"]
    assert finding.records.count() == 1
    label, url = finding.links[0]
    assert person.code in label and str(still_open.pk) in label
    assert url == reverse("minors:file-detail", args=[still_open.pk])


def test_psp_files_past_their_commission_with_no_decision_are_named(clean_year):
    waiting = PSPFileFactory(
        filed_on=datetime.date(2023, 9, 1),
        commission_date=datetime.date(2023, 11, 20),
        state="filed",
    )
    PSPFileFactory(  # withdrawn before the commission: nothing to decide
        filed_on=datetime.date(2023, 9, 1),
        commission_date=datetime.date(2023, 11, 20),
        state="closed",
    )
    finding = findings()["psp:no_decision"]
    assert [url for _label, url in finding.links] == [
        reverse("rights:psp-detail", args=[waiting.pk])
    ]
    assert "20/11/2023" in finding.links[0][0]


def test_consultations_with_no_act_are_named_without_the_person(clean_year, nurse):
    bare = ConsultationFactory(person=clean_year, author=nurse, at=at(2023, 7))
    finding = findings()["health:no_act"]
    assert finding.links == [
        (
            f"consultation n° {bare.pk} (Infirmière, {bare.day:%d/%m/%Y})",
            reverse("health:consultation-detail", args=[bare.pk]),
        )
    ]


def test_a_minor_of_unknown_gender_breaks_the_minors_gender_breakdown(clean_year):
    MinorFileFactory(
        person=PersonFactory(gender="unknown", birth_year=2009),
        opened_on=datetime.date(2023, 2, 1),
    )
    finding = findings()["breakdown:minors.gender."]
    assert "minors.people.minor" in finding.keys
    assert (
        "minors.people.minor",
        f"{reverse('reporting:drilldown')}?year=2023&key=minors.people.minor",
    ) in finding.links


def test_a_part_larger_than_its_whole_is_found():
    values = {
        "attendance.people": 10,
        "caarud.people": 4,
        "caarud.new_people": 6,
        "attendance.people_minors": 11,
    }
    found = {f.code for f in checks.consistency(2023, values, set(), {})}
    assert found == {"included:caarud.new_people", "included:attendance.people_minors"}
    assert (
        checks.consistency(
            2023, {**values, "caarud.new_people": 4, "attendance.people_minors": 2}, set(), {}
        )
        == []
    )


@pytest.mark.parametrize(
    ("before", "now", "fires"),
    [
        (5, 31, True),
        (5, 20, False),
        (100, 140, False),
        (100, 160, True),
        (0, 21, True),
        (0.2, 0.9, False),
        (None, 500, False),
    ],
)
def test_a_move_needs_both_the_share_and_the_units(before, now, fires):
    assert checks.moved(now, before) is fires


@pytest.mark.parametrize(("contacts_2023", "fires"), [(31, True), (20, False)])
def test_a_figure_that_moved_names_the_persons_behind_it(educator, contacts_2023, fires):
    person = PersonFactory(nickname="Très vue", birth_year=1980)
    for day in range(1, 6):
        ContactFactory(person=person, author=educator, occurred_at=at(2022, 2, day))
    for day in range(contacts_2023):
        ContactFactory(person=person, author=educator, occurred_at=at(2023, 1 + day % 12, 3))
    found = findings(previous=figures.all_figures(2022))
    assert ("moved:attendance" in found) is fires
    if fires:
        finding = found["moved:attendance"]
        assert "Contacts (5\u00a0→\u00a031)" in finding.message
        assert (
            f"{person.code} : 31 en 2023, 5 en 2022",
            reverse("contacts:person-detail", args=[person.code]),
        ) in finding.links


def test_the_demo_2023_findings_are_listed(client, demo_db, django_assert_max_num_queries):
    director = next(u for u in demo_db.accounts if u.username == "direction")
    client.force_login(director)
    with django_assert_max_num_queries(200):
        response = client.get(reverse("reporting:checks", args=[2023]))
    assert response.status_code == 200
    codes = [finding.code for finding, _accepted, _rows in response.context["findings"]]
    assert codes and {c.split(":")[0] for c in codes} <= KINDS
    page = response.content.decode()
    assert 'href="/personnes/' in page


def test_a_count_of_persons_that_moved_names_the_persons_who_came(educator):
    ContactFactory(person=PersonFactory(), author=educator, occurred_at=at(2022))
    users = [PersonFactory(uses_drugs=True, birth_year=1980) for _n in range(21)]
    for person in users:
        ContactFactory(person=person, author=educator, occurred_at=at(2023))
    finding = findings(previous=figures.all_figures(2022))["moved:caarud"]
    assert "Personnes usagères de drogues (0\u00a0→\u00a021)" in finding.message
    first = min(person.code for person in users)
    assert (
        f"{first} (compté·e en 2023, pas en 2022)",
        reverse("contacts:person-detail", args=[first]),
    ) in finding.links
    assert len([label for label, _url in finding.links if "pas en 2022" in label]) == 5


def test_the_demo_2023_has_only_a_few_consultations_with_no_act(demo_db):
    finding = findings()["health:no_act"]
    assert 0 < finding.records.count() < 20
    assert len(finding.links) + finding.more == finding.records.count()

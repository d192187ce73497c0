"""Sections 1, 4 and 5 of the report on hand-built records with known answers."""

import datetime
import zoneinfo

import pytest

from contacts import figures
from contacts.models import (
    AdSite,
    Channel,
    Material,
    MediationTheme,
    Person,
    Product,
    Service,
    Theme,
)
from contacts.services import person_merge
from tests.factories import (
    ContactFactory,
    FollowerSnapshotFactory,
    MediationEventFactory,
    OnlineRoundSiteFactory,
    PersonFactory,
    SessionFactory,
    SessionMaterialFactory,
)

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(y, m, d, hour=15, minute=0):
    return datetime.datetime(y, m, d, hour, minute, tzinfo=PARIS)


def channel(slug):
    return Channel.objects.get(slug=slug)


def with_refs(obj, field, *slugs):
    model = {"products": Product, "themes": Theme, "services": Service}[field]
    getattr(obj, field).set(model.objects.filter(slug__in=slugs))
    return obj


@pytest.fixture
def year_2023(educator):
    a = PersonFactory(
        nickname="A", gender="female", birth_date=datetime.date(1990, 5, 1), uses_drugs=True
    )
    with_refs(a, "products", "crack", "alcohol")
    ContactFactory(person=a, occurred_at=at(2022, 11, 10), author=educator)
    ContactFactory(
        person=a,
        occurred_at=at(2023, 3, 1),
        caarud=True,
        material={"male_condom": 10},
        author=educator,
    )
    ContactFactory(
        person=a, occurred_at=at(2023, 6, 1), channel=channel("mobile_unit"), author=educator
    )

    # B turns 18 on 1 July 2023; first met online, then at the drop-in.
    b = PersonFactory(nickname="B", gender="female", birth_date=datetime.date(2005, 7, 1))
    contact = ContactFactory(
        person=b, occurred_at=at(2023, 2, 1), channel=channel("instagram"), author=educator
    )
    with_refs(contact, "themes", "harm_reduction")
    ContactFactory(person=b, occurred_at=at(2023, 8, 1), author=educator)

    # C: birth year only (20 in 2023); only contact at 00:30 on 1 January 2024, on the
    # night round of 31 December 2023.
    c = PersonFactory(
        nickname="C", gender="male", birth_date=None, birth_year=2003, uses_drugs=True
    )
    with_refs(c, "products", "cannabis")
    night = SessionFactory(
        kind="night_round", date=datetime.date(2023, 12, 31), created_by=educator
    )
    ContactFactory(
        person=c,
        session=night,
        occurred_at=at(2024, 1, 1, 0, 30),
        channel=channel("mobile_unit"),
        caarud=True,
        author=educator,
    )

    # D: age to establish; a duplicate D2 with a parcel and a Snapchat talk is merged in.
    d = PersonFactory(
        nickname="D", gender="trans_woman", birth_year=None, age_to_establish=True, uses_drugs=True
    )
    with_refs(d, "products", "crack")
    ContactFactory(person=d, occurred_at=at(2023, 4, 1), channel=channel("street"), author=educator)
    d2 = PersonFactory(nickname="D2", gender="trans_woman", uses_drugs=False)
    ContactFactory(
        person=d2,
        occurred_at=at(2023, 5, 2),
        channel=channel("post"),
        material={"hiv_selftest": 2, "male_condom": 5},
        author=educator,
    )
    contact = ContactFactory(
        person=d2, occurred_at=at(2023, 5, 20), channel=channel("snapchat"), author=educator
    )
    with_refs(contact, "themes", "health")
    person_merge(kept=d, duplicate=d2, by=educator)

    # E: met in 2022 only.
    e = PersonFactory(nickname="E", birth_year=1980)
    ContactFactory(person=e, occurred_at=at(2022, 6, 1), author=educator)

    # Anonymous contacts.
    anon = ContactFactory(
        person=None,
        anonymous_gender="female",
        caarud=True,
        occurred_at=at(2023, 9, 1),
        author=educator,
    )
    with_refs(anon, "services", "shower", "snack_meal")
    ContactFactory(
        person=None, occurred_at=at(2023, 9, 2), material={"crack_pipe": 4}, author=educator
    )
    ContactFactory(
        person=None, occurred_at=at(2023, 10, 2), channel=channel("street"), author=educator
    )
    ContactFactory(person=None, occurred_at=at(2024, 1, 1, 0, 30), author=educator)

    # Material with no contact.
    drop_in = SessionFactory(kind="drop_in", date=datetime.date(2023, 3, 1), created_by=educator)
    SessionMaterialFactory(
        session=drop_in, material=Material.objects.get(slug="male_condom"), quantity=100
    )
    old = SessionFactory(kind="drop_in", date=datetime.date(2022, 3, 1), created_by=educator)
    SessionMaterialFactory(session=old, material=Material.objects.get(slug="foil"), quantity=50)

    # Online round.
    online = SessionFactory(
        kind="online_round", date=datetime.date(2023, 9, 11), created_by=educator
    )
    OnlineRoundSiteFactory(
        session=online, site=AdSite.objects.get(slug="tescort"), messages_sent=100, replies=11
    )
    OnlineRoundSiteFactory(
        session=online, site=AdSite.objects.get(slug="planet_romeo"), messages_sent=50, replies=4
    )

    for slug, day, count in [
        ("instagram", datetime.date(2023, 6, 30), 150),
        ("instagram", datetime.date(2023, 12, 31), 201),
        ("facebook", datetime.date(2022, 12, 31), 300),
    ]:
        FollowerSnapshotFactory(channel=channel(slug), date=day, followers=count, author=educator)

    ev1 = MediationEventFactory(
        date=datetime.date(2023, 3, 3), sex_workers=3, residents=2, author=educator
    )
    ev1.themes.set(MediationTheme.objects.filter(slug__in=["noise", "violence"]))
    ev2 = MediationEventFactory(
        date=datetime.date(2023, 7, 3), sex_workers=1, shopkeepers=4, author=educator
    )
    ev2.themes.set(MediationTheme.objects.filter(slug="violence"))
    ev3 = MediationEventFactory(date=datetime.date(2022, 7, 3), sex_workers=9, author=educator)
    ev3.themes.set(MediationTheme.objects.filter(slug="noise"))
    return {"a": a, "b": b, "c": c, "d": d, "d2": d2}


EXPECTED_2023 = {
    "attendance.contacts": 11,
    "attendance.people": 4,
    "attendance.people_minors": 1,
    "attendance.people_young_adults": 1,
    "caarud.contacts": 3,
    "caarud.people": 3,
    "caarud.people_minors": 0,
    "caarud.new_people": 2,
    "caarud.share_of_people": 0.75,
    "caarud.gender.female": 1,
    "caarud.gender.male": 1,
    "caarud.gender.trans_woman": 1,
    "caarud.gender.trans_man": 0,
    "caarud.gender.non_binary": 0,
    "caarud.gender.unknown": 0,
    "caarud.products.crack": 2,
    "caarud.products.alcohol": 1,
    "caarud.products.cannabis": 1,
    "caarud.products.heroin": 0,
    "rdr.material.male_condom": 115,
    "rdr.material.crack_pipe": 4,
    "rdr.material.hiv_selftest": 2,
    "rdr.material.foil": 0,
    "services.shower": 1,
    "services.snack_meal": 1,
    "services.laundry": 0,
    "digital.parcels": 1,
    "digital.hiv_selftests_sent": 2,
    "digital.messages_sent": 150,
    "digital.replies": 15,
    "digital.reply_rate": 0.1,
    "digital.new_people_at_drop_in": 1,
    "digital.themes.harm_reduction": 1,
    "digital.themes.health": 1,
    "digital.themes.housing": 0,
    "social.instagram.followers": 201,
    "social.facebook.followers": None,
    "social.snapchat.followers": None,
    "social.instagram.contacts": 1,
    "social.snapchat.contacts": 1,
    "social.facebook.contacts": 0,
    "social.people": 2,
    "social.people_minors": 1,
    "mediation.events": 2,
    "mediation.contacts.sex_workers": 4,
    "mediation.contacts.residents": 2,
    "mediation.contacts.shopkeepers": 4,
    "mediation.contacts.local_youth": 0,
    "mediation.contacts.team": 0,
    "mediation.contacts.clients": 0,
    "mediation.contacts.other": 0,
    "mediation.themes.noise": 1,
    "mediation.themes.violence": 2,
    "mediation.themes.cleanliness": 0,
    "mediation.themes.visibility": 0,
    "mediation.themes.codes": 0,
    "mediation.themes.other": 0,
}


def test_figures_of_2023_equal_the_hand_computed_values(year_2023):
    values = figures.figures(2023)
    assert {key: values[key] for key in EXPECTED_2023} == EXPECTED_2023


def test_every_key_of_sections_1_4_and_5_is_produced(year_2023):
    values = figures.figures(2023)
    expected_families = {
        "rdr.material.": Material,
        "services.": Service,
        "caarud.products.": Product,
        "digital.themes.": Theme,
        "mediation.themes.": MediationTheme,
    }
    for prefix, model in expected_families.items():
        for slug in model.objects.values_list("slug", flat=True):
            assert f"{prefix}{slug}" in values
    for network in Channel.objects.filter(kind="social_network").values_list("slug", flat=True):
        assert f"social.{network}.followers" in values
        assert f"social.{network}.contacts" in values
    for key in [
        "caarud.gender.non_binary",
        "attendance.people",
        "digital.reply_rate",
        "mediation.contacts.other",
    ]:
        assert key in values


def test_the_records_behind_a_figure_agree_with_it(year_2023):
    values = figures.figures(2023)
    for key in [
        "attendance.people",
        "caarud.people",
        "caarud.new_people",
        "social.people_minors",
        "attendance.contacts",
        "services.shower",
        "mediation.themes.violence",
        "digital.new_people_at_drop_in",
    ]:
        (listed,) = figures.records(key, 2023)
        assert listed.count() == values[key], key
    people = figures.records("caarud.new_people", 2023)[0]
    assert set(people.values_list("nickname", flat=True)) == {"C", "D"}
    material = figures.records("rdr.material.male_condom", 2023)
    assert (
        sum(line.quantity for qs in material for line in qs) == values["rdr.material.male_condom"]
    )


def test_a_merged_duplicate_is_counted_once(year_2023):
    assert not Person.objects.filter(nickname="D2").exists()
    assert figures.figures(2023)["attendance.people"] == 4


def test_empty_year_gives_zero_and_null_shares(db):
    values = figures.figures(2019)
    assert values["attendance.contacts"] == 0
    assert values["caarud.share_of_people"] is None
    assert values["digital.reply_rate"] is None


def test_2022_counts_only_2022_records(year_2023):
    values = figures.figures(2022)
    assert values["attendance.contacts"] == 2
    assert values["attendance.people"] == 2
    assert values["rdr.material.foil"] == 50
    assert values["social.facebook.followers"] == 300
    assert values["mediation.contacts.sex_workers"] == 9


def test_query_count_does_not_grow_with_the_records(
    year_2023, educator, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as small:
        figures.figures(2023)
    for index in range(40):
        person = PersonFactory(uses_drugs=index % 2 == 0)
        with_refs(person, "products", "crack")
        ContactFactory(
            person=person,
            occurred_at=at(2023, 1 + index % 12, 5),
            material={"male_condom": 3},
            author=educator,
        )
        ContactFactory(person=None, occurred_at=at(2023, 2, 5), author=educator)
    with django_assert_max_num_queries(len(small.captured_queries)):
        figures.figures(2023)

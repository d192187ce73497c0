"""Sections 6 and 7 of the report on hand-built records with known answers."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest

from contacts.models import Product, ProstitutionMode
from minors import figures
from tests.factories import (
    AwarenessSessionFactory,
    ContactFactory,
    EducationalMeasureFactory,
    MinorFileFactory,
    PersonFactory,
    ProductUseFactory,
    ReceivedReportFactory,
    RunawayFactory,
    SchoolSessionFactory,
    TrainingCycleFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def person(
    educator, *, gender="female", birth=None, year=None, unknown=False, modes=(), contact=None
):
    p = PersonFactory(
        gender=gender,
        birth_date=birth,
        birth_year=year if birth is None else None,
        age_to_establish=unknown,
    )
    p.prostitution_modes.set(ProstitutionMode.objects.filter(slug__in=modes))
    if contact:
        ContactFactory(
            person=p,
            author=educator,
            occurred_at=datetime.datetime.combine(contact, datetime.time(15), PARIS),
        )
    return p


def file(p, educator, opened, place, closed=None, to_assess=False):
    return MinorFileFactory(
        person=p,
        opened_on=opened,
        closed_on=closed,
        close_reason="lost_touch" if closed else "",
        worker=educator,
        first_meeting_place=place,
        to_assess=to_assess,
    )


def use(f, slug, start, end=None):
    ProductUseFactory(file=f, product=Product.objects.get(slug=slug), start=start, end=end)


@pytest.fixture
def minors_2023(educator):
    p1 = person(educator, birth=D(2006, 3, 1), modes=["street", "internet"], contact=D(2023, 2, 10))
    f1 = file(p1, educator, D(2022, 5, 1), "outreach")
    EducationalMeasureFactory(file=f1, kind="ase", start=D(2022, 1, 1))
    EducationalMeasureFactory(file=f1, kind="pjj", start=D(2023, 6, 1), end=D(2023, 8, 1))
    RunawayFactory(
        file=f1, start=D(2022, 12, 20), end=D(2023, 1, 5), housed_by="friends", housed_where="flat"
    )
    use(f1, "cannabis", D(2022, 6, 1))
    use(f1, "tobacco", D(2023, 1, 1))

    # P2 turns 18 on 1 July 2023, first met in 2023 on 15 August: young adult, yet
    # under 18 on a day of the year.
    p2 = person(educator, birth=D(2005, 7, 1), modes=["internet"], contact=D(2023, 8, 15))
    f2 = file(p2, educator, D(2023, 3, 1), "drop_in")
    RunawayFactory(
        file=f2, start=D(2023, 4, 1), end=D(2023, 4, 10), housed_by="clients", housed_where="hotel"
    )
    EducationalMeasureFactory(file=f2, kind="aemo", start=D(2023, 1, 1), end=D(2023, 12, 31))
    use(f2, "alcohol", D(2023, 2, 1), D(2023, 9, 1))

    # P3: birth year only, not met in 2023: age taken at the file's opening.
    p3 = person(educator, gender="male", year=2009, modes=["social_networks"])
    file(p3, educator, D(2023, 9, 1), "partner", to_assess=True)

    p4 = person(educator, gender="trans_woman", unknown=True, modes=["street"])
    f4 = file(p4, educator, D(2023, 2, 1), "online", closed=D(2023, 5, 1))
    use(f4, "crack", D(2023, 3, 1), D(2023, 3, 20))

    p5 = person(educator, birth=D(1990, 1, 1))  # adult: not counted
    file(p5, educator, D(2023, 1, 1), "outreach")
    p6 = person(educator, birth=D(2008, 1, 1))  # file closed in 2022
    file(p6, educator, D(2022, 1, 1), "outreach", closed=D(2022, 12, 15))

    p7 = person(educator, birth=D(2007, 5, 5))
    f7 = file(p7, educator, D(2023, 1, 10), "outreach")
    RunawayFactory(file=f7, start=D(2023, 11, 1), housed_by="alone", housed_where="street")

    for received, linked in [
        (D(2023, 3, 1), None),
        (D(2023, 4, 1), D(2023, 6, 1)),
        (D(2023, 10, 1), D(2024, 1, 15)),
        (D(2022, 10, 1), None),
    ]:
        ReceivedReportFactory(
            received_on=received,
            description="x",
            person=p7 if linked else None,
            linked_on=linked,
            author=educator,
        )

    TrainingCycleFactory(
        title="IRTS Loos",
        start_date=D(2023, 6, 8),
        end_date=D(2023, 10, 20),
        days=Decimal("4.5"),
        trainees=12,
        trainees_departement=8,
        satisfaction=100,
        created_by=educator,
    )
    TrainingCycleFactory(
        title="IRTS Anzin",
        start_date=D(2023, 12, 5),
        end_date=D(2023, 12, 13),
        days=Decimal("4.5"),
        trainees=11,
        trainees_departement=8,
        satisfaction=100,
        created_by=educator,
    )
    TrainingCycleFactory(
        title="Old",
        start_date=D(2022, 12, 5),
        end_date=D(2022, 12, 13),
        days=Decimal("2"),
        trainees=5,
        created_by=educator,
    )
    for day in (D(2023, 3, 1), D(2023, 5, 1), D(2022, 5, 1)):
        AwarenessSessionFactory(host="ENPJJ", date=day, people=20, created_by=educator)
    SchoolSessionFactory(
        school="Collège A",
        date=D(2023, 3, 1),
        pupils=30,
        boys=16,
        girls=14,
        satisfaction=90,
        interest=80,
        created_by=educator,
    )
    SchoolSessionFactory(
        school="Collège B",
        date=D(2023, 4, 1),
        pupils=20,
        boys=10,
        girls=10,
        satisfaction=100,
        interest=95,
        created_by=educator,
    )


EXPECTED = {
    "minors.people": 5,
    "minors.people.minor": 3,
    "minors.people.young_adult": 1,
    "minors.people.age_unknown": 1,
    "minors.reported_not_met": 2,
    "minors.age.14": 1,
    "minors.age.15": 1,
    "minors.age.16": 1,
    "minors.age.17": 0,
    "minors.gender.girl": 2,
    "minors.gender.boy": 1,
    "minors.gender.trans": 0,
    "minors.measures.single": 0,
    "minors.measures.double": 1,
    "minors.measures.none": 1,
    "minors.measures.to_assess": 1,
    "minors.runaways.base": 4,
    "minors.runaways.people": 3,
    "minors.runaways.housed_by.friends": 1,
    "minors.runaways.housed_by.clients": 1,
    "minors.runaways.housed_by.alone": 1,
    "minors.runaways.housed_by.peers": 0,
    "minors.runaways.housed_by.family": 0,
    "minors.runaways.housed_where.flat": 1,
    "minors.runaways.housed_where.hotel": 1,
    "minors.runaways.housed_where.street": 1,
    "minors.runaways.housed_where.squat": 0,
    "minors.consumers.minor": 1,
    "minors.consumers.young_adult": 1,
    "minors.consumers.age_unknown": 1,
    "minors.products.minor.cannabis": 1,
    "minors.products.minor.alcohol": 0,
    "minors.products.young_adult.alcohol": 1,
    "minors.products.age_unknown.crack": 1,
    "minors.tobacco.minor": 1,
    "minors.tobacco.young_adult": 0,
    "minors.first_meeting.minor.outreach": 2,
    "minors.first_meeting.minor.partner": 1,
    "minors.first_meeting.minor.drop_in": 0,
    "minors.first_meeting.young_adult.drop_in": 1,
    "minors.first_meeting.age_unknown.online": 1,
    "minors.prostitution_modes.minor.street": 1,
    "minors.prostitution_modes.minor.internet": 1,
    "minors.prostitution_modes.minor.social_networks": 1,
    "minors.prostitution_modes.minor.bars_abroad": 0,
    "minors.prostitution_modes.young_adult.internet": 1,
    "minors.prostitution_modes.age_unknown.street": 1,
    "training.cycles": 2,
    "training.days": 9,
    "training.trainees": 23,
    "training.trainees_departement_share": 0.696,
    "training.satisfaction": 1.0,
    "awareness.sessions": 2,
    "schools.sessions": 2,
    "schools.pupils": 50,
    "schools.boys": 26,
    "schools.girls": 24,
    "schools.satisfaction": 0.94,
    "schools.interest": 0.86,
}


def test_sections_6_and_7_equal_the_hand_computed_values(minors_2023):
    values = figures.figures(2023)
    assert {key: values[key] for key in EXPECTED} == EXPECTED


def test_every_key_of_sections_6_and_7_is_produced(minors_2023):
    values = figures.figures(2023)
    for n in range(10, 18):
        assert f"minors.age.{n}" in values
    for category in ("minor", "young_adult", "age_unknown"):
        for product in (
            "alcohol",
            "cannabis",
            "cocaine",
            "crack",
            "nitrous_oxide",
            "heroin",
            "mdma",
        ):
            assert f"minors.products.{category}.{product}" in values
        for place in ("outreach", "drop_in", "online", "partner"):
            assert f"minors.first_meeting.{category}.{place}" in values
    assert not [key for key in values if key.startswith("_")]


def test_a_reported_minor_later_met_is_no_longer_reported_not_met(minors_2023):
    assert figures.figures(2024)["minors.reported_not_met"] == 0
    assert figures.figures(2023)["minors.reported_not_met"] == 2


def test_records_behind_minors_figures_agree(minors_2023):
    values = figures.figures(2023)
    for key in (
        "minors.people",
        "minors.people.minor",
        "minors.runaways.base",
        "minors.measures.double",
    ):
        (listed,) = figures.records(key, 2023)
        assert listed.count() == values[key], key


def test_query_count_does_not_grow(minors_2023, educator, django_assert_max_num_queries):
    with django_assert_max_num_queries(12) as captured:
        figures.figures(2023)
    for index in range(20):
        p = person(educator, birth=D(2007, 1 + index % 12, 3))
        f = file(p, educator, D(2023, 2, 1), "outreach")
        use(f, "cannabis", D(2023, 3, 1))
        RunawayFactory(file=f, start=D(2023, 4, 1), housed_by="peers")
    with django_assert_max_num_queries(len(captured.captured_queries)):
        figures.figures(2023)

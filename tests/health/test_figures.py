"""Section 2 of the report on hand-built records with known answers."""

import datetime
import zoneinfo

import pytest

from contacts import figures as contact_figures
from contacts.services import person_merge, person_merge_undo
from health import figures
from health.models import ServiceLine
from tests.factories import (
    ConsultationFactory,
    GroupHealthSessionFactory,
    HealthSessionFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def at(y, m, d, hour=15):
    return datetime.datetime(y, m, d, hour, tzinfo=PARIS)


def line(slug):
    return ServiceLine.objects.get(slug=slug)


@pytest.fixture
def health_2023(db):
    author = UserFactory()
    user, other, dup = (
        PersonFactory(uses_drugs=True),
        PersonFactory(),
        PersonFactory(uses_drugs=True),
    )
    HealthSessionFactory(line=line("nurse"), date=datetime.date(2023, 1, 10), created_by=author)
    HealthSessionFactory(line=line("midwife"), date=datetime.date(2023, 2, 10), created_by=author)
    HealthSessionFactory(line=line("midwife"), date=datetime.date(2023, 3, 10), created_by=author)
    HealthSessionFactory(line=line("midwife"), date=datetime.date(2022, 3, 10), created_by=author)
    # Nurse: drug user seen 3 times (2 rapid tests, one online), other person once.
    ConsultationFactory(
        person=user,
        at=at(2023, 1, 10),
        acts=[("trod_hiv", "negative"), ("trod_hcv", "negative")],
        author=author,
    )
    ConsultationFactory(person=user, at=at(2023, 4, 10), modality="online_outreach", author=author)
    ConsultationFactory(person=dup, at=at(2023, 5, 10), acts=[("vaccination", "")], author=author)
    ConsultationFactory(
        person=other, at=at(2023, 6, 10), acts=[("trod_syphilis", "pending")], author=author
    )
    ConsultationFactory(
        person=other, at=at(2022, 6, 10), acts=[("trod_hiv", "negative")], author=author
    )
    # Midwife: two smears on one person; a smear in a nurse consultation counts too.
    ConsultationFactory(
        person=other,
        line=line("midwife"),
        at=at(2023, 2, 10),
        acts=[("cervical_smear", "pending")],
        author=author,
    )
    ConsultationFactory(
        person=other,
        line=line("midwife"),
        at=at(2023, 3, 10),
        acts=[("cervical_smear", "negative")],
        author=author,
    )
    ConsultationFactory(
        person=user, at=at(2023, 7, 1), acts=[("cervical_smear", "negative")], author=author
    )
    # Osteopathy at 23:30 on 31 December 2023 (Paris): still 2023.
    ConsultationFactory(
        person=other, line=line("osteopathy"), at=at(2023, 12, 31, 23), author=author
    )
    person_merge(kept=user, duplicate=dup, by=author)
    return {"user": user, "other": other}


EXPECTED = {
    "health.nurse.sessions": 1,
    "health.midwife.sessions": 2,
    "health.doctor.sessions": 0,
    "health.nurse.people": 2,
    "health.nurse.consultations": 5,
    "health.midwife.people": 1,
    "health.midwife.consultations": 2,
    "health.osteopathy.people": 1,
    "health.osteopathy.consultations": 1,
    "health.fibroscan.people": 0,
    "health.midwife.smears": 3,
    "health.nurse.screenings": 3,
    "health.nurse.people_drug_users": 1,
    "health.nurse.consultations_drug_users": 4,
    "health.nurse.digital_outreach": 1,
    "health.workshops": 0,
}


def test_section_2_equals_the_hand_computed_values(health_2023):
    values = figures.figures(2023)
    assert {key: values[key] for key in EXPECTED} == EXPECTED


def test_every_section_2_key_is_produced(health_2023):
    values = figures.figures(2023)
    for slug in ServiceLine.objects.values_list("slug", flat=True):
        for measure in ("sessions", "people", "consultations"):
            assert f"health.{slug}.{measure}" in values
    for key in (
        "health.midwife.smears",
        "health.nurse.screenings",
        "health.nurse.people_drug_users",
        "health.nurse.consultations_drug_users",
        "health.nurse.digital_outreach",
        "health.workshops",
    ):
        assert key in values


def test_a_person_met_only_in_consultation_is_in_the_year_s_attendance(health_2023):
    values = contact_figures.figures(2023)
    assert values["attendance.people"] == 2
    assert values["attendance.contacts"] == 0
    assert values["caarud.people"] == 1


def test_records_behind_section_2_agree(health_2023):
    values = figures.figures(2023)
    for key in ("health.nurse.people", "health.nurse.consultations", "health.midwife.smears"):
        # A key declared by several sets is the sum of its parts.
        assert sum(listed.count() for listed in figures.records(key, 2023)) == values[key]


def test_query_count_does_not_grow(health_2023, django_assert_max_num_queries):
    with django_assert_max_num_queries(8) as captured:
        figures.figures(2023)
    for _ in range(30):
        ConsultationFactory(at=at(2023, 5, 5), acts=[("trod_hiv", "negative")])
    with django_assert_max_num_queries(len(captured.captured_queries)):
        figures.figures(2023)


@pytest.fixture
def sophrology_2023(db):
    author = UserFactory()
    a, b, c, d, e, f, g = (PersonFactory() for _ in range(7))
    GroupHealthSessionFactory(date=datetime.date(2023, 3, 2), participants=[a, b, c])
    GroupHealthSessionFactory(date=datetime.date(2023, 4, 6), participants=[b, d])
    # A session nobody came to, and one of 2022.
    GroupHealthSessionFactory(date=datetime.date(2023, 5, 4))
    GroupHealthSessionFactory(date=datetime.date(2022, 5, 5), participants=[f])
    # Individual care sessions of the line: one for a participant, one for another person.
    for person in (a, e):
        ConsultationFactory(
            person=person, line=line("sophrology"), at=at(2023, 6, 1), author=author
        )
    GroupHealthSessionFactory(
        line=line("massage"), date=datetime.date(2023, 3, 9), participants=[g, a]
    )
    return {"a": a, "b": b, "author": author}


def test_each_participant_of_a_group_session_counts_among_the_line_s_people(sophrology_2023):
    values = figures.figures(2023)
    # a, b, c, d in the groups, e in consultation (a also), nobody twice.
    assert values["health.sophrology.people"] == 5
    assert values["health.sophrology.sessions"] == 3
    # Two group sessions with participants, each once, and two consultations.
    assert values["health.sophrology.consultations"] == 4
    assert values["health.massage.people"] == 2
    assert values["health.massage.consultations"] == 1
    assert figures.figures(2022)["health.sophrology.people"] == 1
    for key in ("health.sophrology.people", "health.sophrology.consultations"):
        assert sum(listed.count() for listed in figures.records(key, 2023)) == values[key]


def test_a_merged_participant_moves_to_the_kept_person_and_counts_once(sophrology_2023):
    a, b, author = sophrology_2023["a"], sophrology_2023["b"], sophrology_2023["author"]
    merge = person_merge(kept=a, duplicate=b, by=author)
    assert figures.figures(2023)["health.sophrology.people"] == 4
    assert not b.health_sessions.exists()
    assert a.health_sessions.filter(line__slug="sophrology").count() == 2

    person_merge_undo(merge=merge, by=author)
    assert figures.figures(2023)["health.sophrology.people"] == 5
    assert b.health_sessions.count() == 2
    assert a.health_sessions.filter(line__slug="sophrology").count() == 1

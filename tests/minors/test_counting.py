"""Runaway housing figures count the episodes of the persons in ``minors.runaways.base``
only: files followed in the year, persons under 18 on a day of it, episodes overlapping it."""

import datetime

import pytest

from minors import figures
from tests.factories import MinorFileFactory, PersonFactory, RunawayFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def file(educator, *, born, opened, closed=None):
    return MinorFileFactory(
        person=PersonFactory(birth_date=born),
        worker=educator,
        opened_on=opened,
        closed_on=closed,
    )


def episode(f, start, end=None):
    return RunawayFactory(file=f, start=start, end=end, housed_by="family", housed_where="squat")


@pytest.fixture
def runaways_2023(educator):
    counted = file(educator, born=D(2008, 2, 1), opened=D(2022, 6, 1))
    episode(counted, D(2022, 12, 20), D(2023, 1, 5))  # overlaps the year: counted
    episode(counted, D(2023, 5, 1), D(2023, 5, 20))  # a second episode: counted again
    episode(counted, D(2022, 2, 1), D(2022, 3, 1))  # before the year
    episode(counted, D(2024, 2, 1))  # after the year

    closed_before = file(educator, born=D(2008, 3, 1), opened=D(2021, 1, 1), closed=D(2022, 11, 30))
    episode(closed_before, D(2023, 2, 1), D(2023, 2, 10))
    opened_after = file(educator, born=D(2008, 4, 1), opened=D(2024, 1, 10))
    episode(opened_after, D(2023, 12, 1))

    adult = file(educator, born=D(1990, 1, 1), opened=D(2023, 1, 1))
    episode(adult, D(2023, 3, 1), D(2023, 3, 5))
    # 19 all year: a young adult, followed but never under 18 in 2023.
    young_adult = file(educator, born=D(2004, 1, 1), opened=D(2023, 1, 1))
    episode(young_adult, D(2023, 3, 1), D(2023, 3, 5))

    # In the base through a file open in 2023; the episode, still open, hangs on an
    # older file closed in 2021.
    two_files = file(educator, born=D(2009, 1, 1), opened=D(2020, 1, 1), closed=D(2021, 6, 1))
    episode(two_files, D(2021, 5, 1))
    MinorFileFactory(person=two_files.person, worker=educator, opened_on=D(2023, 2, 1))

    # Under 18 in the base, with no episode in the year.
    quiet = file(educator, born=D(2007, 9, 1), opened=D(2023, 1, 1))
    episode(quiet, D(2022, 5, 1), D(2022, 5, 2))


def test_housing_counts_only_the_episodes_of_the_runaway_base(runaways_2023):
    values = figures.figures(2023)
    assert values["minors.runaways.base"] == 3
    assert values["minors.runaways.people"] == 1
    assert values["minors.runaways.housed_by.family"] == 2
    assert values["minors.runaways.housed_where.squat"] == 2


def test_housing_lists_the_episodes_it_counts(runaways_2023):
    (episodes,) = figures.records("minors.runaways.housed_by.family", 2023)
    assert sorted(r.start for r in episodes) == [D(2022, 12, 20), D(2023, 5, 1)]


def test_each_year_counts_the_episodes_overlapping_it(runaways_2023):
    # 2024: the open episode of 2024, and the one still open on the file opened in 2024.
    assert figures.figures(2024)["minors.runaways.housed_by.family"] == 2
    # 2022: the first file's two episodes overlapping 2022 (the file closed in November
    # 2022 was followed then, but its episode is of 2023).
    assert figures.figures(2022)["minors.runaways.housed_by.family"] == 2

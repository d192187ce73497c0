"""The hand-written SQL of the annual figures (bench/floor.py) gives the same values as
the figures' declarations, on the demo (PostgreSQL only)."""

import pytest
from django.db import connection
from django.utils import timezone

from bench.floor import floor_figures
from contacts.models import Contact, MediationEvent, Person
from health.models import Consultation
from minors.models import MinorFile
from reporting.figures import all_figures
from rights.models import Procedure

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the floor's SQL is PostgreSQL's"),
]


def _differences(year: int) -> dict:
    expected, found = all_figures(year), floor_figures(connection, year)
    missing = object()
    return {
        key: (expected.get(key, missing), found.get(key, missing))
        for key in sorted(set(expected) | set(found))
        if expected.get(key, missing) != found.get(key, missing)
        or type(expected.get(key)) is not type(found.get(key))
    }


@pytest.mark.parametrize("year", [2023, 2022])
def test_the_floor_gives_every_figure_of_the_year(demo_db, year):
    differences = _differences(year)
    assert not differences, f"keys differing (all_figures, floor): {differences}"


def test_the_floor_leaves_out_archived_records_and_merged_persons(demo_db):
    now = timezone.now()
    before = floor_figures(connection, 2023)
    contacts = list(Contact.objects.in_year(2023).values_list("pk", flat=True))
    Contact.objects.filter(pk__in=contacts[::25]).update(archived_at=now)
    consultations = list(Consultation.objects.in_year(2023).values_list("pk", flat=True))
    Consultation.objects.filter(pk__in=consultations[::20]).update(archived_at=now)
    procedures = list(Procedure.objects.values_list("pk", flat=True))
    Procedure.objects.filter(pk__in=procedures[::7]).update(archived_at=now)
    events = list(MediationEvent.objects.values_list("pk", flat=True))
    MediationEvent.objects.filter(pk__in=events[::5]).update(archived_at=now)
    met = list(
        Person.objects.filter(contacts__day__year=2023).distinct().values_list("pk", flat=True)
    )
    Person.objects.filter(pk__in=met[::30]).update(archived_at=now)
    Person.objects.filter(pk__in=met[1::30]).update(merged_into=met[2])
    followed = list(MinorFile.objects.followed_in(2023).values_list("person", flat=True).distinct())
    Person.all_objects.filter(pk__in=followed[::10]).update(archived_at=now)
    after = floor_figures(connection, 2023)
    for key in ("attendance.contacts", "attendance.people", "minors.people"):
        assert (after[key] or 0) < (before[key] or 0), key
    for year in (2023, 2022):
        differences = _differences(year)
        assert not differences, f"{year}: keys differing (all_figures, floor): {differences}"

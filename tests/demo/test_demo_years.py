"""The demo's years around 2023: 2021 and 2022 as the 2023 report tells them, the years
after 2023 up to today, and any seed."""

import datetime

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from contacts.models import Contact, Session
from demo.generator import generate
from entractes.lib.period import Period
from minors.models import TrainingCycle
from reporting.figures import all_figures, compared
from rights.models import Procedure, PSPFile
from tests.demo.test_demo import SEED_2022
from tests.reporting.shown import figures_shown, rows_of

# A change beyond this (in %) on a figure above ABSURD_ABOVE is not a year's drift.
ABSURD_CHANGE = 150
ABSURD_ABOVE = 20


def absurd_changes(year: int) -> list[tuple[str, object, object, float]]:
    """The figures of ``year`` whose change from the year before is absurd, except the
    ones the 2023 report itself gives for both years (its foil went from 485 to 2 460)."""
    quoted = set(SEED_2022) if year == 2023 else set()
    return [
        (row.key, row.value, row.previous, row.change)
        for _slug, _title, rows in compared(year)
        for row in rows
        if row.change is not None
        and abs(row.change) > ABSURD_CHANGE
        and max(abs(row.value or 0), abs(row.previous or 0)) > ABSURD_ABOVE
        and not (row.key in quoted and row.key.startswith("rdr.material."))
    ]


def test_the_2023_and_2022_reports_show_no_absurd_change(demo_db):
    assert absurd_changes(2023) == []
    assert absurd_changes(2022) == []


def test_2021_is_the_year_the_2023_report_quotes(demo_db):
    values = all_figures(2021)
    assert round(values["caarud.gender.male"] / values["caarud.people"], 2) == 0.26
    assert values["minors.runaways.base"] == 38
    assert values["minors.runaways.people"] == 32
    assert values["minors.runaways.housed_where.flat"] == 4
    # The persons met in 2021 and again in 2022 are not new in 2022.
    assert all_figures(2022)["caarud.new_people"] < 0.6 * values["caarud.people"]


def test_2022_is_the_year_the_2023_report_compares_with(demo_db):
    values, later = all_figures(2022), all_figures(2023)
    # "La file active totale des mineur·es ... est stable comparativement à 2022."
    assert abs(values["minors.people"] - later["minors.people"]) <= 10
    assert abs(values["attendance.people_minors"] - later["attendance.people_minors"]) <= 8
    assert values["minors.measures.none"] == 7
    assert values["minors.runaways.housed_where.flat"] == 17
    assert values["minors.runaways.people"] > later["minors.runaways.people"]
    assert values["caarud.new_people"] < 0.6 * values["caarud.people"]
    assert values["rights.psp.renewals"] > 0
    assert all(
        values[f"rights.procedures.{theme}.{what}"] > 0
        for theme in ("social_benefits", "health_cover", "housing", "residence_permit")
        for what in ("opened", "completed")
    )
    # Training and school sessions began in the last quarter of 2022.
    assert values["training.cycles"] == 1 and values["schools.sessions"] > 0
    assert TrainingCycle.objects.filter(start_date__year=2022, start_date__month__gte=10).exists()


@pytest.mark.django_db
def test_the_demo_goes_on_up_to_today(client):
    with override_settings(DEBUG=True):
        generated = generate()
    today = timezone.localdate()
    # The director's pages open on the year to date, with figures, without a control.
    client.force_login(next(u for u in generated.accounts if u.username == "direction"))
    board = client.get(reverse("reporting:dashboard"))
    rows = {label: now for label, now, _before, _change in board.context["rows"]}
    assert rows["Contacts"] > 0 and rows["Consultations santé"] > 0
    page = figures_shown(client)
    if today >= datetime.date(today.year, 1, 8):  # contacts stop the day before today
        assert board.context["choice"].period.end == today
        assert page.context["choice"].period == Period(datetime.date(today.year, 1, 1), today)
    shown = rows_of(page)
    assert shown["attendance.contacts"].value > 0 and shown["attendance.people"].value > 0
    assert shown["attendance.contacts"].previous > 0
    assert generated.years == list(range(2021, today.year + 1))
    for year in range(2024, today.year):
        values = all_figures(year)
        assert values["attendance.people"] > 500, year
        assert values["minors.people"] > 60, year
        assert values["rights.psp.first_requests"] > 0, year
        assert values["training.cycles"] > 0, year
    # The last weeks and this week: sessions and their contacts, nothing after today.
    assert (
        Session.objects.filter(date__range=(today - datetime.timedelta(days=6), today)).count() >= 4
    )
    assert Session.objects.filter(date__gte=today - datetime.timedelta(days=60)).count() > 30
    assert Contact.objects.filter(day__gte=today - datetime.timedelta(days=7)).count() > 50
    assert not Session.objects.filter(date__gt=today).exists()
    assert not Contact.objects.filter(occurred_at__gt=timezone.now()).exists()
    if today >= datetime.date(today.year, 1, 8):
        # What is planned ahead: commissions and next actions of the coming weeks.
        assert PSPFile.objects.filter(commission_date__gt=today, state="filed").exists()
        assert Procedure.objects.filter(
            status="in_progress",
            next_action_due__gte=today,
            next_action_due__lt=today + datetime.timedelta(days=21),
        ).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("seed", "until"), [(5, datetime.date(2023, 12, 31)), (17, datetime.date(2024, 1, 20))]
)
def test_the_demo_is_built_from_other_seeds(seed, until):
    """Seed 5 used to break on a date moved to a shorter month; 17 stops in January."""
    if connection.vendor == "postgresql":
        pytest.skip("the seeds are walked on SQLite; PostgreSQL builds the demo up to today")
    with override_settings(DEBUG=True):
        generated = generate(seed=seed, until=until)
    assert generated.years == list(range(2021, until.year + 1))
    assert not Contact.objects.filter(day__gte=until).exists()
    values = all_figures(2023)
    assert values["attendance.contacts"] == 7966
    assert values["minors.people"] == 106
    assert all_figures(2021)["minors.runaways.people"] == 32
    assert all_figures(2022)["minors.runaways.housed_where.flat"] == 17

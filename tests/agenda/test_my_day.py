"""My day, the team's agenda and the week: the actions beside the deadlines the apps
keep, each shown only to the roles that may read it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Action, years_before
from contacts.services import person_leave_file
from entractes.models import AccessLogEntry
from tests.factories import (
    ActionFactory,
    ConsultationFactory,
    MinorFileFactory,
    PersonFactory,
    ProcedureFactory,
    PSPFileFactory,
    RunawayFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _titles(items):
    return [item.title for item in items]


def test_my_day_lists_overdue_first_then_today_then_the_week(client, educator):
    today = timezone.localdate()
    ActionFactory(assignee=educator, title="ZQ-today", due_on=today)
    ActionFactory(assignee=educator, title="ZQ-today-urgent", due_on=today, urgent=True)
    late = ActionFactory(assignee=educator, title="ZQ-late", due_on=today)
    late.due_on = today - 3 * DAY  # written before, now overdue
    late.save()
    ActionFactory(assignee=educator, title="ZQ-in-five-days", due_on=today + 5 * DAY)
    ActionFactory(assignee=educator, title="ZQ-next-month", due_on=today + 30 * DAY)
    ActionFactory(assignee=educator, title="ZQ-done", due_on=today, status="done")
    client.force_login(educator)
    page = client.get(reverse("agenda:my-day"))
    assert _titles(page.context["overdue"]) == ["ZQ-late"]
    assert _titles(page.context["due_today"]) == ["ZQ-today-urgent", "ZQ-today"]
    assert _titles(page.context["ahead"]) == ["ZQ-in-five-days"]
    html = page.content.decode()
    assert html.index("ZQ-late") < html.index("ZQ-today-urgent") < html.index("ZQ-in-five-days")
    assert "ZQ-done" not in html and "ZQ-next-month" not in html


def test_my_day_holds_my_actions_and_my_teams_the_team_view_everyones(
    client, educator, online_worker, nurse
):
    ActionFactory(assignee=educator, title="ZQ-mine")
    ActionFactory(assignee=online_worker, title="ZQ-colleague")
    ActionFactory(assignee=None, team="outreach", title="ZQ-outreach-team")
    ActionFactory(assignee=None, team="health", title="ZQ-health-team")
    ActionFactory(assignee=None, team="all", person=None, title="ZQ-everyone")
    client.force_login(educator)
    mine = _titles(client.get(reverse("agenda:my-day")).context["due_today"])
    assert sorted(mine) == ["ZQ-everyone", "ZQ-mine", "ZQ-outreach-team"]
    team = client.get(reverse("agenda:my-day"), {"vue": "equipe"})
    groups = {holder: _titles(items) for holder, items in team.context["groups"]}
    assert groups[educator.get_short_name() or educator.username] == ["ZQ-mine"]
    assert groups[online_worker.get_short_name() or online_worker.username] == ["ZQ-colleague"]
    assert "ZQ-health-team" in team.content.decode()
    by_person = client.get(reverse("agenda:my-day"), {"vue": "equipe", "par": "personne"})
    people = {label: _titles(items) for label, items in by_person.context["groups"]}
    assert people[""] == ["ZQ-everyone"]
    assert sum(len(titles) for titles in people.values()) == 5
    assert list(people)[-1] == ""  # the service's own actions come last
    client.force_login(nurse)
    nurse_day = _titles(client.get(reverse("agenda:my-day")).context["due_today"])
    assert sorted(nurse_day) == ["ZQ-everyone", "ZQ-health-team"]


def test_the_apps_deadlines_reach_only_the_roles_that_read_them(
    client, educator, nurse, director, make_user
):
    today = timezone.localdate()
    minors_worker = make_user("minors_team")
    person = PersonFactory(nickname="Sana")
    ProcedureFactory(
        person=person, request="AME", next_action="ZQ-AME-renewal", next_action_due=today - 2 * DAY
    )
    ProcedureFactory(next_action="ZQ-far-away", next_action_due=today + 40 * DAY)
    PSPFileFactory(person=person, commission_date=today + 3 * DAY)
    ConsultationFactory(person=person, next_appointment=today + DAY)
    young = MinorFileFactory(
        worker=minors_worker,
        person=PersonFactory(birth_date=years_before(today + 2 * DAY, 18), nickname="Jade"),
    )
    RunawayFactory(file=young, start=today - 4 * DAY)

    def shown(user, vue="equipe"):
        client.force_login(user)
        page = client.get(reverse("agenda:my-day"), {"vue": vue})
        return {
            (str(item.source), item.title)
            for item in page.context["overdue"] + page.context["due_today"] + page.context["ahead"]
        }

    educator_sees = shown(educator)
    assert ("Démarche", "ZQ-AME-renewal") in educator_sees
    assert ("PSP", "Commission départementale") in educator_sees
    assert not {source for source, _title in educator_sees} & {"Santé", "Mineurs"}
    assert ("Démarche", "ZQ-far-away") not in educator_sees
    nurse_sees = shown(nurse)
    assert {source for source, _title in nurse_sees} == {"Santé"}
    minors_sees = shown(minors_worker)
    assert {source for source, _title in minors_sees} == {"Mineurs"}
    assert any(title.startswith("18 ans") for _source, title in minors_sees)
    assert any(title.startswith("Fugue en cours") for _source, title in minors_sees)
    # "My day" keeps the files' deadlines of those who follow them (or of no one).
    assert shown(minors_worker, vue="") == minors_sees
    assert not {source for source, _title in shown(educator, vue="")} & {"Démarche", "PSP"}
    director_sees = {source for source, _title in shown(director)}
    assert director_sees == {"Démarche", "PSP", "Mineurs"}
    # Each restricted list shown is written to the access log.
    logged = set(AccessLogEntry.objects.filter(detail="agenda").values_list("user", "target_id"))
    assert {
        (educator.pk, "rights:agenda"),
        (nurse.pk, "health:agenda"),
        (minors_worker.pk, "minors:agenda"),
    } <= logged


def test_a_person_out_of_the_active_file_leaves_the_agenda(client, educator):
    today = timezone.localdate()
    person = PersonFactory()
    ActionFactory(person=person, assignee=educator, title="ZQ-about-them")
    ProcedureFactory(
        person=person, worker=educator, next_action="ZQ-their-procedure", next_action_due=today
    )
    client.force_login(educator)
    before = _titles(client.get(reverse("agenda:my-day")).context["due_today"])
    assert sorted(before) == ["ZQ-about-them", "ZQ-their-procedure"]
    person_leave_file(person=person, reason="moved", date=today, by=educator)
    assert client.get(reverse("agenda:my-day")).context["due_today"] == []


def test_the_week_calendar_puts_each_item_on_its_day(client, educator):
    monday = datetime.date(2027, 3, 1)
    ActionFactory(assignee=educator, title="ZQ-wednesday", due_on=monday + 2 * DAY)
    ActionFactory(assignee=educator, title="ZQ-sunday", due_on=monday + 6 * DAY)
    ActionFactory(assignee=educator, title="ZQ-week-after", due_on=monday + 8 * DAY)
    client.force_login(educator)
    page = client.get(reverse("agenda:week"), {"du": (monday + 3 * DAY).isoformat()})
    columns = {day: _titles(items) for day, items in page.context["columns"]}
    assert list(columns) == [monday + n * DAY for n in range(7)]
    assert columns[monday + 2 * DAY] == ["ZQ-wednesday"]
    assert columns[monday + 6 * DAY] == ["ZQ-sunday"]
    assert "ZQ-week-after" not in page.content.decode()
    assert page.context["following"] == monday + 7 * DAY
    following = client.get(reverse("agenda:week"), {"du": "2027-03-08"})
    assert "ZQ-week-after" in following.content.decode()
    wrong = client.get(reverse("agenda:week"), {"du": "2027-13-45"})
    assert wrong.status_code == 200 and "Semaine du : " in wrong.content.decode()


def test_late_and_urgent_first_and_a_long_late_list_folded(client, educator):
    today = timezone.localdate()
    for n in range(12):
        ActionFactory(assignee=educator, title=f"ZQ-late-{n:02d}", due_on=today)
    late_urgent = ActionFactory(assignee=educator, title="ZQ-late-urgent", urgent=True)
    Action.objects.filter(title__startswith="ZQ-late").update(due_on=today - 20 * DAY)
    Action.objects.filter(pk=late_urgent.pk).update(due_on=today - 2 * DAY)
    client.force_login(educator)
    page = client.get(reverse("agenda:my-day"))
    shown, folded = page.context["overdue_first"], page.context["overdue_more"]
    assert shown[0].title == "ZQ-late-urgent"
    assert (len(shown), len(folded)) == (10, 3)
    assert "3 autres en retard" in page.content.decode()

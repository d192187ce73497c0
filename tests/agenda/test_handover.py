"""The handover between shifts: what the evening writes, and its rounds' reports, read
at the start of the night."""

import datetime
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from contacts.models import HandoverNote, Shift, shift_after, shift_at, shift_before
from tests.factories import HandoverNoteFactory, SessionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _local(day, hour, minute=0):
    return datetime.datetime.combine(
        day, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


@pytest.fixture
def clock(monkeypatch):
    """Sets the time the pages see, as a local date and hour."""

    def set_to(day, hour, minute=0):
        moment = _local(day, hour, minute)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_to


def test_the_shifts_follow_each_other_and_the_night_runs_past_midnight():
    day = datetime.date(2026, 11, 30)
    assert shift_at(_local(day, 9)) == (day, Shift.DAY)
    assert shift_at(_local(day, 18, 30)) == (day, Shift.EVENING)
    assert shift_at(_local(day, 23)) == (day, Shift.NIGHT)
    assert shift_at(_local(day + DAY, 2)) == (day, Shift.NIGHT)
    assert shift_before(day, Shift.DAY) == (day - DAY, Shift.NIGHT)
    assert shift_before(day, Shift.NIGHT) == (day, Shift.EVENING)
    assert shift_after(day, Shift.NIGHT) == (day + DAY, Shift.DAY)


def test_the_evening_writes_and_the_night_reads_it_with_the_rounds_report(
    client, clock, educator, online_worker
):
    today = datetime.date(2026, 11, 30)
    clock(today, 19, 15)
    client.force_login(educator)
    form = client.get(reverse("agenda:handover-create")).context["form"]
    assert form["date"].value() == today and form["shift"].value() == Shift.EVENING
    response = client.post(
        reverse("agenda:handover-create"),
        {
            "date": today.isoformat(),
            "shift": "evening",
            "happened": "ZQ-HANDOVER Tension gare Lille-Flandres, deux personnes en manque.",
            "to_watch": "Repasser au parking relais vers 23 h.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:handover") + f"?jour={today.isoformat()}"
    note = HandoverNote.objects.get()
    assert (note.author, note.shift) == (educator, "evening")
    # The evening's round, with its report, belongs to the evening's handover.
    SessionFactory(
        kind="street_round",
        date=today,
        start_time=datetime.time(17, 30),
        report="ZQ-ROUND-REPORT Maraude à pied : 12 contacts, kits distribués.",
        created_by=educator,
    )
    clock(today, 21, 30)
    client.force_login(online_worker)
    page = client.get(reverse("agenda:my-day"))
    logs = page.context["handover"]
    assert [(log.day, log.shift) for log in logs] == [(today, "evening"), (today, "night")]
    assert [n.pk for n in logs[0].notes] == [note.pk]
    assert [s.report[:19] for s in logs[0].rounds] == ["ZQ-ROUND-REPORT Mar"]
    html = page.content.decode()
    assert "ZQ-HANDOVER" in html and "Repasser au parking relais" in html
    assert "ZQ-ROUND-REPORT" in html
    # The next morning, the night's own round report is what the day team reads.
    SessionFactory(
        kind="night_round",
        date=today,
        start_time=datetime.time(21, 45),
        report="ZQ-NIGHT-REPORT Antenne mobile : 30 passages.",
        created_by=online_worker,
    )
    clock(today + DAY, 9)
    client.force_login(online_worker)  # a new shift, a new login (sessions expire when idle)
    morning = client.get(reverse("agenda:my-day")).context["handover"]
    assert [(log.day, log.shift) for log in morning] == [(today, "night"), (today + DAY, "day")]
    assert [s.report[:15] for s in morning[0].rounds] == ["ZQ-NIGHT-REPORT"]
    day_page = client.get(reverse("agenda:handover"), {"jour": today.isoformat()})
    shifts = {log.shift: log for log in day_page.context["logs"]}
    assert [n.pk for n in shifts["evening"].notes] == [note.pk]
    assert len(shifts["night"].rounds) == 1 and shifts["day"].empty


def test_an_empty_or_future_handover_is_refused_and_nothing_written(client, clock, educator):
    today = datetime.date(2026, 11, 30)
    clock(today, 20)
    client.force_login(educator)
    response = client.post(
        reverse("agenda:handover-create"),
        {"date": (today + DAY).isoformat(), "shift": "", "happened": " ", "to_watch": ""},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"date", "shift", "happened"}
    assert "futur" in str(errors["date"])
    assert not HandoverNote.objects.exists()


def test_a_handover_note_is_edited_and_archived(client, educator):
    note = HandoverNoteFactory(author=educator)
    client.force_login(educator)
    url = reverse("agenda:handover-edit", args=[note.pk])
    seen = client.get(url).context["seen"]
    response = client.post(
        url,
        {
            "date": note.date.isoformat(),
            "shift": "night",
            "happened": note.happened,
            "to_watch": "Corrigé : repasser à 1 h.",
            "seen": seen,
        },
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert (note.shift, note.to_watch) == ("night", "Corrigé : repasser à 1 h.")
    client.post(reverse("casefile:archive-handover", args=[note.pk]), {"reason": "Doublon"})
    assert HandoverNote.all_objects.get(pk=note.pk).archived_at is not None
    assert client.get(url).status_code == 404


def test_the_handover_is_refused_to_the_roles_outside_the_field_team(client, make_user):
    note = HandoverNoteFactory(happened="ZQ-SECRET-HANDOVER")
    for role in ("peer_volunteer", "partner_practitioner", "administrator", "minors_team"):
        client.force_login(make_user(role))
        assert client.get(reverse("agenda:handover")).status_code == 403, role
        assert client.get(reverse("agenda:handover-edit", args=[note.pk])).status_code == 403
        assert "ZQ-SECRET-HANDOVER" not in client.get(reverse("home")).content.decode()

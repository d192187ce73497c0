"""The agenda: the team's actions beside the dates each app keeps, for one reader.

The actions and the handover notes are records of ``contacts``; the other deadlines
come from each domain app's ``deadlines.py`` (listed here), each built through that
app's own access rules, so a reader sees only what their roles may read.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from contacts import access as contacts_access
from contacts.models import (
    Action,
    HandoverNote,
    Session,
    SessionKind,
    Shift,
    Team,
    shift_at,
    shift_before,
    shift_of_time,
)
from contacts.models.persons import in_active_file_q
from entractes.lib.deadlines import Due
from entractes.models import User
from health import deadlines as health_deadlines
from minors import deadlines as minors_deadlines
from rights import deadlines as rights_deadlines

SOURCES: list[Callable[..., list[Due]]] = [
    rights_deadlines.deadlines,
    health_deadlines.deadlines,
    minors_deadlines.deadlines,
]


def _holder(action: Action) -> str:
    if action.assignee is not None:
        return action.assignee.get_short_name() or action.assignee.get_username()
    return str(Team(action.team).label)


def as_due(action: Action, today: datetime.date) -> Due:
    return Due(
        day=action.due_on,
        time=action.due_time,
        title=action.title,
        source=action.get_category_display(),
        url=reverse("agenda:action-edit", args=[action.pk]),
        person_code=action.person.code if action.person else "",
        person_label=action.person.nickname if action.person else "",
        urgent=action.urgent,
        holder=_holder(action),
        action_pk=action.pk,
        overdue=action.is_overdue(today),
    )


def open_actions(user: User, *, since: datetime.date | None, until: datetime.date, mine: bool):
    """The open actions due by ``until`` (from ``since``, or overdue ones too), about
    persons of the active file or the service."""
    actions = contacts_access.actions_for_user(user).open().filter(due_on__lte=until)
    if since is not None:
        actions = actions.filter(due_on__gte=since)
    actions = actions.filter(Q(person__isnull=True) | in_active_file_q("person"))
    if mine:
        actions = actions.for_holder(user, user.role_slugs)
    return actions


def agenda(
    user: User,
    *,
    since: datetime.date | None,
    until: datetime.date,
    mine: bool = False,
    today: datetime.date | None = None,
) -> list[Due]:
    """Everything due for the reader, overdue first, then by day, urgent first. With
    ``mine``, the actions held by the reader or left to a team of theirs, and the files'
    deadlines the reader follows or that no one in particular holds."""
    today = today or timezone.localdate()
    found = [as_due(a, today) for a in open_actions(user, since=since, until=until, mine=mine)]
    for source in SOURCES:
        found.extend(
            due
            for due in source(user, since=since, until=until)
            if not mine or due.holder_pk in (None, user.pk)
        )
    return sorted(found, key=lambda due: due.sort_key)


def by_holder(items: list[Due]) -> list[tuple[str, list[Due]]]:
    groups: dict[str, list[Due]] = {}
    for item in items:
        groups.setdefault(item.holder, []).append(item)
    return sorted(groups.items(), key=lambda pair: (pair[0] == "", pair[0].lower()))


def by_person(items: list[Due]) -> list[tuple[str, list[Due]]]:
    """The items by the person they are about (the service's own last)."""
    groups: dict[str, list[Due]] = {}
    for item in items:
        label = f"{item.person_label} ({item.person_code})" if item.person_code else ""
        groups.setdefault(label, []).append(item)
    return sorted(groups.items(), key=lambda pair: (pair[0] == "", pair[0].lower()))


def week_of(day: datetime.date) -> list[datetime.date]:
    monday = day - datetime.timedelta(days=day.weekday())
    return [monday + datetime.timedelta(days=n) for n in range(7)]


@dataclass
class ShiftLog:
    """One shift's handover: the notes written for it and the reports of its rounds."""

    day: datetime.date
    shift: str
    notes: list[HandoverNote] = field(default_factory=list)
    rounds: list[Session] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(Shift(self.shift).label)

    @property
    def empty(self) -> bool:
        return not self.notes and not self.rounds


def _round_reports(user: User, days: list[datetime.date]) -> QuerySet[Session]:
    """The sessions of these days whose report was written, for those who read sessions."""
    return (
        contacts_access.sessions_for_user(user)
        .filter(date__in=days)
        .exclude(report="")
        .prefetch_related("staff")
        .order_by("date", "start_time", "pk")
    )


def shift_logs(user: User, shifts: list[tuple[datetime.date, str]]) -> list[ShiftLog]:
    """The handover of each (day, shift): its notes and the round reports written in it
    (a round belongs to the shift it started in)."""
    logs = {key: ShiftLog(*key) for key in shifts}
    days = sorted({day for day, _shift in shifts})
    notes = contacts_access.handover_notes_for_user(user).filter(date__in=days)
    for note in notes.order_by("created_at", "pk"):
        if (note.date, note.shift) in logs:
            logs[(note.date, note.shift)].notes.append(note)
    if user.has_capability("handover.use"):
        for session in _round_reports(user, days):
            shift = shift_of_time(session.start_time) or _default_shift(session)
            if (session.date, shift) in logs:
                logs[(session.date, shift)].rounds.append(session)
    return [logs[key] for key in shifts]


def _default_shift(session: Session) -> str:
    """A session with no start time: the night round is the night's, others the day's."""
    return Shift.NIGHT if session.kind == SessionKind.NIGHT_ROUND else Shift.DAY


def shift_now(moment: datetime.datetime | None = None) -> tuple[datetime.date, str]:
    return shift_at(timezone.localtime(moment))


def handover_to_read(user: User, moment: datetime.datetime | None = None) -> list[ShiftLog]:
    """What the shift starting now reads: the shift before it, and its own so far."""
    current = shift_now(moment)
    return shift_logs(user, [shift_before(*current), current])

"""Reads of the minors' follow-up: the minors' team and the director only, every read logged."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from contacts import meetings
from contacts.models import Person, in_active_file_q
from entractes.models import AccessLogEntry, User
from minors.models import FileQuerySet, MinorFile, ReceivedReport, Runaway


def _allowed(user: User) -> bool:
    return user.has_capability("minors.read_file")


def log_list_read(user: User, what: str) -> None:
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=f"minors:{what}", detail=what
    )


def files_for_user(user: User) -> FileQuerySet:
    if not _allowed(user):
        return MinorFile.objects.none()
    return MinorFile.objects.select_related("person", "worker")


def get_file_for_user(user: User, pk: int) -> MinorFile:
    """A file, its read logged; 404 for missing and not allowed alike."""
    try:
        minor_file = files_for_user(user).get(pk=pk)
    except MinorFile.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=MinorFile, pk=pk)
        raise Http404 from None
    AccessLogEntry.objects.record(user=user, action=AccessLogEntry.Action.READ, target=minor_file)
    return minor_file


def reports_for_user(user: User) -> QuerySet[ReceivedReport]:
    if not _allowed(user):
        return ReceivedReport.objects.none()
    return ReceivedReport.objects.select_related("partner", "person")


def get_report_for_user(user: User, pk: int) -> ReceivedReport:
    try:
        return reports_for_user(user).get(pk=pk)
    except ReceivedReport.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=ReceivedReport, pk=pk)
        raise Http404 from None


def person_files_for_user(user: User, person: Person) -> list[MinorFile] | None:
    """The person's files for the person page (logged), or None: others see nothing."""
    if not _allowed(user):
        return None
    # One entry per panel shown, files or none (their absence is minors' data too).
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=person, detail="minors.person page"
    )
    return list(files_for_user(user).filter(person=person))


def alerts_for_user(user: User, today: datetime.date | None = None) -> dict[str, QuerySet]:
    """Open files needing attention: no contact for 30 days (minors), a birthday of 18
    or 21 within 30 days, a runaway still open; never for a person out of the active
    file (moved, in care elsewhere, deceased...)."""
    today = today or timezone.localdate()
    soon = today + datetime.timedelta(days=30)
    followed = files_for_user(user).open().filter(in_active_file_q("person"))
    files = followed.annotate(last_met=meetings.last_meeting(ref="person"))
    return {
        "silent": files.filter(person__turns_18_on__gt=today).filter(
            Q(last_met__isnull=True) | Q(last_met__lt=today - datetime.timedelta(days=30))
        ),
        "turning_18": files.filter(person__turns_18_on__gt=today, person__turns_18_on__lte=soon),
        "turning_21": files.filter(person__turns_21_on__gt=today, person__turns_21_on__lte=soon),
        "runaways": Runaway.objects.filter(end__isnull=True, file__in=followed).select_related(
            "file__person"
        ),
    }


# Who may read and who may write each kind of record of the app: (read, write)
# capabilities (composed in entractes.permissions.record_access).
RECORD_ACCESS = {
    "MinorFile": ("minors.read_file", "minors.read_file"),
    "EducationalMeasure": ("minors.read_file", "minors.read_file"),
    "Runaway": ("minors.read_file", "minors.read_file"),
    "ProductUse": ("minors.read_file", "minors.read_file"),
    "FilePartner": ("minors.read_file", "minors.read_file"),
    "PartnerExchange": ("minors.read_file", "minors.read_file"),
    "SafeguardingReport": ("minors.read_file", "minors.read_file"),
    "ReceivedReport": ("minors.read_file", "minors.read_file"),
    "TrainingCycle": ("minors.read_file", "minors.read_file"),
    "AwarenessSession": ("minors.read_file", "minors.read_file"),
    "SchoolSession": ("minors.read_file", "minors.read_file"),
}

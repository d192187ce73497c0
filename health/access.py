"""Reads of health records for a user: clinical content for health staff only.

Nurses, doctors and midwives read every line; a partner practitioner reads only the
line(s) they are linked to; everybody else reads nothing clinical. Each read of a
consultation or of a health list is written to the access log here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from contacts.models import Person
from entractes.models import AccessLogEntry, User
from health.models import Consultation, HealthSession, ServiceLine, Workshop


def lines_for_user(user: User) -> QuerySet[ServiceLine]:
    if user.has_capability("health.read_clinical"):
        return ServiceLine.objects.filter(active=True)
    if user.has_capability("health.use"):
        return ServiceLine.objects.filter(active=True, practitioners=user)
    return ServiceLine.objects.none()


def persons_reached(user: User) -> QuerySet[Person, Any]:
    """The persons a reader of persons reaches through the health unit: those with a live
    consultation in one of their active lines, or who took part in a group session of
    one (registered in contacts.access)."""
    consulted = Consultation._base_manager.filter(
        line__practitioners=user, line__active=True, archived_at__isnull=True
    ).values("person")
    grouped = HealthSession.participants.through._base_manager.filter(
        healthsession__line__practitioners=user, healthsession__line__active=True
    ).values("person")
    return Person._base_manager.filter(Q(pk__in=consulted) | Q(pk__in=grouped)).values("pk")


def consultations_for_user(user: User) -> QuerySet[Consultation]:
    return Consultation.objects.filter(line__in=lines_for_user(user)).select_related(
        "person", "line"
    )


def sessions_for_user(user: User) -> QuerySet[HealthSession]:
    return HealthSession.objects.filter(line__in=lines_for_user(user)).select_related(
        "line", "practitioner"
    )


def workshops_for_user(user: User) -> QuerySet[Workshop]:
    if not user.has_capability("health.use"):
        return Workshop.objects.none()
    return Workshop.objects.select_related("line")


def log_list_read(user: User, what: str) -> None:
    """Record that a health list was shown to the user."""
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=f"health:{what}", detail=what
    )


def get_consultation_for_user(user: User, pk: int) -> Consultation:
    """A consultation the user may read, logged; 404 for missing and not allowed alike."""
    try:
        consultation = consultations_for_user(user).get(pk=pk)
    except Consultation.DoesNotExist:
        # Another line's record answers as a missing one: the refusal is logged.
        AccessLogEntry.objects.record_hidden(user=user, model=Consultation, pk=pk)
        raise Http404 from None
    AccessLogEntry.objects.record(user=user, action=AccessLogEntry.Action.READ, target=consultation)
    return consultation


def get_session_for_user(user: User, pk: int) -> HealthSession:
    try:
        return sessions_for_user(user).get(pk=pk)
    except HealthSession.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=HealthSession, pk=pk)
        raise Http404 from None


def person_consultations_for_user(user: User, person: Person) -> QuerySet[Consultation] | None:
    """The person's consultations for health staff (logged), None for anybody else."""
    if not user.has_capability("health.use"):
        return None
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=person, detail="health.consultations"
    )
    return consultations_for_user(user).filter(person=person).prefetch_related("acts__act")


def person_group_sessions_for_user(user: User, person: Person) -> QuerySet[HealthSession] | None:
    """The group sessions the person took part in, for health staff (of their lines);
    None for anybody else: taking part is health information."""
    if not user.has_capability("health.use"):
        return None
    return sessions_for_user(user).filter(participants=person)


def person_health_summary(person: Person) -> dict:
    """What any person reader may know: the shareable transmission notes, dated, unless
    the person objects. Neither the lines consulted nor whether there is a follow-up:
    that is health information, for health staff only.
    """
    notes = (
        []
        if person.objects_to_health_sharing
        else list(
            Consultation.objects.filter(person=person)
            .exclude(shared_note="")
            .order_by("-at")
            .values("day", "shared_note")[:10]
        )
    )
    return {"shared_notes": notes}


# Who may read and who may write each kind of record of the app: (read, write)
# capabilities (composed in entractes.permissions.record_access). A group session's
# participants are part of it: health data, read and written with ``health.use``.
RECORD_ACCESS = {
    "HealthSession": ("health.use", "health.use"),
    "Consultation": ("health.use", "health.use"),
    "ConsultationAct": ("health.use", "health.use"),
    "Workshop": ("health.use", "health.use"),
}
# Reference lists: every staff member reads them in forms; administrators edit them.
REFERENCE_LISTS = frozenset(
    {
        "Act",
        "ServiceLine",
    }
)

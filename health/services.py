"""Writes of the health unit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from entractes.lib.writes import save_record
from health.models import Consultation, ConsultationAct, HealthSession, Workshop

if TYPE_CHECKING:
    from contacts.models import Person
    from entractes.models import User


@transaction.atomic
def consultation_save(
    *,
    data: dict[str, Any],
    acts: list[dict[str, Any]],
    by: User,
    consultation: Consultation | None = None,
) -> Consultation:
    """Create or correct a consultation with its acts, all or nothing."""
    consultation = save_record(consultation or Consultation(author=by), data, exclude=["day"])
    consultation.acts.all().delete()
    for act in acts:
        line = ConsultationAct(consultation=consultation, **act)
        line.full_clean()
        line.save()
    return consultation


@transaction.atomic
def health_session_save(
    *, data: dict[str, Any], by: User, session: HealthSession | None = None
) -> HealthSession:
    return save_record(session or HealthSession(created_by=by), data)


@transaction.atomic
def health_session_participants_set(
    *, session: HealthSession, persons: list[Person]
) -> HealthSession:
    """Record who took part in a group session: the list replaces the previous one."""
    participants_check(session=session, persons=persons)
    session.participants.set(persons)
    return session


def participants_check(*, session: HealthSession, persons: list[Person]) -> None:
    """Only a group session (a workshop) has participants; a permanence has consultations.
    Raises ``ValidationError`` on ``participants`` (also checked by the records' import)."""
    if persons and session.kind != HealthSession.Kind.WORKSHOP:
        raise ValidationError(
            {"participants": _("Seule une séance collective (atelier) a des participant·es.")}
        )


@transaction.atomic
def workshop_save(*, data: dict[str, Any], by: User, workshop: Workshop | None = None) -> Workshop:
    return save_record(workshop or Workshop(created_by=by), data)

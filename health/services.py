"""Writes of the health unit."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from health.models import Consultation, ConsultationAct, HealthSession, Workshop


@transaction.atomic
def consultation_save(
    *,
    data: dict[str, Any],
    acts: list[dict[str, Any]],
    by,
    consultation: Consultation | None = None,
) -> Consultation:
    """Create or correct a consultation with its acts, all or nothing."""
    consultation = consultation or Consultation(author=by)
    for name, value in data.items():
        setattr(consultation, name, value)
    consultation.full_clean(exclude=["day"])
    consultation.save()
    consultation.acts.all().delete()
    for act in acts:
        line = ConsultationAct(consultation=consultation, **act)
        line.full_clean()
        line.save()
    return consultation


@transaction.atomic
def health_session_save(
    *, data: dict[str, Any], by, session: HealthSession | None = None
) -> HealthSession:
    session = session or HealthSession(created_by=by)
    for name, value in data.items():
        setattr(session, name, value)
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def workshop_save(*, data: dict[str, Any], by, workshop: Workshop | None = None) -> Workshop:
    participants = data.pop("participants", [])
    workshop = workshop or Workshop(created_by=by)
    for name, value in data.items():
        setattr(workshop, name, value)
    workshop.full_clean()
    workshop.save()
    workshop.participants.set(participants)
    return workshop

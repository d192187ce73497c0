"""The follow-up appointments the consultations set, for the agenda (see
entractes.lib.deadlines)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models.persons import in_active_file_q
from entractes.lib.deadlines import Due
from entractes.models import User
from health import access
from health.models import Consultation

# How long a follow-up appointment nobody came back for stays on the agenda.
MISSED_FOR = datetime.timedelta(days=30)


def deadlines(user: User, *, since: datetime.date | None, until: datetime.date) -> list[Due]:
    """The next appointments set by the consultations the user may read; with
    ``since`` None, also those of the last 30 days not followed by a consultation on
    the same line (missed). The list read is logged."""
    if not user.has_capability("health.use"):
        return []
    today = timezone.localdate()
    start = since if since is not None else today - MISSED_FOR
    seen_after = Consultation.objects.filter(
        person=OuterRef("person"), line=OuterRef("line"), day__gte=OuterRef("next_appointment")
    )
    consultations = (
        access.consultations_for_user(user)
        .filter(next_appointment__gte=start, next_appointment__lte=until)
        .filter(in_active_file_q("person"))
        .filter(Q(next_appointment__gte=today) | ~Exists(seen_after))
        .order_by("next_appointment", "pk")
    )
    found = [
        Due(
            day=consultation.next_appointment,
            title=_("Rendez-vous de suivi (%(line)s)") % {"line": consultation.line},
            source=gettext_lazy("Santé"),
            url=reverse("health:consultation-detail", args=[consultation.pk]),
            person_code=consultation.person.code,
            person_label=consultation.person.nickname,
            overdue=consultation.next_appointment < today,
        )
        for consultation in consultations
        if consultation.next_appointment is not None
    ]
    if found:
        access.log_list_read(user, "agenda")
    return found

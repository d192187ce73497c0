"""The dates the procedures and PSP files keep, for the agenda (see entractes.lib.deadlines)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models.persons import in_active_file_q
from entractes.lib.deadlines import Due
from entractes.models import User
from rights import access
from rights.models import Procedure, PSPFile


def deadlines(user: User, *, since: datetime.date | None, until: datetime.date) -> list[Due]:
    """A procedure's next action (overdue ones too), a PSP file's commission and the
    end of its path, for those who follow procedures; the list read is logged."""
    if not user.has_capability("rights.use"):
        return []
    today = timezone.localdate()
    window = Q(next_action_due__lte=until)
    if since is not None:
        window &= Q(next_action_due__gte=since)
    procedures = (
        access.procedures_for_user(user)
        .filter(window, in_active_file_q("person"), status=Procedure.Status.IN_PROGRESS)
        .order_by("next_action_due", "pk")
    )
    start = since or today
    files = (
        access.psp_files_for_user(user)
        .exclude(state=PSPFile.State.CLOSED)
        .filter(
            Q(commission_date__gte=start, commission_date__lte=until)
            | Q(path_end__lte=until, state=PSPFile.State.PATH)
            & (Q(path_end__gte=since) if since else Q())
        )
        .filter(in_active_file_q("person"))
        .order_by("pk")
    )
    found = []
    for procedure in procedures:
        assert procedure.next_action_due is not None
        found.append(
            Due(
                day=procedure.next_action_due,
                title=procedure.next_action or procedure.request,
                source=gettext_lazy("Démarche"),
                url=reverse("rights:procedure-detail", args=[procedure.pk]),
                person_code=procedure.person.code,
                person_label=procedure.person.nickname,
                holder=procedure.worker.get_short_name() or procedure.worker.get_username(),
                holder_pk=procedure.worker_id,
                overdue=procedure.next_action_due < today,
            )
        )
    for psp in files:
        holder = psp.worker.get_short_name() or psp.worker.get_username()
        url = reverse("rights:psp-detail", args=[psp.pk])
        if psp.commission_date and start <= psp.commission_date <= until:
            found.append(
                Due(
                    day=psp.commission_date,
                    title=_("Commission départementale"),
                    source=gettext_lazy("PSP"),
                    url=url,
                    person_code=psp.person.code,
                    person_label=psp.person.nickname,
                    holder=holder,
                    holder_pk=psp.worker_id,
                )
            )
        ends = psp.path_end
        if psp.state == PSPFile.State.PATH and ends and (since or ends) <= ends <= until:
            found.append(
                Due(
                    day=ends,
                    title=_("Fin du parcours : renouvellement à préparer"),
                    source=gettext_lazy("PSP"),
                    url=url,
                    person_code=psp.person.code,
                    person_label=psp.person.nickname,
                    holder=holder,
                    holder_pk=psp.worker_id,
                    overdue=ends < today,
                )
            )
    if found:
        access.log_list_read(user, "agenda")
    return found

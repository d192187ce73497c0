"""The dates the minors' follow-up keeps, for the agenda (see entractes.lib.deadlines)."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models.persons import in_active_file_q
from entractes.lib.deadlines import Due
from entractes.models import User
from minors import access


def deadlines(user: User, *, since: datetime.date | None, until: datetime.date) -> list[Due]:
    """Eighteenth and twenty-first birthdays of followed young people within the dates;
    and, on today, the open runaways and the files without contact for 30 days. Only
    for those who read minors' files; the read is logged."""
    if not user.has_capability("minors.read_file"):
        return []
    today = timezone.localdate()
    start = since or today
    alerts = access.alerts_for_user(user, today)
    files = access.files_for_user(user).open().filter(in_active_file_q("person"))
    source = gettext_lazy("Mineurs")
    found = []
    for field, title in (
        ("turns_18_on", _("18 ans : préparer le passage à l'âge adulte")),
        ("turns_21_on", _("21 ans : fin du suivi jeunes, relais à organiser")),
    ):
        within = {f"person__{field}__gte": start, f"person__{field}__lte": until}
        for minor_file in files.filter(**within).order_by(f"person__{field}", "pk"):
            found.append(
                Due(
                    day=getattr(minor_file.person, field),
                    title=title,
                    source=source,
                    url=reverse("minors:file-detail", args=[minor_file.pk]),
                    person_code=minor_file.person.code,
                    person_label=minor_file.person.nickname,
                    holder_pk=minor_file.worker_id,
                )
            )
    if start <= today <= until:
        for runaway in alerts["runaways"].order_by("start", "pk"):
            found.append(
                Due(
                    day=today,
                    title=_("Fugue en cours depuis le %(day)s")
                    % {"day": date_format(runaway.start, "SHORT_DATE_FORMAT")},
                    source=source,
                    url=reverse("minors:file-detail", args=[runaway.file_id]),
                    person_code=runaway.file.person.code,
                    person_label=runaway.file.person.nickname,
                    holder_pk=runaway.file.worker_id,
                    urgent=True,
                )
            )
        for minor_file in alerts["silent"].order_by("pk"):
            found.append(
                Due(
                    day=today,
                    title=_("Aucun contact depuis plus de 30 jours"),
                    source=source,
                    url=reverse("minors:file-detail", args=[minor_file.pk]),
                    person_code=minor_file.person.code,
                    person_label=minor_file.person.nickname,
                    holder_pk=minor_file.worker_id,
                )
            )
    if found:
        access.log_list_read(user, "agenda")
    return found

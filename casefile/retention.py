"""Personal data over time (GDPR): retention, anonymisation, erasure.

- **Retention**: a person with no activity for ``RETENTION_YEARS`` (last meeting, last
  dated event of a procedure, PSP file or minors' file; never a record's creation or
  update time, and the person's creation only when nothing of theirs is dated) is
  anonymised by ``manage.py apply_retention``, which also purges access-log entries
  older than twelve months.
- **Anonymisation** removes what identifies a person and keeps what the figures count,
  so that past figures and published reports do not change: gender, birth data, the
  activities and products counted, every record's date, kind and coded values.
- **Erasure**: the director anonymises a person at once, unless a follow-up is still
  open (minors' file, PSP file, procedure in progress).

What each kind of record holds, clears and counts as activity is declared by its app
(``<app>/person.py``, composed in ``casefile.registry``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casefile import registry
from contacts import meetings
from contacts.models import LegalIdentity, Person, generate_code, years_before
from entractes.freshness import records_changed
from entractes.lib.personfile import ANONYMISED
from entractes.models import AccessLogEntry, User

# Access-log entries are kept twelve months (as ``manage.py purge_access_log``); the
# database refuses to delete younger ones.
ACCESS_LOG_KEPT = datetime.timedelta(days=366)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _persons_inactive(limit: datetime.date):
    """Current, not yet anonymised persons with no activity on or after ``limit``.

    Activity is what the person did or what happened in their files: meetings and the
    dates each app declares (``Record.activity``), archived records left out. A record's
    creation is no activity (an import creates records long after the facts); only a
    person with no dated activity at all counts from their own creation.
    """
    since = _start_of(limit)
    persons = (
        Person.all_objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
        .annotate(last_met=meetings.last_meeting())
        .filter(Q(last_met__isnull=True) | Q(last_met__lt=limit))
    )
    ever_active = Q(last_met__isnull=False)
    for kind in registry.about_person():
        if not kind.activity:
            continue
        model = kind.model
        recent, dated = Q(), Q()
        for name in kind.activity:
            is_moment = model._meta.get_field(name).get_internal_type() == "DateTimeField"
            recent |= Q(**{f"{name}__gte": since if is_moment else limit})
            dated |= Q(**{f"{name}__isnull": False})
        records = model._default_manager.filter(**{kind.to_person: OuterRef("pk")})
        if kind.archived:
            records = records.filter(**{kind.archived: None})
        persons = persons.exclude(Exists(records.filter(recent)))
        ever_active |= Q(Exists(records.filter(dated)))
    return persons.exclude(~ever_active & Q(created_at__gte=since))


def persons_due(*, today: datetime.date, years: int):
    """Persons to anonymise: inactive since the limit, with no follow-up still open."""
    persons = _persons_inactive(years_before(today, years))
    for kind in registry.open_follow_ups():
        persons = persons.exclude(registry.open_query(kind))
    return persons


def persons_kept_open(*, today: datetime.date, years: int):
    """Persons inactive since the limit but kept because a follow-up is still open:
    staff should close or check those files."""
    query = None
    for kind in registry.open_follow_ups():
        open_query = registry.open_query(kind)
        query = open_query if query is None else query | open_query
    return _persons_inactive(years_before(today, years)).filter(query)


def with_duplicates(persons: list[int]) -> list[int]:
    """These persons' pks and those of the duplicates merged into them (at any depth)."""
    pks, frontier = list(persons), list(persons)
    while frontier:
        frontier = list(
            Person.all_objects.filter(merged_into__in=frontier).values_list("pk", flat=True)
        )
        pks += frontier
    return pks


def _new_code() -> str:
    code = generate_code()
    while Person.all_objects.filter(code=code).exists():
        code = generate_code()
    return code


def person_anonymise(*, person: Person) -> bool:
    """Remove for good what identifies a person; keep what the figures count (see
    persons_anonymise). Returns False, changing nothing, when anonymised already."""
    return persons_anonymise([person.pk]) == 1


@transaction.atomic
def persons_anonymise(persons: list[int]) -> int:
    """Remove for good what identifies these persons; keep what the figures count.

    In one transaction, for the persons and the duplicates merged into them: the legal
    identity is deleted; the nickname becomes « Anonymisé·e » and the code is drawn
    again; notes, country of origin, languages and referral source are cleared; the
    free text of their records (contact notes, clinical and transmission notes, act
    details, procedures' requests and steps, PSP notes, minors' files notes, exchanges,
    safeguarding grounds, partners' referents, received reports) is cleared; the change
    history of all of it is deleted. Gender, birth data, activities, products,
    prostitution modes, and every record's dates, kinds and coded values stay.

    Persons anonymised already are left as they are. Returns the number anonymised now.
    """
    persons = list(
        Person.all_objects.select_for_update()
        .filter(pk__in=persons, anonymised_at__isnull=True)
        .values_list("pk", flat=True)
    )
    if not persons:
        return 0
    pks = with_duplicates(persons)
    now = timezone.now()
    records_changed()  # the updates below send no signal
    with disable_auditlog():
        # The change history goes first, while every record still leads to the person.
        _delete_history(
            [
                (kind.model, kind.model._base_manager.filter(**{f"{kind.to_person}__in": pks}))
                for kind in registry.records()
                if kind.history
            ]
        )
        for kind in registry.about_person():
            records = kind.model._base_manager.filter(**{f"{kind.to_person}__in": pks})
            for name, value in kind.cleared.items():
                if value:
                    # A label replaces filled text only: an empty field stays empty.
                    records.exclude(**{name: ""}).update(**{name: value})
                else:
                    records.update(**{name: value})
        # The one hard delete of the application: the civil identity goes for good.
        LegalIdentity.objects.filter(person__in=pks).delete()
        Person.languages.through.objects.filter(person_id__in=pks).delete()
        cleared = registry.person_record().cleared
        for pk in pks:
            Person.all_objects.filter(pk=pk).update(
                **cleared, code=_new_code(), anonymised_at=now, version=F("version") + 1
            )
        Person.all_objects.filter(pk__in=pks).exclude(archive_reason="").update(
            archive_reason=ANONYMISED
        )
    return len(persons)


def _delete_history(records: list[tuple[type[models.Model], QuerySet[Any]]]) -> None:
    """Delete the change history (before/after values) of these records: for each model,
    a query of them (every model here has an integer pk, which the history keeps in
    ``object_id``)."""
    types = ContentType.objects.get_for_models(*{model for model, _records in records})
    for model, query in records:
        LogEntry.objects.filter(
            content_type=types[model], object_id__in=query.values("pk")
        ).delete()


# --- Retention ------------------------------------------------------------------------


@dataclass
class RetentionReport:
    limit: datetime.date
    anonymised: int
    kept_open: int
    purged: int
    dry_run: bool


# Persons anonymised per transaction by retention_apply.
RETENTION_BATCH = 100


def retention_apply(
    *, today: datetime.date | None = None, years: int | None = None, dry_run: bool = False
) -> RetentionReport:
    """Anonymise the persons past the retention limit (a hundred per transaction) and
    purge the access-log entries older than twelve months. ``dry_run`` writes nothing."""
    today = today or timezone.localdate()
    years = settings.RETENTION_YEARS if years is None else years
    limit = years_before(today, years)
    due = list(persons_due(today=today, years=years).values_list("pk", flat=True))
    kept_open = persons_kept_open(today=today, years=years).count()
    # Never later than a year before now: the database refuses younger deletions.
    before = min(_start_of(today), timezone.now()) - ACCESS_LOG_KEPT
    if dry_run:
        purged = AccessLogEntry.objects.filter(at__lt=before).count()
        return RetentionReport(limit, len(due), kept_open, purged, dry_run=True)
    anonymised = 0
    for start in range(0, len(due), RETENTION_BATCH):
        batch = due[start : start + RETENTION_BATCH]
        with transaction.atomic():
            list(Person.all_objects.select_for_update().filter(pk__in=batch).values_list("pk"))
            # Checked again under the lock: a contact may have been logged meanwhile.
            still_due = persons_due(today=today, years=years).filter(pk__in=batch)
            anonymised += persons_anonymise(list(still_due.values_list("pk", flat=True)))
    purged = AccessLogEntry.objects.purge(before=before)
    return RetentionReport(limit, anonymised, kept_open, purged, dry_run=False)


# --- Erasure --------------------------------------------------------------------------


class ErasureRefused(Exception):
    """The person may not be erased now; the message says why, for the user."""


ERASURE_REASONS = [
    ("request", gettext_lazy("Demande de la personne (droit à l'effacement)")),
    ("objection", gettext_lazy("Opposition de la personne au traitement de ses données")),
    ("not_needed", gettext_lazy("Données plus nécessaires au suivi")),
    ("wrongly_collected", gettext_lazy("Données recueillies à tort")),
]


def erasure_obstacles(person: Person) -> list[str]:
    """Why the person may not be erased now: their follow-ups still open (empty if none)."""
    pks = with_duplicates([person.pk])
    return [
        str(kind.open_label)
        for kind in registry.open_follow_ups()
        if kind.model._default_manager.filter(kind.open, **{f"{kind.to_person}__in": pks}).exists()
    ]


@transaction.atomic
def person_erase(*, person: Person, by: User, reason: str) -> Person:
    """Anonymise a person at once, at the director's decision, logged in the access log.

    Refused (ErasureRefused) while a minors' file or a PSP file is open or a procedure
    is in progress: the law may require keeping them, and they must be closed first.
    """
    if reason not in dict(ERASURE_REASONS):
        raise ErasureRefused(_("Indiquez le motif de l'effacement."))
    person = Person.all_objects.select_for_update().get(pk=person.pk)
    if person.anonymised_at is not None:
        raise ErasureRefused(_("Cette personne est déjà anonymisée."))
    obstacles = erasure_obstacles(person)
    if obstacles:
        raise ErasureRefused(
            _(
                "Effacement impossible : la personne a %(what)s. Clôturez d'abord ce suivi, "
                "ou attendez qu'il soit terminé."
            )
            % {"what": ", ".join(obstacles)}
        )
    person_anonymise(person=person)
    AccessLogEntry.objects.record(
        user=by, action=AccessLogEntry.Action.ERASE, target=person, detail=f"erasure: {reason}"
    )
    return Person.all_objects.get(pk=person.pk)

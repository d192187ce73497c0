"""Personal data over time (GDPR): retention, anonymisation, erasure, right of access.

- **Retention**: a person with no activity for ``RETENTION_YEARS`` (last meeting, last
  dated step of a procedure, PSP file or minors' file, or creation when never met) is
  anonymised by ``manage.py apply_retention``, which also purges access-log entries
  older than twelve months.
- **Anonymisation** removes what identifies a person and keeps what the figures count,
  so that past figures and published reports do not change: gender, birth data, the
  activities and products counted, every record's date, kind and coded values.
- **Erasure**: the director anonymises a person at once, unless a follow-up is still
  open (minors' file, PSP file, procedure in progress).
- **Right of access**: the document of everything the service holds about a person,
  as far as the requesting user may read it, with the reads of their file.

The other apps' records are named by label (``"health.Consultation"``), as in
``contacts.meetings`` and ``contacts.history``: ``contacts`` imports none of them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import meetings
from contacts.models import (
    LegalIdentity,
    Person,
    ReferralSource,
    generate_code,
    search_key,
    years_before,
)
from entractes.freshness import records_changed
from entractes.models import AccessLogEntry

# The nickname of an anonymised person (the code is drawn again, at random).
ANONYMISED = "Anonymisé·e"
# Access-log entries are kept twelve months (as ``manage.py purge_access_log``); the
# database refuses to delete younger ones.
ACCESS_LOG_KEPT = datetime.timedelta(days=366)


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


@dataclass(frozen=True)
class Kind:
    """A kind of record about a person, and what anonymisation does to it."""

    model: str  # "app.Model"
    to_person: str  # lookup from the record to the person's pk
    # Free text that could identify the person -> value once anonymised (None: NULL,
    # for the encrypted fields; a label where the field may not be blank).
    cleared: dict[str, Any] = field(default_factory=dict)
    # Dates that count as activity of the person (the retention clock restarts).
    activity: tuple[str, ...] = ()
    # Its change history (before/after values) is deleted with the person's.
    history: bool = True


KINDS = [
    Kind("contacts.Contact", "person", {"note": "", "archive_reason": ANONYMISED}),
    Kind("contacts.ContactMaterial", "contact__person"),
    Kind("contacts.PersonMerge", "kept"),
    Kind("contacts.PersonMerge", "duplicate"),
    Kind(
        "health.Consultation",
        "person",
        {"clinical_note": None, "shared_note": None, "archive_reason": ANONYMISED},
    ),
    Kind("health.ConsultationAct", "consultation__person", {"detail": ""}),
    # A workshop is shared by its participants: nothing of it is cleared.
    Kind("health.Workshop", "participants", activity=("date",), history=False),
    Kind(
        "rights.Procedure",
        "person",
        {
            "request": ANONYMISED,
            "body": "",
            "missing_documents": "",
            "next_action": "",
            "archive_reason": ANONYMISED,
        },
        ("opened_on", "status_on", "updated_at", "next_action_due"),
    ),
    Kind("rights.ProcedureStep", "procedure__person", {"note": ANONYMISED}, ("date",)),
    Kind(
        "rights.PSPFile",
        "person",
        {"notes": "", "decision_reason": ""},
        _names(
            "created_at filed_on commission_date decision_on review_on path_start path_end "
            "permit_start permit_end"
        ),
    ),
    Kind(
        "minors.MinorFile", "person", {"notes": ""}, ("opened_on", "closed_on", "first_meeting_on")
    ),
    Kind("minors.EducationalMeasure", "file__person", activity=("start", "end")),
    Kind("minors.Runaway", "file__person", activity=("start", "end")),
    Kind("minors.ProductUse", "file__person", activity=("start", "end")),
    Kind("minors.FilePartner", "file__person", {"referent": "", "referent_contact": ""}),
    Kind("minors.PartnerExchange", "file__person", {"note": ANONYMISED}, ("date",)),
    Kind(
        "minors.SafeguardingReport",
        "file__person",
        {"grounds": ANONYMISED, "answer": ""},
        ("date", "answer_on"),
    ),
    Kind(
        "minors.ReceivedReport",
        "person",
        {"description": ANONYMISED, "from_whom": ""},
        ("received_on", "linked_on"),
    ),
]


@dataclass(frozen=True)
class OpenFile:
    """A follow-up still open: the person is neither anonymised by retention nor erased."""

    model: str
    condition: Q
    label: Any


OPEN_FILES = [
    OpenFile(
        "minors.MinorFile", Q(closed_on__isnull=True), gettext_lazy("un dossier mineur·e ouvert")
    ),
    OpenFile("rights.PSPFile", ~Q(state="closed"), gettext_lazy("un dossier PSP ouvert")),
    OpenFile("rights.Procedure", Q(status="in_progress"), gettext_lazy("une démarche en cours")),
]

# Person fields reset by anonymisation; everything else is kept (see person_anonymise).
PERSON_CLEARED = {
    "nickname": ANONYMISED,
    "nickname_key": search_key(ANONYMISED),
    "country_of_origin": "",
    "referral_source": ReferralSource.UNKNOWN,
    "notes": "",
}


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def retention_limit(today: datetime.date, years: int) -> datetime.date:
    """The first day of activity that keeps a person: ``years`` before ``today``."""
    return years_before(today, years)


def _open_file(kind: OpenFile) -> Exists:
    return Exists(_model(kind.model)._default_manager.filter(kind.condition, person=OuterRef("pk")))


def _persons_inactive(limit: datetime.date):
    """Current, not yet anonymised persons with no activity on or after ``limit``."""
    since = _start_of(limit)
    persons = (
        Person.all_objects.filter(merged_into__isnull=True, anonymised_at__isnull=True)
        .exclude(created_at__gte=since)
        .annotate(last_met=meetings.last_meeting())
        .filter(Q(last_met__isnull=True) | Q(last_met__lt=limit))
    )
    for kind in KINDS:
        if not kind.activity:
            continue
        model = _model(kind.model)
        recent = Q()
        for name in kind.activity:
            is_moment = model._meta.get_field(name).get_internal_type() == "DateTimeField"
            recent |= Q(**{f"{name}__gte": since if is_moment else limit})
        records = model._default_manager.filter(recent, **{kind.to_person: OuterRef("pk")})
        persons = persons.exclude(Exists(records))
    return persons


def persons_due(*, today: datetime.date, years: int):
    """Persons to anonymise: inactive since the limit, with no follow-up still open."""
    persons = _persons_inactive(retention_limit(today, years))
    for kind in OPEN_FILES:
        persons = persons.exclude(_open_file(kind))
    return persons


def persons_kept_open(*, today: datetime.date, years: int):
    """Persons inactive since the limit but kept because a follow-up is still open:
    staff should close or check those files."""
    query = None
    for kind in OPEN_FILES:
        query = _open_file(kind) if query is None else query | _open_file(kind)
    return _persons_inactive(retention_limit(today, years)).filter(query)


def _with_duplicates(persons: list[int]) -> list[int]:
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
    pks = _with_duplicates(persons)
    now = timezone.now()
    # Whose change history goes: the identities' now (they are deleted below), the other
    # records' as they stand (nothing below moves them to another person).
    history: list[tuple[type[models.Model], Any]] = [
        (Person, pks),
        (
            LegalIdentity,
            list(LegalIdentity.objects.filter(person__in=pks).values_list("pk", flat=True)),
        ),
    ]
    records_changed()  # the updates below send no signal
    with disable_auditlog():
        for kind in KINDS:
            model = _model(kind.model)
            records = model._base_manager.filter(**{f"{kind.to_person}__in": pks})
            if kind.history:
                history.append((model, records.values("pk")))
            for name, value in kind.cleared.items():
                if value:
                    # A label replaces filled text only: an empty field stays empty.
                    records.exclude(**{name: ""}).update(**{name: value})
                else:
                    records.update(**{name: value})
        # The one hard delete of the application: the civil identity goes for good.
        LegalIdentity.objects.filter(person__in=pks).delete()
        Person.languages.through.objects.filter(person_id__in=pks).delete()
        for pk in pks:
            Person.all_objects.filter(pk=pk).update(
                **PERSON_CLEARED, code=_new_code(), anonymised_at=now, version=F("version") + 1
            )
        Person.all_objects.filter(pk__in=pks).exclude(archive_reason="").update(
            archive_reason=ANONYMISED
        )
        _delete_history(history)
    return len(persons)


def _delete_history(records: list[tuple[type[models.Model], Any]]) -> None:
    """Delete the change history (before/after values) of these records: for each model,
    its pks (a list or a query of them; every model here has an integer pk, which the
    history keeps in ``object_id``)."""
    types = ContentType.objects.get_for_models(*{model for model, _pks in records})
    for model, pks in records:
        LogEntry.objects.filter(content_type=types[model], object_id__in=pks).delete()


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
    limit = retention_limit(today, years)
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
    pks = _with_duplicates([person.pk])
    return [
        str(kind.label)
        for kind in OPEN_FILES
        if _model(kind.model)._default_manager.filter(kind.condition, person__in=pks).exists()
    ]


@transaction.atomic
def person_erase(*, person: Person, by, reason: str) -> Person:
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


# --- Right of access ------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A section of the right-of-access document: one kind of record about the person."""

    title: Any
    model: str
    to_person: str
    fields: tuple[str, ...]
    # Capability to read the rows in full (None: whoever may export).
    see: str | None = None
    # Fields listed to those without ``see`` (None: the section is withheld).
    brief: tuple[str, ...] | None = None
    # Said to those without ``see``, whether records exist or not.
    withheld: Any = ""
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    extra: tuple[tuple[Any, Any], ...] = ()  # (label, record -> text)
    order: tuple[str, ...] = ("pk",)


def _acts(consultation) -> str:
    return " ; ".join(
        " ".join(
            part
            for part in (
                str(act.act),
                act.detail,
                act.get_result_display() and f"({act.get_result_display()})",
            )
            if part
        )
        for act in consultation.acts.all()
    )


def _steps(procedure) -> str:
    return " ; ".join(f"{step.date.isoformat()} : {step.note}" for step in procedure.steps.all())


def _material(contact) -> str:
    return ", ".join(f"{line.quantity} × {line.material}" for line in contact.material_lines.all())


HEALTH_TEAM = gettext_lazy(
    "Le contenu clinique (notes, actes, résultats, ateliers santé) est communiqué par "
    "l'équipe santé (infirmier·ère, médecin, sage-femme)."
)
RIGHTS_TEAM = gettext_lazy(
    "Le cas échéant, les démarches d'accès aux droits et les dossiers PSP sont "
    "communiqués par l'équipe éducative ou la direction."
)
MINORS_TEAM = gettext_lazy(
    "Le cas échéant, le suivi des mineur·es et jeunes majeur·es est communiqué par la direction."
)


PARTS = [
    Part(
        gettext_lazy("Contacts"),
        "contacts.Contact",
        "person",
        _names("day occurred_at channel session caarud themes services referrals note archived_at"),
        related=("channel", "session"),
        prefetch=("themes", "services", "referrals", "material_lines__material"),
        extra=((gettext_lazy("matériel remis"), _material),),
        order=("occurred_at",),
    ),
    Part(
        gettext_lazy("Consultations du pôle santé"),
        "health.Consultation",
        "person",
        _names("at line modality clinical_note shared_note next_appointment archived_at"),
        see="health.read_clinical",
        brief=("at", "line"),
        withheld=HEALTH_TEAM,
        related=("line",),
        prefetch=("acts__act",),
        extra=((gettext_lazy("actes"), _acts),),
        order=("at",),
    ),
    Part(
        gettext_lazy("Ateliers santé"),
        "health.Workshop",
        "participants",
        ("date", "title"),
        see="health.read_clinical",
        order=("date",),
    ),
    Part(
        gettext_lazy("Démarches d'accès aux droits"),
        "rights.Procedure",
        "person",
        _names(
            "theme request body opened_on status status_on missing_documents next_action "
            "next_action_due archived_at"
        ),
        see="rights.use",
        withheld=RIGHTS_TEAM,
        related=("theme",),
        prefetch=("steps",),
        extra=((gettext_lazy("étapes"), _steps),),
        order=("opened_on",),
    ),
    Part(
        gettext_lazy("Dossiers PSP (parcours de sortie de la prostitution)"),
        "rights.PSPFile",
        "person",
        _names(
            "kind state documents filed_on commission_date decision decision_on "
            "decision_reason review_outcome review_on path_start path_end dependants "
            "permit_start permit_end notes"
        ),
        see="rights.use",
        prefetch=("documents",),
        order=("created_at",),
    ),
    Part(
        gettext_lazy("Suivi mineur·es et jeunes majeur·es"),
        "minors.MinorFile",
        "person",
        _names(
            "opened_on closed_on close_reason first_meeting_on first_meeting_place to_assess notes"
        ),
        see="minors.read_file",
        withheld=MINORS_TEAM,
        order=("opened_on",),
    ),
    Part(
        gettext_lazy("Mesures éducatives"),
        "minors.EducationalMeasure",
        "file__person",
        _names("file start end kind"),
        see="minors.read_file",
        related=("file__person",),
        order=("start",),
    ),
    Part(
        gettext_lazy("Fugues"),
        "minors.Runaway",
        "file__person",
        _names("file start end housed_by housed_where"),
        see="minors.read_file",
        related=("file__person",),
        order=("start",),
    ),
    Part(
        gettext_lazy("Consommations"),
        "minors.ProductUse",
        "file__person",
        _names("file start end product"),
        see="minors.read_file",
        related=("file__person", "product"),
        order=("start",),
    ),
    Part(
        gettext_lazy("Partenaires du suivi"),
        "minors.FilePartner",
        "file__person",
        _names("file partner referent"),
        see="minors.read_file",
        related=("file__person", "partner"),
    ),
    Part(
        gettext_lazy("Échanges avec les partenaires"),
        "minors.PartnerExchange",
        "file__person",
        _names("date partner note"),
        see="minors.read_file",
        related=("partner",),
        order=("date",),
    ),
    Part(
        gettext_lazy("Signalements"),
        "minors.SafeguardingReport",
        "file__person",
        _names("kind date to_whom grounds answer answer_on"),
        see="minors.read_file",
        order=("date",),
    ),
    Part(
        gettext_lazy("Signalements reçus de partenaires"),
        "minors.ReceivedReport",
        "person",
        _names("received_on partner description linked_on"),
        see="minors.read_file",
        related=("partner",),
        order=("received_on",),
    ),
]

PERSON_FIELDS = _names(
    "code nickname gender birth_date birth_year age_to_establish languages country_of_origin "
    "sex_work prostitution_modes uses_drugs products referral_source notes "
    "objects_to_health_sharing created_at anonymised_at"
)
IDENTITY_FIELDS = _names("last_name first_names birth_date birth_place nationality updated_at")

# Which access-log entries tell of which content: shown to those who may read it.
LOG_SEES = {
    "identity": "persons.read_identity",
    "health": "health.read_clinical",
    "rights": "rights.use",
    "minors": "minors.read_file",
}
# Why the file was read, from the entry's detail (its start) or else its action.
PURPOSES = {
    "identity": gettext_lazy("Affichage de l'identité légale"),
    "health.consultations": gettext_lazy("Suivi de santé : consultations lues sur la fiche"),
    "person page": gettext_lazy("Suivi : dossier lu sur la fiche de la personne"),
    "rights.person page": gettext_lazy("Accès aux droits : démarches lues sur la fiche"),
    "minors.person page": gettext_lazy("Suivi : dossier lu sur la fiche de la personne"),
    "history": gettext_lazy("Historique des modifications de la fiche"),
    "right of access": gettext_lazy("Droit d'accès : document préparé pour la personne"),
    "erasure": gettext_lazy("Effacement des données à la demande ou sur décision"),
}
ACTION_PURPOSES = {
    AccessLogEntry.Action.READ: gettext_lazy("Suivi de la personne"),
    AccessLogEntry.Action.EXPORT: gettext_lazy("Export"),
    AccessLogEntry.Action.PRINT: gettext_lazy("Impression"),
    AccessLogEntry.Action.DRILLDOWN: gettext_lazy("Vérification d'un chiffre du rapport"),
    AccessLogEntry.Action.REFUSED: gettext_lazy("Tentative refusée (accès non autorisé)"),
    AccessLogEntry.Action.ERASE: gettext_lazy("Effacement des données"),
}


def _purpose(entry: AccessLogEntry) -> str:
    for start, purpose in PURPOSES.items():
        if entry.detail.startswith(start):
            return str(purpose)
    return str(ACTION_PURPOSES.get(entry.action, ""))


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _value(record: models.Model, name: str) -> Any:
    """A field's value as a person reads it: labels of choices, ISO dates, oui/non."""
    model_field = record._meta.get_field(name)
    if model_field.many_to_many:
        return ", ".join(str(item) for item in getattr(record, name).all())
    value = getattr(record, name)
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return value
    return str(value)


def _row(record: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {_label(type(record), name): _value(record, name) for name in names}


def _part_section(part: Part, user, pks: list[int]) -> dict[str, Any] | None:
    model = _model(part.model)
    full = part.see is None or user.has_capability(part.see)
    if not full and part.brief is None:
        return {"titre": str(part.title), "remarque": str(part.withheld)} if part.withheld else None
    records = model._base_manager.filter(**{f"{part.to_person}__in": pks}).distinct()
    names = part.fields if full else part.brief
    related = [name for name in part.related if full or name in names]
    if related:
        records = records.select_related(*related)
    if full and part.prefetch:
        records = records.prefetch_related(*part.prefetch)
    lines = []
    for record in records.order_by(*part.order):
        row = _row(record, names)
        if full:
            row |= {capfirst(str(label)): text(record) for label, text in part.extra}
        lines.append(row)
    section: dict[str, Any] = {"titre": str(part.title), "lignes": lines}
    if not full:
        section["remarque"] = str(part.withheld)
    return section


def _log_kind(entry: AccessLogEntry) -> str:
    if entry.target_type == "contacts.person":
        # "identity", "health.consultations", "rights.person page", "minors.person page"...
        kind = entry.detail.partition(".")[0]
        return kind if kind in LOG_SEES else "person"
    app = entry.target_type.partition(".")[0]
    return app if app in LOG_SEES else "person"


def _reads_section(user, person: Person, pks: list[int]) -> dict[str, Any]:
    """The reads of the person's file: when, by which role, what, why. Colleagues are
    named by their role only: the person's right covers the uses of their data, and
    naming staff to the persons they meet can put them at risk."""
    targets = Q(target_type="contacts.person", target_id__in=[str(pk) for pk in pks])
    for label in ("health.Consultation", "rights.Procedure", "rights.PSPFile", "minors.MinorFile"):
        model = _model(label)
        ids = model._base_manager.filter(person__in=pks).values_list("pk", flat=True)
        targets |= Q(target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in ids])
    detail_url = reverse("contacts:person-detail", kwargs={"code": person.code})
    targets |= Q(target_type="url", target_id__startswith=detail_url)
    entries = (
        AccessLogEntry.objects.filter(targets)
        .select_related("user")
        .prefetch_related("user__roles")
        .order_by("at", "pk")
    )
    lines = []
    for entry in entries:
        kind = _log_kind(entry)
        if kind in LOG_SEES and not user.has_capability(LOG_SEES[kind]):
            continue
        if entry.target_type in ("contacts.person", "url"):
            what = _("la fiche")
        else:
            what = str(_model(entry.target_type)._meta.verbose_name)
        lines.append(
            {
                _("Date"): timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M"),
                _("Par (rôle)"): ", ".join(entry.user.role_labels())
                if entry.user
                else _("le système"),
                _("Action"): str(entry.get_action_display()),
                _("Objet"): what,
                _("Finalité"): _purpose(entry),
            }
        )
    return {
        "titre": _("Lectures de votre dossier"),
        "remarque": _(
            "Chaque lecture des données protégées est enregistrée et conservée douze mois. "
            "Les membres de l'équipe sont désignés par leur fonction."
        ),
        "lignes": lines,
    }


def person_data_for_user(user, person: Person, *, medium: str) -> dict[str, Any]:
    """Everything the service holds about a person, as far as ``user`` may read it (the
    right of access); the export is written to the access log.

    Other teams' content is not given: a section says which team provides it, whether
    the person has such records or not (so that its existence does not leak). Staff
    names are never given.
    """
    AccessLogEntry.objects.record(
        user=user,
        action=AccessLogEntry.Action.EXPORT,
        target=person,
        detail=f"right of access ({medium})",
    )
    pks = _with_duplicates([person.pk])
    person = Person.all_objects.prefetch_related("languages", "prostitution_modes", "products").get(
        pk=person.pk
    )
    sections: list[dict[str, Any]] = [{"titre": _("Fiche"), "champs": _row(person, PERSON_FIELDS)}]
    if user.has_capability("persons.read_identity"):
        identity = LegalIdentity.objects.filter(person__in=pks).first()
        sections.append(
            {
                "titre": _("Identité légale"),
                "champs": _row(identity, IDENTITY_FIELDS) if identity else {},
            }
        )
    else:
        sections.append(
            {
                "titre": _("Identité légale"),
                "remarque": _(
                    "Le cas échéant, l'identité légale est communiquée par l'équipe éducative "
                    "ou la direction."
                ),
            }
        )
    for part in PARTS:
        section = _part_section(part, user, pks)
        if section is not None:
            sections.append(section)
    sections.append(_reads_section(user, person, pks))
    return {
        "titre": _("Données détenues par Entr'Actes sur la personne %(code)s")
        % {"code": person.code},
        "produit_le": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "note": _(
            "Ce document rassemble les données que le service détient sur vous (droit "
            "d'accès, article 15 du RGPD). Les noms des membres de l'équipe n'y figurent "
            "pas. Pour faire corriger ou effacer vos données, adressez-vous à la direction."
        ),
        "sections": sections,
    }

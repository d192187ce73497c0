"""Archive instead of delete: a record withdrawn by staff is hidden from every page,
list and figure, with who, when and why; an administrator can restore it.

Each kind says which capability archives it, how the archiving user reaches the record
(the app's own access rule, so an id typed in a URL shows nothing more), what must be
true first, and where to go afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entractes.models import Archivable


@dataclass(frozen=True)
class Kind:
    slug: str
    label: object
    model: str
    capability: str
    get: Callable  # (user, pk) -> record, 404 when the user may not reach it
    after: Callable  # (record) -> url to go to once archived
    describe: Callable  # (record) -> neutral label (no clinical or legal content)
    check: Callable | None = None  # (record) -> raises ValidationError when refused


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


def _get_contact(user, pk):
    from contacts.access import get_contact_for_user

    return get_contact_for_user(user, pk)


def _get_consultation(user, pk):
    from health.access import get_consultation_for_user

    return get_consultation_for_user(user, pk)


def _get_procedure(user, pk):
    from rights.access import get_procedure_for_user

    return get_procedure_for_user(user, pk)


def _get_mediation(user, pk):
    from contacts.access import get_mediation_for_user

    return get_mediation_for_user(user, pk)


def _get_person(user, pk):
    from django.http import Http404

    from contacts.models import Person

    if not user.has_capability("persons.merge"):
        raise Http404
    try:
        return Person.objects.get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def _contact_after(contact):
    if contact.session_id:
        return reverse("contacts:session-detail", args=[contact.session_id])
    if contact.person_id:
        return reverse("contacts:person-detail", args=[contact.person.code])
    return reverse("contacts:session-list")


def _day(record) -> str:
    return f"{record.day:%d/%m/%Y}"


def _person_check(person):
    """A person with records is not archived: archive the records, or merge the duplicate."""
    related = {
        "contacts": person.contacts.exists(),
        "consultations": person.consultations.exists(),
        "procedures": person.procedures.exists(),
        "psp": person.psp_files.exists(),
        "minors": person.minor_files.exists(),
    }
    if any(related.values()):
        raise ValidationError(
            _(
                "Cette personne a des contacts, consultations ou dossiers : archivez-les "
                "d'abord, ou fusionnez la fiche si c'est un doublon."
            )
        )


KINDS: dict[str, Kind] = {
    kind.slug: kind
    for kind in [
        Kind(
            "contact",
            gettext_lazy("contact"),
            "contacts.Contact",
            "contacts.log_anonymous",
            _get_contact,
            _contact_after,
            lambda c: _("Contact du %(day)s") % {"day": _day(c)},
        ),
        Kind(
            "consultation",
            gettext_lazy("consultation"),
            "health.Consultation",
            "health.use",
            _get_consultation,
            lambda c: reverse("health:home"),
            lambda c: _("Consultation du %(day)s (%(line)s)") % {"day": _day(c), "line": c.line},
        ),
        Kind(
            "procedure",
            gettext_lazy("démarche"),
            "rights.Procedure",
            "rights.use",
            _get_procedure,
            lambda p: reverse("rights:procedure-list"),
            lambda p: (
                _("Démarche ouverte le %(day)s (%(code)s)")
                % {"day": f"{p.opened_on:%d/%m/%Y}", "code": p.person.code}
            ),
        ),
        Kind(
            "mediation",
            gettext_lazy("médiation"),
            "contacts.MediationEvent",
            "mediation.log",
            _get_mediation,
            lambda m: reverse("contacts:mediation-list"),
            lambda m: _("Médiation du %(day)s") % {"day": f"{m.date:%d/%m/%Y}"},
        ),
        Kind(
            "person",
            gettext_lazy("personne"),
            "contacts.Person",
            "persons.merge",
            _get_person,
            lambda p: reverse("contacts:person-list"),
            lambda p: _("Personne %(code)s") % {"code": p.code},
            _person_check,
        ),
    ]
}


def archive(kind: Kind, record: Archivable, *, by, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'archivage.")})
    if kind.check:
        kind.check(record)
    with transaction.atomic():
        record.archived_at = timezone.now()
        record.archived_by = by
        record.archive_reason = reason[:200]
        record.save(update_fields=["archived_at", "archived_by", "archive_reason"])


def restore(record: Archivable) -> None:
    with transaction.atomic():
        record.archived_at = None
        record.archived_by = None
        record.archive_reason = ""
        record.save(update_fields=["archived_at", "archived_by", "archive_reason"])


def archived_records(limit: int = 500) -> list[tuple[Kind, Archivable]]:
    """Archived records of every kind, newest first (one query per kind)."""
    rows = []
    for kind in KINDS.values():
        model = _model(kind.model)
        related = ["archived_by"]
        if kind.slug in {"consultation"}:
            related.append("line")
        if kind.slug == "procedure":
            related.append("person")
        queryset = (
            model._base_manager.filter(archived_at__isnull=False)
            .select_related(*related)
            .order_by("-archived_at")[:limit]
        )
        rows.extend((kind, record) for record in queryset)
    rows.sort(key=lambda row: row[1].archived_at, reverse=True)
    return rows[:limit]


def get_archived(kind: Kind, pk: int) -> Archivable:
    from django.http import Http404

    model = _model(kind.model)
    try:
        return model._base_manager.get(pk=pk, archived_at__isnull=False)
    except model.DoesNotExist:
        raise Http404 from None

"""Archive instead of delete: a record withdrawn by staff is hidden from every page,
list and figure, with who, when and why; an administrator can restore it.

Each kind, declared by its app (``<app>/person.py``), says which capability archives
it, how the archiving user reaches the record (the app's own access rule, so an id typed
in a URL shows nothing more), what must be true first, and where to go afterwards.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from casefile import registry
from contacts.models import Person
from entractes.lib.personfile import Archive
from entractes.models import Archivable, User


def kinds() -> dict[str, Archive]:
    """Every kind of record staff may archive, by slug (declared by the apps)."""
    return registry.archive_kinds()


def _check(kind: Archive, record: Archivable) -> None:
    if kind.model is Person and registry.holds_records(record):
        raise ValidationError(
            _(
                "Cette personne a des contacts, consultations ou dossiers : archivez-les "
                "d'abord, ou fusionnez la fiche si c'est un doublon."
            )
        )


def archive(kind: Archive, record: Archivable, *, by: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif de l'archivage.")})
    _check(kind, record)
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


def archived_records(limit: int = 500) -> list[tuple[Archive, Archivable]]:
    """Archived records of every kind, newest first (one query per kind)."""
    rows = []
    for kind in kinds().values():
        related = ["archived_by", *kind.related]
        queryset = (
            kind.model._base_manager.filter(archived_at__isnull=False)
            .select_related(*related)
            .order_by("-archived_at")[:limit]
        )
        rows.extend((kind, record) for record in queryset)
    rows.sort(key=lambda row: row[1].archived_at, reverse=True)
    return rows[:limit]


def get_archived(kind: Archive, pk: int) -> Archivable:
    model = kind.model
    try:
        return model._base_manager.get(pk=pk, archived_at__isnull=False)
    except model.DoesNotExist:
        raise Http404 from None

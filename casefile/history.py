"""A person's change history: every record about them, as far as the reader may see it.

Each kind of record, declared by its app (``<app>/person.py``), says through which path
it reaches the person, who may see its history at all, and who may see its values (the
others see who changed what, when, with the values masked).
"""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

from casefile import registry
from contacts.models import Person
from entractes.audit import MASK
from entractes.lib.personfile import Record
from entractes.models import AccessLogEntry, User

LIMIT = 300


@dataclass
class Line:
    entry: LogEntry
    label: str
    changes: list[tuple[str, str, str]]
    archived: tuple | None = None  # (when, by whom) for a withdrawn record: no content


def log_history_read(user: User, person: Person) -> None:
    """The history shows restricted records as far as the reader may see: one entry."""
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=person, detail="history"
    )


def _visible_kinds(user: User) -> list[Record]:
    return [
        kind
        for kind in registry.records()
        if kind.history and kind.listed and (kind.see is None or user.has_capability(kind.see))
    ]


def history_for(user: User, person: Person) -> list[Line]:
    """The latest changes to the person's records the user may see, newest first.

    One query for the entries (each kind's records are a subquery), whatever the number
    of records.
    """
    kinds = _visible_kinds(user)
    types = ContentType.objects.get_for_models(*(kind.model for kind in kinds))
    query = Q()
    by_type = {}
    archived = {}
    for kind in kinds:
        model = kind.model
        ct = types[model]
        by_type[ct.pk] = (kind, model)
        records = model._base_manager.filter(**{kind.to_person: person.pk})
        if kind.readable is not None:
            records = records.filter(kind.readable(user))
        query |= Q(content_type=ct, object_id__in=records.values("pk"))
        if kind.archived:
            # Archived records (withdrawn by staff) show when and by whom, never their text.
            by = kind.archived.replace("archived_at", "archived_by__username")
            for pk, when, who in records.filter(**{f"{kind.archived}__isnull": False}).values_list(
                "pk", kind.archived, by
            ):
                archived[(ct.pk, str(pk))] = (when, who)
    entries = (
        LogEntry.objects.filter(query).select_related("actor").order_by("-timestamp", "-pk")[:LIMIT]
    )
    lines = []
    for entry in entries:
        kind, model = by_type[entry.content_type_id]
        withdrawn = archived.get((entry.content_type_id, str(entry.object_id)))
        show_values = kind.values is None or user.has_capability(kind.values)
        if withdrawn:
            changes = []
        elif show_values:
            changes = [
                (field, *_pair(change)) for field, change in entry.changes_display_dict.items()
            ]
        else:
            changes = [(_label(model, name), MASK, MASK) for name in entry.changes_dict]
        lines.append(Line(entry, str(model._meta.verbose_name), changes, withdrawn))
    return lines


def _pair(change) -> tuple[str, str]:
    if isinstance(change, list | tuple) and len(change) == 2:
        return tuple("" if value in (None, "None") else str(value) for value in change)
    return "", str(change)


def _label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name

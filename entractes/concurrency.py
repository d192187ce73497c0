"""Two people editing the same record: the second save is refused, the other's version
shown, what was typed kept.

A form carries the fingerprint of the record as it was when the form was opened
(``seen``). On save, the record is locked and its fingerprint computed again: if it
differs, someone saved in between and nothing is written.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db import transaction

from entractes.audit import MASK


def fingerprint(instance) -> str:
    """The record's fields, many-to-many choices and declared child rows, hashed.

    A model whose child rows are edited with it names them in ``fingerprint_children``:
    ``{"related_name": ("column", ...)}``, e.g. ``{"acts": ("act_id", "result")}``.
    """
    model = type(instance)
    data = {f.attname: f.value_to_string(instance) for f in model._meta.concrete_fields}
    for field in model._meta.many_to_many:
        data[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    children: dict[str, tuple[str, ...]] = getattr(model, "fingerprint_children", {})
    for name, columns in children.items():
        rows = getattr(instance, name).values_list(*columns)
        data[name] = sorted([list(row) for row in rows], key=str)
    encoded = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:40]


@dataclass
class Conflict(Exception):
    current: object
    seen: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.current)

    @property
    def last_change(self) -> LogEntry | None:
        return (
            LogEntry.objects.get_for_object(self.current)
            .select_related("actor")
            .order_by("-timestamp", "-pk")
            .first()
        )

    def changes(self) -> list[tuple[str, str]]:
        """What the other person changed, as the record now stands, then its child rows
        (``fingerprint_children``) as they now are."""
        entry = self.last_change
        model = type(self.current)
        rows = []
        for name, values in entry.changes_dict.items() if entry is not None else ():
            try:
                field = model._meta.get_field(name)
            except Exception:  # noqa: S112 (a field removed since)
                continue
            if field.is_relation and field.auto_created:  # a reverse relation
                continue
            after = values[1] if isinstance(values, list) and len(values) == 2 else ""
            if after == MASK or getattr(field, "choices", None):
                display = getattr(self.current, f"get_{name}_display", None)
                after = display() if display else getattr(self.current, name, "")
            rows.append((str(field.verbose_name), "" if after in (None, "None") else str(after)))
        for name in getattr(model, "fingerprint_children", {}):
            related = getattr(self.current, name)
            lines = ", ".join(str(line) for line in related.all())
            rows.append((str(related.model._meta.verbose_name_plural), lines))
        return rows


@contextmanager
def unchanged_since(instance, seen: str | None):
    """Lock the record for the save; raise Conflict when it changed since ``seen``.

    A request without ``seen`` is refused like a conflict: nobody knows what it was
    opened on.
    """
    with transaction.atomic():
        current = type(instance)._base_manager.select_for_update().get(pk=instance.pk)
        if not seen or fingerprint(current) != seen:
            raise Conflict(current=current, seen=seen)
        yield current


@dataclass
class GuardedSave:
    """What a form page shows after a save guarded by ``save_unless_changed``."""

    seen: str
    conflict: Conflict | None = None
    saved: bool = False

    @property
    def refused(self) -> bool:
        return self.conflict is not None


def save_unless_changed(request, instance, valid: bool, save: Callable[[], object]) -> GuardedSave:
    """On a valid POST, run ``save`` with the record locked, unless it changed since the
    form was opened (the form's ``seen`` field): then nothing is saved and the conflict
    is returned with the fingerprint to send back, so that a second save goes through.

    A POST without ``seen`` is refused the same way (nothing written, what was typed
    shown again with the record's fingerprint), never saved unchecked."""
    seen = request.POST.get("seen") if request.method == "POST" else None
    if not seen:
        # A bound ModelForm has already copied what was typed onto ``instance``.
        seen = fingerprint(type(instance)._base_manager.get(pk=instance.pk))
    outcome = GuardedSave(seen=seen)
    if request.method != "POST" or not valid:
        return outcome
    try:
        with unchanged_since(instance, request.POST.get("seen")):
            save()
    except Conflict as refused:
        outcome.conflict, outcome.seen = refused, refused.fingerprint
    else:
        outcome.saved = True
    return outcome

"""Set-based writes of the import: many records of one kind in a few queries.

``bulk_create`` and ``bulk_update`` send no model signal, so what the signals do for a
record saved one by one is done here for all of them at once: the change history
(django-auditlog entries, by the importing account, with the same changes and masks
as a save would record) and the figures' freshness token (``records_changed``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, disable_auditlog
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog as audited
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.encoding import smart_str

BATCH = 2000


class History:
    """Change-history entries gathered while writing, stored in one go."""

    def __init__(self, by):
        self.by = by
        self.entries: list[LogEntry] = []
        try:
            self.off = auditlog_disabled.get()
        except LookupError:  # pragma: no cover - the variable has a default
            self.off = False

    def _entry(self, instance: models.Model, action: int, changes) -> None:
        pk = instance.pk
        additional = getattr(instance, "get_additional_data", None)
        self.entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(instance),
                object_pk=smart_str(pk),
                object_id=pk if isinstance(pk, int) else None,
                object_repr=smart_str(instance),
                serialized_data=LogEntry.objects._get_serialized_data_or_none(instance),
                additional_data=additional() if callable(additional) else None,
                action=action,
                changes=changes,
                cid=get_cid(),
                actor=self.by,
                actor_email=getattr(self.by, "email", None),
            )
        )

    def _tracked(self, model) -> bool:
        return not self.off and audited.contains(model)

    def created(self, instances: Iterable[models.Model]) -> None:
        for instance in instances:
            if not self._tracked(type(instance)):
                return
            self._entry(instance, LogEntry.Action.CREATE, self._diff(None, instance))

    def changed(self, old: models.Model, new: models.Model) -> None:
        if self._tracked(type(new)):
            changes = self._diff(old, new)
            if changes:
                self._entry(new, LogEntry.Action.UPDATE, changes)

    def deleted(self, instances: Iterable[models.Model]) -> None:
        for instance in instances:
            if not self._tracked(type(instance)):
                return
            self._entry(instance, LogEntry.Action.DELETE, self._diff(instance, None))

    def listed(self, instance: models.Model, field: str, operation: str, items: list) -> None:
        """Items added to (``add``) or taken from (``delete``) a list the history follows."""
        model = type(instance)
        if items and self._tracked(model) and field in audited._registry[model]["m2m_fields"]:
            self._entry(
                instance,
                LogEntry.Action.UPDATE,
                {
                    field: {
                        "type": "m2m",
                        "operation": operation,
                        "objects": [smart_str(item) for item in items],
                    }
                },
            )

    @staticmethod
    def _diff(old, new):
        return model_instance_diff(
            old, new, use_json_for_changes=getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
        )

    def save(self) -> None:
        LogEntry.objects.bulk_create(self.entries, batch_size=BATCH)
        self.entries = []


def changed_fields(model, old: models.Model, new: models.Model) -> set[str]:
    """The concrete fields whose value differs between two states of a record."""
    return {
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and getattr(old, field.attname) != getattr(new, field.attname)
    }


def remove(model, rows, history: History, **lookup) -> None:
    """Delete the rows of ``model`` matching ``lookup`` (``rows``: those rows, read
    before), their deletions in the change history as a delete one by one records them."""
    history.deleted(rows)
    with disable_auditlog():
        model._base_manager.filter(**lookup).delete()


def set_lists(
    field: models.ManyToManyField, changes: dict[Any, tuple[set, set]], history: History
) -> None:
    """Take from and add to the list ``field`` of records: ``changes`` maps a record's pk
    to the item pks (removed, added), as ``set()`` would change them one by one."""
    through: Any = field.remote_field.through
    source = field.m2m_field_name() + "_id"
    target = field.m2m_reverse_field_name() + "_id"
    removing = [pk for pk, (removed, _added) in changes.items() if removed]
    if removing:
        rows = [
            row
            for row in through._base_manager.filter(**{f"{source}__in": removing})
            if getattr(row, target) in changes[getattr(row, source)][0]
        ]
        remove(through, rows, history, pk__in=[row.pk for row in rows])
    through._base_manager.bulk_create(
        [
            through(**{source: owner, target: item})
            for owner, (_removed, added) in changes.items()
            for item in added
        ],
        batch_size=BATCH,
    )

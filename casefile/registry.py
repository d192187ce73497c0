"""The person's file, composed from what each app declares in its ``person.py``.

The apps are listed here, in the order of the right-of-access document; a record kind
added to one of them reaches the history, retention, anonymisation, erasure, the
right of access and the archive through its declaration alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from django.db.models import Exists, OuterRef, Q

from casefile import person as casefile_person
from contacts import person as contacts_person
from contacts.models import Person
from entractes.lib.personfile import Archive, Reads, Record
from health import person as health_person
from minors import person as minors_person
from rights import person as rights_person

MODULES: list[ModuleType] = [
    contacts_person,
    health_person,
    rights_person,
    minors_person,
    casefile_person,
]


def records() -> Iterator[Record]:
    for module in MODULES:
        yield from module.RECORDS


def about_person() -> Iterator[Record]:
    """The records about a person, the person's own row left out."""
    return (record for record in records() if record.model is not Person)


def person_record() -> Record:
    return next(record for record in records() if record.model is Person)


def archive_kinds() -> dict[str, Archive]:
    return {kind.slug: kind for module in MODULES for kind in module.ARCHIVE}


def reads() -> Iterator[Reads]:
    for module in MODULES:
        yield from module.READS


def open_follow_ups() -> list[Record]:
    return [record for record in records() if record.open is not None]


def open_query(record: Record, ref: str = "pk") -> Exists:
    """Whether the person ``OuterRef(ref)`` has an open follow-up of this kind."""
    assert record.open is not None
    return Exists(
        record.model._default_manager.filter(record.open, **{record.to_person: OuterRef(ref)})
    )


def holds_records(person: Person) -> bool:
    """Whether records hang on the person (contacts, consultations, files...)."""
    query = Q()
    for record in records():
        if record.holds_person:
            query |= Q(
                Exists(record.model._default_manager.filter(**{record.to_person: OuterRef("pk")}))
            )
    return Person.all_objects.filter(query, pk=person.pk).exists()

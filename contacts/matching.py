"""Finding the person a nickname or a code typed on a phone names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from contacts import access
from contacts.models import LeaveReason, Person, code_forms, search_key

if TYPE_CHECKING:
    from entractes.models import User

# At most this many persons offered to choose from.
MAX_CHOICES = 10


@dataclass
class Resolution:
    """What a typed text names: ``"code"`` (the person of that code), ``"one"`` (the one
    person whose nickname sounds like it), ``"several"`` (``persons`` to choose from) or
    ``"none"``."""

    kind: str
    persons: list[Person] = field(default_factory=list)

    @property
    def person(self) -> Person | None:
        return self.persons[0] if self.kind in ("code", "one") else None


def resolve(text: str, user: User) -> Resolution:
    """The person ``text`` names, among those ``user`` may see.

    An exact code first (a merged duplicate's code leads to the person it was merged
    into), whether in the active file or not; else the current persons whose nickname
    sounds like ``text`` (accents, case, usual transliterations forgiven:
    ``sound_key``), those spelt the same first, never a person who left the file
    deceased.
    """
    text = (text or "").replace("\x00", "").strip()
    if not text:
        return Resolution("none")
    visible = access.persons_for_user(user)
    coded = (
        Person.all_objects.filter(code__in=code_forms(text), archived_at__isnull=True)
        .select_related("merged_into")
        .first()
    )
    if coded is not None:
        person = coded.merged_into or coded
        if visible.filter(pk=person.pk).exists():
            return Resolution("code", [person])
    matches = list(
        visible.sounding_like(text).exclude(left_file_reason=LeaveReason.DECEASED)[
            : MAX_CHOICES + 1
        ]
    )
    if not matches:
        return Resolution("none")
    if len(matches) == 1:
        return Resolution("one", matches)
    key = search_key(text)
    matches.sort(key=lambda p: (p.nickname_key != key, p.nickname_key, p.code))
    return Resolution("several", matches[:MAX_CHOICES])

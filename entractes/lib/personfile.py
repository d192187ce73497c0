"""What an app holds about a person, declared in the app's own ``person.py``.

Each domain app lists, in ``<app>/person.py``, the kinds of record it keeps about a
person (``RECORDS``), how they are archived (``ARCHIVE``) and the reads of them it logs
(``READS``). The ``casefile`` app composes these declarations into the person's file:
change history, retention and anonymisation, erasure, the right-of-access document and
archive/restore. Nothing outside the declaring app names its models or fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Q

# What replaces identifying text of an anonymised person (their nickname among others).
ANONYMISED = "Anonymisé·e"


@dataclass(frozen=True)
class Section:
    """A section of the right-of-access document: the rows of one kind of record."""

    title: Any
    fields: tuple[str, ...]
    # Capability to read the rows in full (None: whoever may export the document).
    see: str | None = None
    # Fields listed to those without ``see`` (None: the section is withheld).
    brief: tuple[str, ...] | None = None
    # Said to those without ``see``, whether records exist or not.
    withheld: Any = ""
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    extra: tuple[tuple[Any, Callable[[Any], str]], ...] = ()  # (label, record -> text)
    order: tuple[str, ...] = ("pk",)


@dataclass(frozen=True)
class Record:
    """A kind of record about a person and what each part of the person's file does with it."""

    model: type[models.Model]
    # Lookup from the record to the person's pk ("pk" for the person itself).
    to_person: str
    # Change history: the capability to see the entries at all (None: whoever may read
    # the person's history) and their values (None: whoever sees the entries; the
    # others see who changed what and when, values masked).
    see: str | None = None
    values: str | None = None
    # Lookup to the archivable record's ``archived_at``: an archived record's history
    # shows when and by whom, never its content.
    archived: str | None = None
    # The records of the kind a reader holding ``see`` may read (None: all of them): a
    # reader (user) -> filter on the records. The others are left out of the history and
    # of the right-of-access document.
    readable: Callable[[Any], Q] | None = None
    # Its change history is the person's: deleted at anonymisation, and listed on the
    # person's history page unless ``listed`` is False. A record shared by several
    # persons (a workshop) keeps its own.
    history: bool = True
    listed: bool = True
    # Anonymisation: free text that could identify the person -> its value once
    # anonymised (None: NULL, for encrypted fields; a label where it may not be blank,
    # which replaces filled text only).
    cleared: dict[str, Any] = field(default_factory=dict)
    # Dates that count as activity of the person: the retention clock restarts. Dates
    # of events only, never a creation or write time (tests/casefile/test_retention_clock.py).
    activity: tuple[str, ...] = ()
    # A follow-up still open keeps the person from retention and erasure: which records
    # are open, and how to say it ("un dossier PSP ouvert").
    open: Q | None = None
    open_label: Any = ""
    # A person holding such a record may not be archived (archive the records first).
    holds_person: bool = False
    # The record's date field on which the person counts as met (contacts.meetings).
    meeting: str | None = None
    # How the figures' filters (entractes.lib.figures.DIMENSIONS) apply to the record as
    # a meeting: a meeting source without a chosen dimension does not count under it.
    meeting_filters: dict[str, Any] = field(default_factory=dict)
    # Its section of the right-of-access document (None: not listed there).
    section: Section | None = None


@dataclass(frozen=True)
class Archive:
    """Archive instead of delete: how staff withdraw a kind of record."""

    slug: str
    label: Any
    model: type[models.Model]
    capability: str
    get: Callable[[Any, int], Any]  # (user, pk) -> record; 404 when the user may not reach it
    after: Callable[[Any], str]  # (record) -> url to go to once archived
    describe: Callable[[Any], str]  # (record) -> neutral label (no clinical or legal content)
    related: tuple[str, ...] = ()  # select_related for the list of archived records


@dataclass(frozen=True)
class Reads:
    """Reads of an app's content written to the access log, as the person's right of
    access reports them to readers allowed to see that content."""

    # Start of the entries' detail on the person ("health.consultations" -> "health").
    prefix: str
    # Capability to see that such reads happened (None: whoever sees the document).
    see: str | None
    # Records whose own reads are logged (their access-log target), each with a ``person``.
    targets: tuple[type[models.Model], ...] = ()
    # Why the file was read: start of the entry's detail -> purpose said to the person.
    purposes: dict[str, Any] = field(default_factory=dict)

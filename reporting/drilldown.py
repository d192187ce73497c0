"""The rows of a drill-down list with, for each, the page of its record when the reader
may open it (no link leads to a refusal), and the list as a CSV file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from contacts import access as contact_access
from contacts.models import Contact, Person
from entractes.lib.exports import to_csv
from entractes.lib.figures import FigureSet
from entractes.models import User
from health import access as health_access
from health.models import Consultation, HealthSession
from rights import access as rights_access
from rights.models import Procedure, PSPFile

Listed = list[tuple[Any, list]]


def _person_page(person_id: int | None, code: str) -> tuple[int | None, str]:
    return person_id, reverse("contacts:person-detail", kwargs={"code": code})


# What a record of each kind links to: (the pk checked against the reader's reach, the
# page), and the records the reader reaches (the apps' own reads, never a wider one).
# Contacts link to their person's page: a contact's own page is its correction form.
TARGETS: dict[type, tuple[Callable[[Any], tuple[int | None, str] | None], Callable]] = {
    Person: (lambda p: _person_page(p.pk, p.code), contact_access.persons_for_user),
    Contact: (
        lambda c: _person_page(c.person_id, c.person.code) if c.person_id else None,
        contact_access.persons_for_user,
    ),
    Consultation: (
        lambda c: (c.pk, reverse("health:consultation-detail", kwargs={"pk": c.pk})),
        health_access.consultations_for_user,
    ),
    HealthSession: (
        lambda s: (s.pk, reverse("health:session-detail", kwargs={"pk": s.pk})),
        health_access.sessions_for_user,
    ),
    Procedure: (
        lambda p: (p.pk, reverse("rights:procedure-detail", kwargs={"pk": p.pk})),
        rights_access.procedures_for_user,
    ),
    PSPFile: (
        lambda f: (f.pk, reverse("rights:psp-detail", kwargs={"pk": f.pk})),
        rights_access.psp_files_for_user,
    ),
}


def linked(listed: Listed, user: User) -> list[tuple[list, str | None]]:
    """Each row with the page of its record, or None where the reader may not open it
    (one query per list, whatever its length)."""
    if not listed:
        return []
    target = TARGETS.get(type(listed[0][0]))
    if target is None:
        return [(cells, None) for _record, cells in listed]
    page_of, reachable = target
    pages = [page_of(record) for record, _cells in listed]
    wanted = {page[0] for page in pages if page and page[0] is not None}
    reached = set(
        reachable(user).filter(pk__in=wanted).values_list("pk", flat=True) if wanted else []
    )
    return [
        (cells, page[1] if page and page[0] in reached else None)
        for (_record, cells), page in zip(listed, pages, strict=True)
    ]


def title(figure_set: FigureSet) -> str:
    return str(figure_set.base.model._meta.verbose_name_plural)


def lists(sets: Iterable[FigureSet], key: str, user: User) -> list[tuple[str, list]]:
    """The drill-down lists of a key, one per declaring set: (title, [(cells, page)])."""
    return [(title(s), linked(s.listed(key), user)) for s in sets]


# The file holds the whole list, not the page's first rows.
EXPORT_LIMIT = 100_000


def as_csv(sets: Iterable[FigureSet], key: str) -> str:
    """The lists behind a key as one CSV: the list's title, then the row's cells."""
    rows = [[title(s), *cells] for s in sets for _record, cells in s.listed(key, EXPORT_LIMIT)]
    width = max((len(row) for row in rows), default=1) - 1
    header = [_("Liste"), *(_("Colonne %(n)s") % {"n": n} for n in range(1, width + 1))]
    return to_csv(header, rows)

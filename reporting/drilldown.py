"""The rows of a drill-down list with, for each, the page of its record when the reader
may open it (no link leads to a refusal), and the list as a CSV file."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from contacts import access as contact_access
from contacts.models import Contact, Person
from entractes.lib.exports import to_csv
from entractes.lib.figures import OPEN, FigureSet, Scope
from entractes.models import User
from entractes.permissions import AUTHENTICATED, PUBLIC
from health import access as health_access
from health.models import Consultation, HealthSession
from rights import access as rights_access
from rights.models import Procedure, PSPFile

Listed = list[tuple[Any, list]]


def _person_page(person_id: int | None, code: str) -> tuple[int | None, str]:
    return person_id, reverse("contacts:person-detail", kwargs={"code": code})


@dataclass(frozen=True)
class Target:
    """What a record of a kind links to: ``page`` gives (the pk checked against the
    reader's reach, the page's URL), ``reach`` the records the reader may open (the
    apps' own reads, never a wider one), ``cell`` the row's cell that carries the link
    (the one naming the record)."""

    page: Callable[[Any], tuple[int | None, str] | None]
    reach: Callable[[User], QuerySet]
    cell: int = 0


# Contacts link to their person's page, on the person's code: a contact's own page is
# its correction form, for those who log contacts.
TARGETS: dict[type, Target] = {
    Person: Target(lambda p: _person_page(p.pk, p.code), contact_access.persons_for_user),
    Contact: Target(
        lambda c: _person_page(c.person_id, c.person.code) if c.person_id else None,
        contact_access.persons_for_user,
        cell=2,
    ),
    Consultation: Target(
        lambda c: (c.pk, reverse("health:consultation-detail", kwargs={"pk": c.pk})),
        health_access.consultations_for_user,
    ),
    HealthSession: Target(
        lambda s: (s.pk, reverse("health:session-detail", kwargs={"pk": s.pk})),
        health_access.sessions_for_user,
    ),
    Procedure: Target(
        lambda p: (p.pk, reverse("rights:procedure-detail", kwargs={"pk": p.pk})),
        rights_access.procedures_for_user,
    ),
    PSPFile: Target(
        lambda f: (f.pk, reverse("rights:psp-detail", kwargs={"pk": f.pk})),
        rights_access.psp_files_for_user,
    ),
}


def target_of(listed: Listed) -> Target | None:
    return TARGETS.get(type(listed[0][0])) if listed else None


def linked(listed: Listed, user: User) -> list[tuple[list, str | None]]:
    """Each row with the page of its record, or None where the reader may not open it
    (one query per list, whatever its length)."""
    target = target_of(listed)
    if target is None:
        return [(cells, None) for _record, cells in listed]
    pages = [target.page(record) for record, _cells in listed]
    wanted = {page[0] for page in pages if page and page[0] is not None}
    reached = set(
        target.reach(user).filter(pk__in=wanted).values_list("pk", flat=True) if wanted else []
    )
    return [
        (cells, page[1] if page and page[0] in reached else None)
        for (_record, cells), page in zip(listed, pages, strict=True)
    ]


@dataclass(frozen=True)
class DrillList:
    """One list of a drill-down page: the rows of one page (with their pages), the cell
    that carries the link, how many records it holds in all, and which page this is."""

    title: str
    rows: list[tuple[list, str | None]]
    link_cell: int
    total: int
    page: int = 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_LIMIT))

    @property
    def cut(self) -> bool:
        return self.total > len(self.rows)

    @property
    def first_shown(self) -> int:
        return (self.page - 1) * PAGE_LIMIT + 1 if self.rows else 0

    @property
    def last_shown(self) -> int:
        return (self.page - 1) * PAGE_LIMIT + len(self.rows)


# The page shows a list a page of rows at a time; the CSV file holds the whole list.
PAGE_LIMIT = 100
EXPORT_LIMIT = 100_000


def page_number(text: str | None) -> int:
    """The page asked for: 1 for anything that is not a page number."""
    try:
        number = int(text or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= 1_000_000 else 1


def may_open(user: User, url: str) -> bool:
    """Whether the page at ``url`` opens for ``user`` as far as its declared capability
    goes (for links named by pages that know no reader, such as the checks)."""
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return False
    capability = getattr(match.func, "required_capability", None)
    if capability in (PUBLIC, AUTHENTICATED):
        return True
    return bool(capability) and user.has_capability(capability)


def title(figure_set: FigureSet) -> str:
    return str(figure_set.base.model._meta.verbose_name_plural)


def lists(
    sets: Iterable[FigureSet], key: str, user: User, scope: Scope = OPEN, page: int = 1
) -> list[DrillList]:
    """The drill-down lists of a key, one per declaring set, at one page (a page past a
    list's end shows its last page)."""
    found = []
    for figure_set in sets:
        total = figure_set.records(key, scope).count()
        shown = min(page, max(1, -(-total // PAGE_LIMIT)))
        listed = figure_set.listed(key, PAGE_LIMIT, scope, offset=(shown - 1) * PAGE_LIMIT)
        target = target_of(listed)
        found.append(
            DrillList(
                title(figure_set),
                linked(listed, user),
                target.cell if target else 0,
                total,
                shown,
            )
        )
    return found


def as_csv(sets: Iterable[FigureSet], key: str, scope: Scope = OPEN) -> str:
    """The lists behind a key as one CSV: the list's title, then the row's cells."""
    rows = [
        [title(s), *cells] for s in sets for _record, cells in s.listed(key, EXPORT_LIMIT, scope)
    ]
    width = max((len(row) for row in rows), default=1) - 1
    header = [_("Liste"), *(_("Colonne %(n)s") % {"n": n} for n in range(1, width + 1))]
    return to_csv(header, rows)

"""Consistency rules run on a year before publishing. Each finding names its records
(person codes, file numbers) or its keys, with a link where they can be opened.

Three kinds of rules:

- missing data: records the year's figures need and that are incomplete (persons met
  with no birth data, files whose age is still to establish, PSP files past their
  commission with no decision, consultations with no act, contacts in the future);
- consistency: a breakdown adds up to its total (``BREAKDOWNS``), a part is not larger
  than the whole it is part of (``INCLUDED``);
- moves: a figure that moved from the previous year by more than ``MOVE_SHARE`` and
  ``MOVE_UNITS``, one finding per family of keys, naming the records that moved it
  (through the figures' own drill-down declarations).

Every rule runs a fixed number of queries, whatever the number of records.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import meetings
from contacts.figures import CONTACTS, PERSONS
from contacts.models import Contact, Person
from entractes.lib import typography
from entractes.lib.figures import FigureSet, Listing, Value
from entractes.permissions import ROLE_CAPABILITIES, roles_with
from health.models import Consultation, ConsultationAct
from minors.models import MinorFile
from reporting import descriptions, figures
from rights.figures import PSP_FILES
from rights.models import PSPFile

# A breakdown and the total it must add up to (families of the specification whose
# slugs split the whole of a total: gender, age category, measures, age in years).
BREAKDOWNS = [
    ("caarud.gender.", "caarud.people"),
    ("minors.people.", "minors.people"),
    ("minors.measures.", "minors.people.minor"),
    ("minors.gender.", "minors.people.minor"),
    ("minors.age.", "minors.people.minor"),
]
# A part and the whole it cannot exceed: new persons and minors among the persons met
# (the "file active", attendance.people), each sub-population within its population.
INCLUDED = [
    ("caarud.new_people", "caarud.people"),
    ("digital.new_people_at_drop_in", "attendance.people"),
    ("caarud.people", "attendance.people"),
    ("social.people", "attendance.people"),
    ("attendance.people_minors", "attendance.people"),
    ("attendance.people_young_adults", "attendance.people"),
    ("caarud.people_minors", "caarud.people"),
    ("caarud.people_minors", "attendance.people_minors"),
    ("social.people_minors", "social.people"),
    ("social.people_minors", "attendance.people_minors"),
    ("health.nurse.people_drug_users", "health.nurse.people"),
    ("health.nurse.consultations_drug_users", "health.nurse.consultations"),
    ("minors.runaways.people", "minors.runaways.base"),
]
# A figure "moved" when it changed from the previous year by more than half of its
# previous value AND by more than 20 units: small figures (3 -> 6) are left alone, and
# large ones must move by a real share to be worth a look.
MOVE_SHARE = 0.5
MOVE_UNITS = 20
# Records named per finding (the count says how many there are in all).
NAMED = 10
# Persons named per direction (come / gone, up / down) behind a moved figure.
NAMED_MOVERS = 5


@dataclass
class Finding:
    code: str
    message: str
    records: QuerySet | None = None
    keys: list[str] = field(default_factory=list)
    listing: Listing = field(default_factory=Listing)
    # The records or keys named, each with where to open it: (label, url).
    links: list[tuple[str, str]] = field(default_factory=list)
    # How many more records there are than those named.
    more: int = 0


def _person_url(code: str) -> str:
    return reverse("contacts:person-detail", args=[code])


def _drill_url(key: str, year: int) -> str:
    return f"{reverse('reporting:drilldown')}?{urlencode({'year': year, 'key': key})}"


def _shown(capability: str | None) -> bool:
    """Whether the records of a set guarded by ``capability`` may be named on the checks
    page: every role that opens the page (``reporting.edit``) holds that capability."""
    if capability is None:
        return True
    return all(capability in ROLE_CAPABILITIES[role] for role in roles_with("reporting.edit"))


def _records_finding(
    code: str,
    message: str,
    records: QuerySet,
    link: Callable[[object], tuple[str, str]],
    *,
    related: tuple[str, ...] = (),
    listing: Listing | None = None,
) -> Finding | None:
    """A finding about records (two queries: the count and the first ``NAMED``)."""
    count = records.count()
    if not count:
        return None
    if related:
        records = records.select_related(*related)
    named = [link(record) for record in records[:NAMED]]
    return Finding(
        code,
        message % {"n": _number(count)},
        records=records,
        listing=listing or Listing(),
        links=named,
        more=count - len(named),
    )


def _person_link(person) -> tuple[str, str]:
    return person.code, _person_url(person.code)


def missing_data(year: int) -> list[Finding]:
    """Records the year's figures need and that are incomplete."""
    today = timezone.localdate()
    candidates = [
        _records_finding(
            "persons:gender_unknown",
            _("%(n)s personne(s) rencontrée(s) dans l'année sans genre renseigné."),
            Person.objects.filter(meetings.met_in(year), gender="unknown"),
            _person_link,
            listing=PERSONS,
        ),
        _records_finding(
            "persons:birth_unknown",
            _(
                "%(n)s personne(s) rencontrée(s) dans l'année sans date ni année de "
                "naissance : leur âge est compté « inconnu »."
            ),
            Person.objects.filter(meetings.met_in(year), birth_date=None, birth_year=None),
            _person_link,
            listing=PERSONS,
        ),
        _records_finding(
            "minors:age_to_establish",
            _(
                "%(n)s dossier(s) mineur·e suivi(s) dans l'année et toujours ouvert(s) "
                "dont l'âge reste à établir."
            ),
            MinorFile.objects.followed_in(year)
            .open()
            .filter(person__age_to_establish=True)
            .order_by("opened_on", "pk"),
            lambda f: (
                _("dossier n° %(pk)s (%(code)s)") % {"pk": f.pk, "code": f.person.code},
                reverse("minors:file-detail", args=[f.pk]),
            ),
            related=("person",),
            listing=Listing(lambda f: [f.pk, f.person.code, f.opened_on], ("person",)),
        ),
        _records_finding(
            "psp:no_decision",
            _("%(n)s dossier(s) PSP passé(s) en commission sans avis enregistré."),
            PSPFile.objects.filter(
                Q(filed_on__year=year) | Q(commission_date__year=year),
                commission_date__lt=today,
                decision="",
            )
            .exclude(state=PSPFile.State.CLOSED)
            .order_by("commission_date", "pk"),
            lambda f: (
                _("dossier PSP n° %(pk)s (%(code)s, commission du %(day)s)")
                % {"pk": f.pk, "code": f.person.code, "day": f"{f.commission_date:%d/%m/%Y}"},
                reverse("rights:psp-detail", args=[f.pk]),
            ),
            related=("person",),
            listing=PSP_FILES,
        ),
        # Named by number, date and line only: who was seen stays with the health unit.
        _records_finding(
            "health:no_act",
            _("%(n)s consultation(s) de l'année sans aucun acte enregistré."),
            Consultation.objects.in_year(year)
            .filter(~Exists(ConsultationAct.objects.filter(consultation=OuterRef("pk"))))
            .order_by("day", "pk"),
            lambda c: (
                _("consultation n° %(pk)s (%(line)s, %(day)s)")
                % {"pk": c.pk, "line": c.line, "day": f"{c.day:%d/%m/%Y}"},
                reverse("health:consultation-detail", args=[c.pk]),
            ),
            related=("line",),
            listing=Listing(lambda c: [c.pk, c.day, c.line], ("line",)),
        ),
        _records_finding(
            "contacts:future",
            _("%(n)s contact(s) daté(s) dans le futur."),
            Contact.objects.filter(occurred_at__gt=timezone.now()).order_by("occurred_at"),
            lambda c: (
                _("contact n° %(pk)s (%(day)s)") % {"pk": c.pk, "day": f"{c.day:%d/%m/%Y}"},
                reverse("contacts:contact-edit", args=[c.pk]),
            ),
            listing=CONTACTS,
        ),
    ]
    return [finding for finding in candidates if finding is not None]


def _key_links(keys: list[str], year: int, listable: set[str]) -> list[tuple[str, str]]:
    return [(key, _drill_url(key, year)) for key in keys if key in listable]


def consistency(
    year: int, values: dict[str, Value], listable: set[str], names: dict[str, str]
) -> list[Finding]:
    """Breakdowns that do not add up to their total, parts larger than their whole
    (``names``: each key's label)."""
    findings: list[Finding] = []
    for prefix, total_key in BREAKDOWNS:
        parts = {
            k: v
            for k, v in values.items()
            if k.startswith(prefix) and k.count(".") == prefix.count(".")
        }
        if not parts:
            continue
        total = sum(v or 0 for v in parts.values())
        if total != (values.get(total_key) or 0):
            keys = [total_key, *parts]
            findings.append(
                Finding(
                    f"breakdown:{prefix}",
                    _(
                        "Le détail de « %(key)s » (%(sum)s au total) ne fait pas ce chiffre "
                        "(%(total)s)."
                    )
                    % {
                        "sum": _number(total),
                        "key": names.get(total_key, total_key),
                        "total": _number(values.get(total_key)),
                    },
                    keys=keys,
                    links=_key_links(keys, year, listable),
                )
            )
    if (values.get("schools.boys") or 0) + (values.get("schools.girls") or 0) != (
        values.get("schools.pupils") or 0
    ):
        keys = ["schools.pupils", "schools.boys", "schools.girls"]
        findings.append(
            Finding(
                "breakdown:schools",
                _("Garçons et filles ne font pas le total des élèves."),
                keys=keys,
                links=_key_links(keys, year, listable),
            )
        )
    for part, whole in INCLUDED:
        if part in values and whole in values and (values[part] or 0) > (values[whole] or 0):
            findings.append(
                Finding(
                    f"included:{part}",
                    _(
                        "« %(part)s » (%(n)s) dépasse « %(whole)s » (%(total)s), dont il fait partie."
                    )
                    % {
                        "part": names.get(part, part),
                        "n": _number(values[part]),
                        "whole": names.get(whole, whole),
                        "total": _number(values[whole]),
                    },
                    keys=[part, whole],
                    links=_key_links([part, whole], year, listable),
                )
            )
    return findings


def family(key: str) -> str:
    """The family of a key: the key without its last part (``rdr.material`` for
    ``rdr.material.foil``, ``attendance`` for ``attendance.contacts``)."""
    return key.rsplit(".", 1)[0]


def moved(value: Value, before: Value) -> bool:
    """Whether a count moved by more than ``MOVE_SHARE`` and ``MOVE_UNITS``. Shares and
    rates (floats) and figures without a previous value are left alone."""
    if not isinstance(value, int) or not isinstance(before, int):
        return False
    if isinstance(value, bool) or isinstance(before, bool):
        return False
    gap = abs(value - before)
    return gap > MOVE_UNITS and (before == 0 or gap / before > MOVE_SHARE)


def _person_ids(figure_set: FigureSet, key: str) -> QuerySet | None:
    """The persons behind ``key`` in a set, as a queryset of ids (``None`` when the set
    does not count persons nor records of a person)."""
    figure = figure_set.get(figure_set.lists_for.get(key, key))
    model = figure_set.base.model
    if figure is None:
        return None
    # Without ordering: ids only, as a one-column subquery.
    records = figure_set.records(key).order_by()
    if figure.measure == "distinct":
        target = model._meta.get_field(figure.field).related_model
        return records if target is Person else None
    if model is Person:
        return records.values("pk")
    return None


def _movers(key: str, year: int, now: list[FigureSet], before: list[FigureSet]):
    """Persons counted in ``key`` this year and not the previous one, and the reverse,
    or persons whose records behind ``key`` rose or fell most: a few (label, url)."""
    links: list[tuple[str, str]] = []
    for set_now, set_before in zip(now, before, strict=False):
        ids_now, ids_before = _person_ids(set_now, key), _person_ids(set_before, key)
        if ids_now is not None and ids_before is not None:
            came = Person.all_objects.filter(pk__in=ids_now).exclude(pk__in=ids_before)
            gone = Person.all_objects.filter(pk__in=ids_before).exclude(pk__in=ids_now)
            for persons, label in (
                (came, _("compté·e en %(year)s, pas en %(other)s")),
                (gone, _("compté·e en %(other)s, pas en %(year)s")),
            ):
                text = label % {"year": year, "other": year - 1}
                codes = persons.order_by("code").values_list("code", flat=True)[:NAMED_MOVERS]
                links += [(f"{code} ({text})", _person_url(code)) for code in codes]
            continue
        if "person" not in {f.name for f in set_now.base.model._meta.get_fields()}:
            continue
        # Records of a person (contacts, consultations...): who weighs most this year.
        figure = set_now.get(set_now.lists_for.get(key, key))
        if figure is None or figure.measure != "count":
            continue
        top = (
            set_now.records(key)
            .filter(person__isnull=False)
            .values("person__code")
            .annotate(n=Count("pk", distinct=True))
            .order_by("-n", "person__code")[:NAMED_MOVERS]
        )
        counts = {row["person__code"]: row["n"] for row in top}
        previous = dict(
            set_before.records(key)
            .filter(person__code__in=list(counts))
            .values("person__code")
            .annotate(n=Count("pk", distinct=True))
            .order_by()  # the model's ordering would split the groups
            .values_list("person__code", "n")
        )
        for code, n in counts.items():
            text = _("%(code)s : %(n)s en %(year)s, %(before)s en %(other)s") % {
                "code": code,
                "n": n,
                "year": year,
                "before": previous.get(code, 0),
                "other": year - 1,
            }
            links.append((text, _person_url(code)))
    return links


def _number(value: Value) -> str:
    return typography.number(value)


def moves(
    year: int,
    values: dict[str, Value],
    previous: dict[str, Value],
    listable: set[str],
    names: dict[str, str],
) -> list[Finding]:
    """One finding per family of keys with figures that moved from the previous year."""
    by_family: dict[str, list[str]] = {}
    for key, value in values.items():
        if moved(value, previous.get(key)):
            by_family.setdefault(family(key), []).append(key)
    if not by_family:
        return []
    sets_now, sets_before = figures.figure_sets(year), figures.figure_sets(year - 1)
    findings = []
    for name, keys in by_family.items():
        gaps = ", ".join(
            f"{names.get(key, key)} ({_number(previous[key])}\u00a0→\u00a0{_number(values[key])})"
            for key in keys
        )
        links = []
        for key in keys:
            if key in listable:
                links += [(f"{names.get(key, key)} {year}", _drill_url(key, year))]
                links += [(f"{names.get(key, key)} {year - 1}", _drill_url(key, year - 1))]
        # The records behind the largest move of the family, where they may be named.
        largest = max(keys, key=lambda k: abs((values[k] or 0) - (previous[k] or 0)))
        now = [s for s in sets_now if s.declares(largest)]
        before = [s for s in sets_before if s.declares(largest)]
        if now and all(_shown(s.capability) for s in now):
            links += _movers(largest, year, now, before)
        findings.append(
            Finding(
                f"moved:{name}",
                _(
                    "Variation de plus de %(share)s %% et de plus de %(units)s "
                    "par rapport à %(before)s — %(gaps)s."
                )
                % {
                    "share": round(MOVE_SHARE * 100),
                    "units": MOVE_UNITS,
                    "before": year - 1,
                    "gaps": gaps,
                },
                keys=keys,
                links=links,
            )
        )
    return findings


def run(year: int, values: dict[str, Value], previous: dict[str, Value]) -> list[Finding]:
    """Every finding for the year (an empty list when all is consistent)."""
    listable = figures.listable_keys(year)
    names = descriptions.labels(values)
    return [
        *missing_data(year),
        *consistency(year, values, listable, names),
        *moves(year, values, previous, listable, names),
    ]

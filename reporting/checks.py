"""Consistency rules run on a year before publishing. Each finding names its records."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts import meetings
from contacts.figures import CONTACTS, PERSONS
from contacts.models import Contact, Person
from entractes.lib.figures import Listing, Value

# A breakdown and the total it must add up to.
BREAKDOWNS = [
    ("caarud.gender.", "caarud.people"),
    ("minors.people.", "minors.people"),
    ("minors.measures.", "minors.people.minor"),
]
# Figures watched for a large move from the previous year.
WATCHED = [
    "attendance.contacts",
    "attendance.people",
    "caarud.contacts",
    "caarud.people",
    "health.nurse.consultations",
    "mediation.events",
    "digital.messages_sent",
    "minors.people",
]


@dataclass
class Finding:
    code: str
    message: str
    records: QuerySet | None = None
    keys: list[str] = field(default_factory=list)
    listing: Listing = field(default_factory=Listing)


def run(year: int, values: dict[str, Value], previous: dict[str, Value]) -> list[Finding]:
    """Every finding for the year (an empty list when all is consistent)."""
    findings: list[Finding] = []
    for prefix, total_key in BREAKDOWNS:
        parts = {
            k: v
            for k, v in values.items()
            if k.startswith(prefix) and k.count(".") == prefix.count(".")
        }
        total = sum(v or 0 for v in parts.values())
        if total != (values.get(total_key) or 0):
            findings.append(
                Finding(
                    f"breakdown:{prefix}",
                    _(
                        "La ventilation %(prefix)s* (%(sum)s) ne fait pas le total %(key)s (%(total)s)."
                    )
                    % {
                        "prefix": prefix,
                        "sum": total,
                        "key": total_key,
                        "total": values.get(total_key),
                    },
                    keys=[total_key, *parts],
                )
            )
    if (values.get("schools.boys") or 0) + (values.get("schools.girls") or 0) != (
        values.get("schools.pupils") or 0
    ):
        findings.append(
            Finding(
                "breakdown:schools",
                _("Garçons et filles ne font pas le total des élèves."),
                keys=["schools.pupils", "schools.boys", "schools.girls"],
            )
        )
    unknown_gender = Person.objects.filter(meetings.met_in(year), gender="unknown")
    if unknown_gender.exists():
        findings.append(
            Finding(
                "persons:gender_unknown",
                _("%(n)s personne(s) rencontrée(s) dans l'année sans genre renseigné.")
                % {"n": unknown_gender.count()},
                records=unknown_gender,
                listing=PERSONS,
            )
        )
    future = Contact.objects.filter(occurred_at__gt=timezone.now())
    if future.exists():
        findings.append(
            Finding(
                "contacts:future",
                _("%(n)s contact(s) daté(s) dans le futur.") % {"n": future.count()},
                records=future,
                listing=CONTACTS,
            )
        )
    for key in WATCHED:
        current, before = values.get(key), previous.get(key)
        if current is not None and before and before >= 10 and abs(current - before) / before > 0.5:
            findings.append(
                Finding(
                    f"moved:{key}",
                    _(
                        "%(key)s a varié de plus de 50 %% par rapport à l'année précédente (%(before)s → %(now)s)."
                    )
                    % {"key": key, "before": before, "now": current},
                    keys=[key],
                )
            )
    return findings

"""What the minors' follow-up holds about a person (see entractes.lib.personfile)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy

from entractes.lib.personfile import ANONYMISED, Reads, Record, Section
from minors.models import (
    EducationalMeasure,
    FilePartner,
    MinorFile,
    PartnerExchange,
    ProductUse,
    ReceivedReport,
    Runaway,
    SafeguardingReport,
)

MINORS_TEAM = gettext_lazy(
    "Le cas échéant, le suivi des mineur·es et jeunes majeur·es est communiqué par la direction."
)
SEE = "minors.read_file"


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _section(title, fields: str, **options) -> Section:
    return Section(title, _names(fields), see=SEE, **options)


RECORDS = [
    Record(
        MinorFile,
        "person",
        see=SEE,
        cleared={"notes": ""},
        activity=("opened_on", "closed_on", "first_meeting_on"),
        open=Q(closed_on__isnull=True),
        open_label=gettext_lazy("un dossier mineur·e ouvert"),
        holds_person=True,
        section=_section(
            gettext_lazy("Suivi mineur·es et jeunes majeur·es"),
            "opened_on closed_on close_reason first_meeting_on first_meeting_place to_assess notes",
            withheld=MINORS_TEAM,
            order=("opened_on",),
        ),
    ),
    Record(
        EducationalMeasure,
        "file__person",
        see=SEE,
        activity=("start", "end"),
        section=_section(
            gettext_lazy("Mesures éducatives"),
            "file start end kind",
            related=("file__person",),
            order=("start",),
        ),
    ),
    Record(
        Runaway,
        "file__person",
        see=SEE,
        activity=("start", "end"),
        section=_section(
            gettext_lazy("Fugues"),
            "file start end housed_by housed_where",
            related=("file__person",),
            order=("start",),
        ),
    ),
    Record(
        ProductUse,
        "file__person",
        see=SEE,
        activity=("start", "end"),
        section=_section(
            gettext_lazy("Consommations"),
            "file start end product",
            related=("file__person", "product"),
            order=("start",),
        ),
    ),
    Record(
        FilePartner,
        "file__person",
        see=SEE,
        cleared={"referent": "", "referent_contact": ""},
        section=_section(
            gettext_lazy("Partenaires du suivi"),
            "file partner referent",
            related=("file__person", "partner"),
        ),
    ),
    Record(
        PartnerExchange,
        "file__person",
        see=SEE,
        cleared={"note": ANONYMISED},
        activity=("date",),
        section=_section(
            gettext_lazy("Échanges avec les partenaires"),
            "date partner note",
            related=("partner",),
            order=("date",),
        ),
    ),
    Record(
        SafeguardingReport,
        "file__person",
        see=SEE,
        cleared={"grounds": ANONYMISED, "answer": ""},
        activity=("date", "answer_on"),
        section=_section(
            gettext_lazy("Signalements"),
            "kind date to_whom grounds answer answer_on",
            order=("date",),
        ),
    ),
    Record(
        ReceivedReport,
        "person",
        see=SEE,
        cleared={"description": ANONYMISED, "from_whom": ""},
        activity=("received_on", "linked_on"),
        holds_person=True,
        section=_section(
            gettext_lazy("Signalements reçus de partenaires"),
            "received_on partner description linked_on",
            related=("partner",),
            order=("received_on",),
        ),
    ),
]

# Minors' records are not archived by staff: their files are closed.
ARCHIVE: list = []

READS = [
    Reads(
        "minors",
        SEE,
        targets=(MinorFile,),
        purposes={
            "minors.person page": gettext_lazy("Suivi : dossier lu sur la fiche de la personne")
        },
    ),
]

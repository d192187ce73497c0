"""What access to rights holds about a person: procedures and PSP files (see
entractes.lib.personfile)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entractes.lib.personfile import ANONYMISED, Archive, Reads, Record, Section
from rights import access
from rights.models import Procedure, ProcedureStep, PSPFile

RIGHTS_TEAM = gettext_lazy(
    "Le cas échéant, les démarches d'accès aux droits et les dossiers PSP sont "
    "communiqués par l'équipe éducative ou la direction."
)


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _steps(procedure: Procedure) -> str:
    return " ; ".join(f"{step.date.isoformat()} : {step.note}" for step in procedure.steps.all())


RECORDS = [
    Record(
        Procedure,
        "person",
        see="rights.use",
        archived="archived_at",
        cleared={
            "request": ANONYMISED,
            "body": "",
            "missing_documents": "",
            "next_action": "",
            "archive_reason": ANONYMISED,
        },
        # Dates of the procedure itself; ``updated_at`` is when it was last written
        # (an import, a correction), not an event of the person's.
        activity=("opened_on", "status_on", "next_action_due"),
        open=Q(status="in_progress"),
        open_label=gettext_lazy("une démarche en cours"),
        holds_person=True,
        section=Section(
            gettext_lazy("Démarches d'accès aux droits"),
            _names(
                "theme request body opened_on status status_on missing_documents next_action "
                "next_action_due archived_at"
            ),
            see="rights.use",
            withheld=RIGHTS_TEAM,
            related=("theme",),
            prefetch=("steps",),
            extra=((gettext_lazy("étapes"), _steps),),
            order=("opened_on",),
        ),
    ),
    Record(
        ProcedureStep,
        "procedure__person",
        see="rights.use",
        archived="procedure__archived_at",
        cleared={"note": ANONYMISED},
        activity=("date",),
    ),
    Record(
        PSPFile,
        "person",
        see="rights.use",
        cleared={"notes": "", "decision_reason": ""},
        activity=_names(
            "filed_on commission_date decision_on review_on path_start path_end "
            "permit_start permit_end"
        ),
        open=~Q(state="closed"),
        open_label=gettext_lazy("un dossier PSP ouvert"),
        holds_person=True,
        section=Section(
            gettext_lazy("Dossiers PSP (parcours de sortie de la prostitution)"),
            _names(
                "kind state documents filed_on commission_date decision decision_on "
                "decision_reason review_outcome review_on path_start path_end dependants "
                "permit_start permit_end notes"
            ),
            see="rights.use",
            prefetch=("documents",),
            order=("created_at",),
        ),
    ),
]

ARCHIVE = [
    Archive(
        "procedure",
        gettext_lazy("démarche"),
        Procedure,
        "rights.use",
        access.get_procedure_for_user,
        lambda p: reverse("rights:procedure-list"),
        lambda p: (
            _("Démarche ouverte le %(day)s (%(code)s)")
            % {"day": f"{date_format(p.opened_on, 'SHORT_DATE_FORMAT')}", "code": p.person.code}
        ),
        related=("person",),
    ),
]

READS = [
    Reads(
        "rights",
        "rights.use",
        targets=(Procedure, PSPFile),
        purposes={
            "rights.person page": gettext_lazy("Accès aux droits : démarches lues sur la fiche")
        },
    ),
]

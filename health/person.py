"""What the health unit holds about a person (see entractes.lib.personfile).

Only health staff see that a health record exists, and its content only with the
clinical capability.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from entractes.lib.figures import among
from entractes.lib.personfile import ANONYMISED, Archive, Reads, Record, Section
from health import access
from health.models import Consultation, ConsultationAct, HealthSession, Workshop

HEALTH_TEAM = gettext_lazy(
    "Le contenu clinique (notes, actes, résultats, ateliers santé) est communiqué par "
    "l'équipe santé (infirmier·ère, médecin, sage-femme)."
)


def _acts(consultation: Consultation) -> str:
    return " ; ".join(
        " ".join(
            part
            for part in (
                str(act.act),
                act.detail,
                act.get_result_display() and f"({act.get_result_display()})",
            )
            if part
        )
        for act in consultation.acts.all()
    )


RECORDS = [
    Record(
        Consultation,
        "person",
        see="health.use",
        values="health.read_clinical",
        archived="archived_at",
        cleared={"clinical_note": None, "shared_note": None, "archive_reason": ANONYMISED},
        holds_person=True,
        meeting="day",
        meeting_filters={"team": among("author")},
        section=Section(
            gettext_lazy("Consultations du pôle santé"),
            (
                "at",
                "line",
                "modality",
                "clinical_note",
                "shared_note",
                "next_appointment",
                "archived_at",
            ),
            see="health.read_clinical",
            brief=("at", "line"),
            withheld=HEALTH_TEAM,
            related=("line",),
            prefetch=("acts__act",),
            extra=((gettext_lazy("actes"), _acts),),
            order=("at",),
        ),
    ),
    Record(
        ConsultationAct,
        "consultation__person",
        see="health.use",
        values="health.read_clinical",
        archived="consultation__archived_at",
        cleared={"detail": ""},
    ),
    # A group session (sophrology...) is shared by its participants, as a workshop is:
    # nothing of it is cleared, its history stays its own. Taking part is health data:
    # seen by health staff only, listed to the person by the health team.
    Record(
        HealthSession,
        "participants",
        see="health.use",
        values="health.read_clinical",
        history=False,
        activity=("date",),
        section=Section(
            gettext_lazy("Séances collectives du pôle santé"),
            ("date", "line", "kind"),
            see="health.read_clinical",
            withheld=HEALTH_TEAM,
            related=("line",),
            order=("date",),
        ),
    ),
    # A workshop is shared by its participants: nothing of it is cleared, its history
    # stays its own.
    Record(
        Workshop,
        "participants",
        history=False,
        activity=("date",),
        section=Section(
            gettext_lazy("Ateliers santé"),
            ("date", "title"),
            see="health.read_clinical",
            order=("date",),
        ),
    ),
]

ARCHIVE = [
    Archive(
        "consultation",
        gettext_lazy("consultation"),
        Consultation,
        "health.use",
        access.get_consultation_for_user,
        lambda c: reverse("health:home"),
        lambda c: (
            _("Consultation du %(day)s (%(line)s)")
            % {"day": f"{date_format(c.day, 'SHORT_DATE_FORMAT')}", "line": c.line}
        ),
        related=("line",),
    ),
]

READS = [
    Reads(
        "health",
        "health.read_clinical",
        targets=(Consultation,),
        purposes={
            "health.consultations": gettext_lazy("Suivi de santé : consultations lues sur la fiche")
        },
    ),
]

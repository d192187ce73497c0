"""Writes of access to rights: procedures, and the PSP workflow."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import LegalIdentity, Person
from entractes.lib.writes import save_record
from rights.models import Procedure, ProcedureStep, PSPFile

if TYPE_CHECKING:
    from entractes.models import User


class RightsError(Exception):
    """A change the workflow refuses; the message says why, for the user."""


# --- Procedures -----------------------------------------------------------------------


@transaction.atomic
def procedure_save(
    *, data: dict[str, Any], by: User, procedure: Procedure | None = None
) -> Procedure:
    return save_record(
        procedure or Procedure(created_by=by), {**data, "updated_at": timezone.now()}
    )


@transaction.atomic
def procedure_step_record(
    *, data: dict[str, Any], by: User, step: ProcedureStep | None = None
) -> ProcedureStep:
    """Create or correct a step as it stands in records kept elsewhere (an import)."""
    return save_record(step or ProcedureStep(author=by), data)


@transaction.atomic
def procedure_add_step(
    *, procedure: Procedure, date: datetime.date, note: str, by: User
) -> ProcedureStep:
    step = ProcedureStep.objects.create(procedure=procedure, date=date, note=note, author=by)
    Procedure.objects.filter(pk=procedure.pk).update(updated_at=timezone.now())
    return step


@transaction.atomic
def procedure_set_status(
    *, procedure: Procedure, status: str, on: datetime.date, by: User
) -> Procedure:
    """Move a procedure to a status its workflow allows (completed, abandoned, reopened)."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    if status not in Procedure.TRANSITIONS[Procedure.Status(procedure.status)]:
        raise RightsError(
            _("Une démarche « %(current)s » ne peut pas passer à « %(target)s ».")
            % {"current": procedure.get_status_display(), "target": Procedure.Status(status).label}
        )
    if on > timezone.localdate() or on < procedure.opened_on:
        raise RightsError(_("La date doit être comprise entre l'ouverture et aujourd'hui."))
    procedure.status, procedure.status_on, procedure.updated_at = status, on, timezone.now()
    procedure.save(update_fields=["status", "status_on", "updated_at"])
    ProcedureStep.objects.create(
        procedure=procedure,
        date=on,
        note=_("État : %(s)s") % {"s": procedure.get_status_display()},
        author=by,
    )
    return procedure


# --- PSP files ------------------------------------------------------------------------

OPEN_STATES = {
    PSPFile.State.PREPARING,
    PSPFile.State.FILED,
    PSPFile.State.DECIDED,
    PSPFile.State.REVIEW,
}


def next_kind(person: Person) -> tuple[str, PSPFile | None]:
    """The kind of the person's next PSP file, and the file it would renew.

    Raises RightsError when no new file is possible (one is open, the last path was
    refused or is unfinished, or two renewals were already made).
    """
    files = list(person.psp_files.order_by("-created_at"))
    if any(f.state in OPEN_STATES for f in files):
        raise RightsError(
            _("Un dossier PSP de cette personne est déjà en cours : terminez-le d'abord.")
        )
    last = next((f for f in files if f.final_decision == PSPFile.Decision.FAVOURABLE), None)
    if last is None:
        return PSPFile.Kind.FIRST_REQUEST, None
    if last.state not in (PSPFile.State.PATH, PSPFile.State.CLOSED) or not last.path_start:
        raise RightsError(
            _("Le parcours précédent n'a pas commencé : pas de renouvellement possible.")
        )
    if last.renewals.exists():
        raise RightsError(_("Ce parcours a déjà été renouvelé."))
    renewing: dict[str, str] = {
        PSPFile.Kind.FIRST_REQUEST: PSPFile.Kind.FIRST_RENEWAL,
        PSPFile.Kind.FIRST_RENEWAL: PSPFile.Kind.SECOND_RENEWAL,
    }
    if last.kind not in renewing:
        raise RightsError(
            _("Le parcours a déjà été renouvelé deux fois : pas de troisième renouvellement.")
        )
    return renewing[last.kind], last


@transaction.atomic
def psp_file_create(
    *, person: Person, by: User, worker: User | None = None, kind: str | None = None
) -> PSPFile:
    """Open the person's next PSP file: a first request or the renewal of a favourable path.

    A renewal starts from what the renewed file gathered: its dependants (the AFIS
    allowance depends on them) and its documents, to be checked again rather than
    gathered anew.
    """
    expected, previous = next_kind(person)
    if kind and kind != expected:
        raise RightsError(
            _("Le prochain dossier de cette personne est : %(kind)s.")
            % {"kind": PSPFile.Kind(expected).label}
        )
    psp_file = PSPFile.objects.create(
        person=person,
        kind=expected,
        previous=previous,
        worker=worker or by,
        created_by=by,
        dependants=previous.dependants if previous is not None else 0,
    )
    if previous is not None:
        psp_file.documents.set(previous.documents.all())
    return psp_file


@transaction.atomic
def psp_file_update(*, psp_file: PSPFile, data: dict[str, Any]) -> PSPFile:
    """Change what is not the workflow: documents, dependants, permit dates, notes."""
    return save_record(psp_file, data)


@transaction.atomic
def psp_file_record(*, data: dict[str, Any], by, psp_file: PSPFile | None = None) -> PSPFile:
    """Create or correct a PSP file as it stands in records kept elsewhere (an import):
    its kind, state, decision and dates are written as given, not walked through the
    workflow; the model's own rules still apply."""
    return save_record(psp_file or PSPFile(created_by=by, worker=by), data)


def _require(data: dict[str, Any], *names: str) -> None:
    labels = {name: cast(Field, PSPFile._meta.get_field(name)).verbose_name for name in names}
    missing = [str(labels[name]) for name in names if not data.get(name)]
    if missing:
        raise RightsError(_("À renseigner : %(fields)s.") % {"fields": ", ".join(missing)})


def _not_future(day: datetime.date, label: str) -> None:
    if day > timezone.localdate():
        raise RightsError(_("%(label)s ne peut pas être dans le futur.") % {"label": label})


@transaction.atomic
def psp_file_transition(*, psp_file: PSPFile, to: str, data: dict[str, Any], by: User) -> PSPFile:
    """Move a PSP file to its next state, or refuse with a message that says why."""
    f = PSPFile.objects.select_for_update().get(pk=psp_file.pk)
    State, Decision = PSPFile.State, PSPFile.Decision
    if to not in PSPFile.TRANSITIONS[State(f.state)]:
        raise RightsError(
            _("Un dossier « %(current)s » ne peut pas passer à « %(target)s ».")
            % {"current": f.get_state_display(), "target": State(to).label}
        )
    if to == State.FILED and f.state == State.PREPARING:
        if not LegalIdentity.objects.filter(person=f.person).exists():
            raise RightsError(
                _("L'identité légale de la personne est requise pour déposer un dossier PSP.")
            )
        missing = f.missing_documents
        if missing:
            raise RightsError(
                _("Pièces manquantes : %(docs)s.") % {"docs": ", ".join(d.name for d in missing)}
            )
        _require(data, "filed_on")
        _not_future(data["filed_on"], _("La date de dépôt"))
        f.filed_on = data["filed_on"]
        f.commission_date = data.get("commission_date")
    elif to == State.FILED:  # back to a commission after an adjournment
        if f.decision != Decision.ADJOURNED:
            raise RightsError(_("Seul un dossier ajourné repasse en commission."))
        _require(data, "commission_date")
        f.commission_date, f.decision, f.decision_on, f.decision_reason = (
            data["commission_date"],
            "",
            None,
            "",
        )
    elif to == State.DECIDED and f.state == State.FILED:
        _require(data, "decision", "decision_on")
        _not_future(data["decision_on"], _("La date de l'avis"))
        if data["decision_on"] < f.filed_on:
            raise RightsError(_("L'avis ne peut pas précéder le dépôt du dossier."))
        if data["decision"] != Decision.FAVOURABLE and not data.get("decision_reason"):
            raise RightsError(_("Indiquez le motif d'un avis défavorable ou d'un ajournement."))
        f.decision, f.decision_on = data["decision"], data["decision_on"]
        f.decision_reason = data.get("decision_reason", "")
        f.commission_date = f.commission_date or data["decision_on"]
    elif to == State.DECIDED:  # outcome of a review
        _require(data, "review_outcome", "review_on")
        if data["review_outcome"] not in (Decision.FAVOURABLE, Decision.UNFAVOURABLE):
            raise RightsError(_("Un réexamen aboutit à un avis favorable ou défavorable."))
        _not_future(data["review_on"], _("La date du réexamen"))
        f.review_outcome, f.review_on = data["review_outcome"], data["review_on"]
    elif to == State.REVIEW:
        if f.final_decision != Decision.UNFAVOURABLE or f.review_outcome:
            raise RightsError(
                _("Seul un avis défavorable, pas encore réexaminé, peut être réexaminé.")
            )
    elif to == State.PATH:
        if f.final_decision != Decision.FAVOURABLE:
            raise RightsError(_("Le parcours ne commence qu'après un avis favorable."))
        # A favourable decision (or review) has its date.
        start = data.get("path_start") or f.review_on or f.decision_on
        assert start is not None
        end = data.get("path_end") or f.default_path_end(start)
        f.path_start, f.path_end = start, end
        if end <= start:
            raise RightsError(_("La fin du parcours doit suivre son début."))
    f.state = to
    f.save()
    return f

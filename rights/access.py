"""Reads of procedures and PSP files: educators and the director only; PSP reads logged."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from contacts.models import Person
from entractes.models import AccessLogEntry, User
from rights.models import Procedure, PSPFile


def procedures_for_user(user: User) -> QuerySet[Procedure]:
    if not user.has_capability("rights.use"):
        return Procedure.objects.none()
    return Procedure.objects.select_related("person", "theme", "worker")


def psp_files_for_user(user: User) -> QuerySet[PSPFile]:
    if not user.has_capability("rights.use"):
        return PSPFile.objects.none()
    return PSPFile.objects.select_related("person", "worker")


def log_list_read(user: User, what: str) -> None:
    """Record that a list of procedures or PSP files was shown to the user."""
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=f"rights:{what}", detail=what
    )


def get_procedure_for_user(user: User, pk: int) -> Procedure:
    """A procedure, its read logged; 404 for missing or not allowed."""
    try:
        procedure = procedures_for_user(user).get(pk=pk)
    except Procedure.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=Procedure, pk=pk)
        raise Http404 from None
    AccessLogEntry.objects.record(user=user, action=AccessLogEntry.Action.READ, target=procedure)
    return procedure


def get_psp_file_for_user(user: User, pk: int) -> PSPFile:
    """A PSP file, its read written to the access log; 404 for missing or not allowed."""
    try:
        psp_file = psp_files_for_user(user).get(pk=pk)
    except PSPFile.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=PSPFile, pk=pk)
        raise Http404 from None
    AccessLogEntry.objects.record(user=user, action=AccessLogEntry.Action.READ, target=psp_file)
    return psp_file


def person_rights_for_user(user: User, person: Person) -> dict | None:
    """The person's procedures and PSP files for the person page, or None."""
    if not user.has_capability("rights.use"):
        return None
    # One entry per panel shown, whatever it holds (an empty panel tells something too).
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=person, detail="rights.person page"
    )
    psp_files = list(psp_files_for_user(user).filter(person=person))
    return {
        "procedures": procedures_for_user(user)
        .filter(person=person)
        .order_by("status", "-opened_on"),
        "psp_files": psp_files,
    }


# Who may read and who may write each kind of record of the app: (read, write)
# capabilities (composed in entractes.permissions.record_access).
RECORD_ACCESS = {
    "Procedure": ("rights.use", "rights.use"),
    "ProcedureStep": ("rights.use", "rights.use"),
    "PSPFile": ("rights.use", "rights.use"),
}
# Reference lists: every staff member reads them in forms; administrators edit them.
REFERENCE_LISTS = frozenset(
    {
        "PSPDocumentKind",
        "ProcedureTheme",
    }
)

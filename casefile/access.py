"""Reads of documents for a user: the one checkpoint of the lists and the downloads.

A document is read by the holders of ``documents.use`` who reach it: on a procedure or
a PSP file, through that file's own access (``rights.access``); on the person alone
(identity papers, letters), with ``persons.read_identity``. Archived documents, those of
an archived procedure or person, and documents emptied by anonymisation are never
listed nor served. Every list and every download is written to the access log, in
these functions alone; missing and not allowed answer 404 alike.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from casefile.models import Document, DocumentContent
from contacts import access as contacts_access
from contacts.models import Person
from entractes.models import AccessLogEntry, User
from rights import access as rights_access
from rights.models import Procedure, PSPFile


def documents_for_user(user: User) -> QuerySet[Document]:
    """The current documents the user may list and download (none without
    ``documents.use``)."""
    if not user.has_capability("documents.use"):
        return Document.objects.none()
    allowed = Q(procedure__in=rights_access.procedures_for_user(user).values("pk"))
    allowed |= Q(psp_file__in=rights_access.psp_files_for_user(user).values("pk"))
    if user.has_capability("persons.read_identity"):
        allowed |= Q(procedure__isnull=True, psp_file__isnull=True)
    persons = contacts_access.persons_for_user(user).values("pk")
    return Document.objects.filter(allowed, person__in=persons, size__gt=0)


def _listed(documents: QuerySet[Document]) -> list[Document]:
    return list(
        documents.select_related("procedure__theme", "psp_file").order_by("-uploaded_at", "-pk")
    )


def person_documents_for_user(user: User, person: Person) -> list[Document] | None:
    """The documents of a person (their own and their files'), for the person page, or
    None for a reader without ``documents.use`` (who gets no panel and no entry)."""
    if not user.has_capability("documents.use"):
        return None
    # One entry per panel shown, whatever it holds (an empty panel tells something too).
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=person, detail="documents.person"
    )
    return _listed(documents_for_user(user).filter(person=person))


def _procedure(user: User, pk: int) -> Procedure:
    if not user.has_capability("documents.use"):
        raise Http404
    try:
        return rights_access.procedures_for_user(user).get(pk=pk)
    except Procedure.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=Procedure, pk=pk)
        raise Http404 from None


def _psp_file(user: User, pk: int) -> PSPFile:
    if not user.has_capability("documents.use"):
        raise Http404
    try:
        return rights_access.psp_files_for_user(user).get(pk=pk)
    except PSPFile.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=PSPFile, pk=pk)
        raise Http404 from None


def procedure_documents_for_user(user: User, pk: int) -> tuple[Procedure, list[Document]]:
    """A procedure's documents, the list's read logged; 404 when the procedure is missing
    or not the user's to read."""
    procedure = _procedure(user, pk)
    AccessLogEntry.objects.record(
        user=user,
        action=AccessLogEntry.Action.READ,
        target=procedure.person,
        detail=f"documents.procedure {procedure.pk}",
    )
    return procedure, _listed(documents_for_user(user).filter(procedure=procedure))


def psp_file_documents_for_user(user: User, pk: int) -> tuple[PSPFile, list[Document]]:
    """A PSP file's documents, the list's read logged; 404 when the file is missing or
    not the user's to read."""
    psp_file = _psp_file(user, pk)
    AccessLogEntry.objects.record(
        user=user,
        action=AccessLogEntry.Action.READ,
        target=psp_file.person,
        detail=f"documents.psp {psp_file.pk}",
    )
    return psp_file, _listed(documents_for_user(user).filter(psp_file=psp_file))


def upload_procedure_for_user(user: User, pk: int) -> Procedure:
    """The procedure a document is uploaded to (a blank form: nothing of it is read)."""
    return _procedure(user, pk)


def upload_psp_file_for_user(user: User, pk: int) -> PSPFile:
    """The PSP file a document is uploaded to (a blank form: nothing of it is read)."""
    return _psp_file(user, pk)


def may_upload_to_person(user: User, person: Person) -> bool:
    """Whether the user may add a document to the person themselves (identity-grade)."""
    return (
        user.has_capability("documents.use")
        and user.has_capability("persons.read_identity")
        and contacts_access.persons_for_user(user).filter(pk=person.pk).exists()
    )


def get_document_for_user(user: User, pk: int, *, purpose: str = "read") -> Document:
    """A document (not its bytes), its read logged; 404 for missing or not allowed."""
    try:
        document = documents_for_user(user).select_related("person").get(pk=pk)
    except Document.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=Document, pk=pk)
        raise Http404 from None
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=document, detail=f"document {purpose}"
    )
    return document


def get_document_to_archive(user: User, pk: int) -> Document:
    """The document a user is about to archive (the archive's checkpoint)."""
    return get_document_for_user(user, pk, purpose="archive")


def download_document_for_user(user: User, pk: int) -> tuple[Document, bytes]:
    """A document and its bytes, decrypted, the download logged; 404 for missing or not
    allowed, and for an archived document (restored first by an administrator)."""
    document = get_document_for_user(user, pk, purpose="download")
    try:
        content = bytes(DocumentContent.objects.get(document=document).content)
    except DocumentContent.DoesNotExist:
        raise Http404 from None
    return document, content


# Who may read and who may write each kind of record of the app: (read, write)
# capabilities (composed in entractes.permissions.record_access). Object rules above.
RECORD_ACCESS = {
    "Document": ("documents.use", "documents.use"),
    "DocumentContent": ("documents.use", "documents.use"),
}

"""What the person's file itself holds about a person: the documents uploaded to them,
to their procedures and to their PSP files (see entractes.lib.personfile)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casefile import access
from casefile.models import Document, DocumentContent
from entractes.lib.personfile import ANONYMISED, Archive, Reads, Record, Section


def _attached_to(document: Document) -> str:
    if document.procedure_id:
        return _("une démarche")
    if document.psp_file_id:
        return _("un dossier PSP")
    return _("la fiche")


def _size(document: Document) -> str:
    return document.size_label if document.size else ""


RECORDS = [
    Record(
        Document,
        "person",
        see="documents.use",
        archived="archived_at",
        # The bytes go with DocumentContent below; a size of 0 marks the document emptied.
        cleared={
            "title": None,
            "original_name": None,
            "size": 0,
            "archive_reason": ANONYMISED,
        },
        holds_person=True,
        section=Section(
            gettext_lazy("Documents déposés"),
            ("title", "uploaded_at", "content_type", "archived_at"),
            see="documents.use",
            withheld=gettext_lazy(
                "Le cas échéant, les documents déposés (pièces, courriers) sont communiqués "
                "par l'équipe éducative."
            ),
            extra=(
                (gettext_lazy("taille"), _size),
                (gettext_lazy("rattaché à"), _attached_to),
            ),
            order=("uploaded_at", "pk"),
        ),
    ),
    # The bytes themselves: never in a history (not tracked), emptied by anonymisation.
    Record(
        DocumentContent,
        "document__person",
        see="documents.use",
        archived="document__archived_at",
        history=False,
        listed=False,
        cleared={"content": b""},
    ),
]


def _after(document: Document) -> str:
    if document.procedure_id:
        return reverse("rights:procedure-detail", args=[document.procedure_id])
    if document.psp_file_id:
        return reverse("rights:psp-detail", args=[document.psp_file_id])
    return reverse("contacts:person-detail", args=[document.person.code])


ARCHIVE = [
    Archive(
        "document",
        gettext_lazy("document"),
        Document,
        "documents.use",
        access.get_document_to_archive,
        _after,
        # Never the title: the archive list is the administrator's, who may not read it.
        lambda d: (
            _("Document déposé le %(day)s (%(code)s)")
            % {
                "day": date_format(d.uploaded_at, "SHORT_DATE_FORMAT"),
                "code": d.person.code,
            }
        ),
        related=("person",),
    ),
]

READS = [
    Reads(
        "documents",
        "documents.use",
        targets=(Document,),
        purposes={
            "documents.": gettext_lazy("Documents : liste lue (fiche, démarche ou dossier PSP)"),
            "document download": gettext_lazy("Documents : téléchargement d'un document"),
            "document archive": gettext_lazy("Documents : archivage d'un document"),
            "document read": gettext_lazy("Documents : consultation d'un document"),
        },
    ),
]

"""Writes of the person's file that are not the composed operations (retention,
erasure, archive): documents uploaded to a person, a procedure or a PSP file."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from casefile import documents
from casefile.models import Document, DocumentContent
from contacts.models import Person
from entractes.models import User
from rights.models import Procedure, PSPFile


def document_upload(
    *,
    person: Person,
    title: str,
    upload: UploadedFile,
    by: User,
    procedure: Procedure | None = None,
    psp_file: PSPFile | None = None,
) -> Document:
    """Keep an uploaded file for a person, or for one of their procedures or PSP files
    (whose person it then belongs to): its bytes encrypted, its title and name too.

    The size and the type (read from the bytes) are checked again here, whatever the
    form did: ValidationError names the field.
    """
    if procedure is not None and psp_file is not None:
        raise ValueError("A document goes to one file at most.")
    owner = procedure or psp_file
    if owner is not None:
        person = owner.person
    if upload.size is None or upload.size > documents.max_bytes():
        raise ValidationError({"file": _("Le fichier dépasse la taille maximale.")})
    upload.seek(0)
    content = upload.read()
    kind = documents.sniff(content[:16])
    if kind is None or not content:
        raise ValidationError({"file": _("Ce type de fichier n'est pas accepté.")})
    with transaction.atomic():
        document = Document.objects.create(
            person=person,
            procedure=procedure,
            psp_file=psp_file,
            title=title.strip()[:200],
            original_name=documents.clean_name(upload.name or ""),
            content_type=kind,
            size=len(content),
            uploaded_by=by,
        )
        DocumentContent.objects.create(document=document, content=content)
    return document

"""Documents uploaded to a person (an identity paper, a letter, a photo of a form), to a
procedure or to a PSP file, kept encrypted in the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from contacts.models import Person
from entractes.fields import EncryptedBinaryField, EncryptedCharField
from entractes.lib.typography import NBSP, number
from entractes.models import Archivable, LiveManager
from rights.models import Procedure, PSPFile


class Document(Archivable):
    """What is known of an uploaded file; its bytes are in ``DocumentContent``, read by
    the download alone, so that lists and the person's file never load them.

    A procedure's or PSP file's document also belongs to its person. Anonymisation
    empties its title, name and content and sets its size to 0 (an empty file is never
    accepted): such a document is a trace, never listed nor served.
    """

    class Type(models.TextChoices):
        PDF = "application/pdf", _("PDF")
        JPEG = "image/jpeg", _("photo JPEG")
        PNG = "image/png", _("image PNG")
        WEBP = "image/webp", _("image WebP")
        HEIC = "image/heic", _("photo HEIC")
        HEIF = "image/heif", _("photo HEIF")

    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="case_documents",
    )
    procedure = models.ForeignKey(
        Procedure,
        verbose_name=_("démarche"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_documents",
    )
    psp_file = models.ForeignKey(
        PSPFile,
        verbose_name=_("dossier PSP"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_documents",
    )
    # Encrypted: a title or a file name often names the person ("CNI Fatou D.").
    title = EncryptedCharField(_("titre"), max_length=200, blank=True)
    original_name = EncryptedCharField(_("nom du fichier"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=40, choices=Type.choices)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(procedure__isnull=True) | models.Q(psp_file__isnull=True),
                name="document_one_file_at_most",
            )
        ]

    def __str__(self) -> str:
        return str(
            _("Document du %(day)s") % {"day": date_format(self.uploaded_at, "SHORT_DATE_FORMAT")}
        )

    @property
    def size_label(self) -> str:
        return size_label(self.size)

    @property
    def extension(self) -> str:
        """The extension of its type (read from its bytes), never the one it came with."""
        return EXTENSIONS[self.content_type]

    @property
    def download_name(self) -> str:
        stem = self.original_name.rpartition(".")[0] or self.original_name or "document"
        return f"{stem}.{self.extension}"


def size_label(size: int) -> str:
    """« 850 octets », « 4,9 Ko », « 10 Mo »: units of 1 024, as phones and computers say."""
    if size < 1024:
        return f"{number(size)}{NBSP}{gettext('octets')}"
    if size < 1024 * 1024:
        return f"{number(round(size / 1024, 1))}{NBSP}{gettext('Ko')}"
    return f"{number(round(size / (1024 * 1024), 1))}{NBSP}{gettext('Mo')}"


EXTENSIONS = {
    Document.Type.PDF: "pdf",
    Document.Type.JPEG: "jpg",
    Document.Type.PNG: "png",
    Document.Type.WEBP: "webp",
    Document.Type.HEIC: "heic",
    Document.Type.HEIF: "heif",
}


class DocumentContent(models.Model):
    """A document's bytes, as a Fernet token (entractes.fields): in the database, hence in
    every backup, never readable without the keys of the environment."""

    document = models.OneToOneField(
        Document, on_delete=models.CASCADE, primary_key=True, related_name="stored"
    )
    content = EncryptedBinaryField(_("contenu"))

    class Meta:
        verbose_name = _("contenu d'un document")
        verbose_name_plural = _("contenus des documents")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

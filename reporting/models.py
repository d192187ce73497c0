"""The annual report: reference figures, narrative, checks, renders and publications."""

from __future__ import annotations

import markdown
import nh3
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from entractes.models import Archivable, LiveManager

ALLOWED_TAGS = {
    "p",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def render_markdown(text: str) -> str:
    """Simple formatting (paragraphs, bold, lists, tables) to HTML, sanitised."""
    html = markdown.markdown(text or "", extensions=["tables"], output_format="html")
    return mark_safe(nh3.clean(html, tags=ALLOWED_TAGS, attributes={}))  # noqa: S308 (sanitised by nh3)


class ReferenceFigure(Archivable):
    """A figure of a year before the app was used, for comparisons only. A figure typed
    by mistake is withdrawn (archived, with who, when and why), never deleted."""

    key = models.CharField(_("clé"), max_length=120)
    year = models.PositiveSmallIntegerField(_("année"))
    value = models.DecimalField(_("valeur"), max_digits=12, decimal_places=3)
    source = models.CharField(
        _("source"), max_length=200, help_text=_("Par exemple : rapport d'activité 2022, p. 7.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()

    # It stands for figures of its year, whenever it was typed (entractes.freshness).
    counted_dates = ("year",)

    class Meta:
        verbose_name = _("chiffre de référence")
        verbose_name_plural = _("chiffres de référence")
        ordering = ["-year", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "year"],
                condition=Q(archived_at__isnull=True),
                name="reference_figure_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.key} = {self.value}"

    @property
    def number(self) -> int | float:
        return int(self.value) if self.value == int(self.value) else float(self.value)


class NarrativeBlock(models.Model):
    """A text of the year's report written by the director."""

    class Kind(models.TextChoices):
        EDITORIAL = "editorial", _("Éditorial")
        PRESENTATION = "presentation", _("Présentation")
        FOCUS = "focus", _("Focus")
        CASE_NOTE = "case_note", _("Note de situation")
        QUALITY_PLAN = "quality_plan", _("Plan d'amélioration de la qualité")
        OUTLOOK = "outlook", _("Perspectives")

    class Part(models.TextChoices):
        PRESENTATION = "presentation", _("01. Présentation")
        ACTIVITY = "activity", _("02. L'activité")
        HEALTH = "health", _("02. Pôle santé")
        RIGHTS = "rights", _("02. Accès aux droits")
        MEDIATION = "mediation", _("02. Médiation sociale")
        ONLINE = "online", _("02. Entr'Actes 2.0")
        MINORS = "minors", _("03. Mineur·es")
        TRAINING = "training", _("04. Former et sensibiliser")
        QUALITY = "quality", _("05. Qualité")

    year = models.PositiveSmallIntegerField(_("année"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    part = models.CharField(_("partie"), max_length=20, choices=Part.choices, blank=True)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    body = models.TextField(
        _("texte"),
        help_text=_(
            "Paragraphes séparés par une ligne vide, **gras**, listes avec « - », tableaux simples."
        ),
    )
    signature = models.CharField(_("signature"), max_length=150, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("texte du rapport")
        verbose_name_plural = _("textes du rapport")
        ordering = ["year", "position", "id"]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def html(self) -> str:
        return render_markdown(self.body)


class CheckAcceptance(models.Model):
    """The director accepted a consistency warning of a year, with a note."""

    year = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=120)
    note = models.CharField(_("justification"), max_length=300)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="check_accepted_once")]

    def __str__(self) -> str:
        return f"{self.year} {self.code}"


class ReportRender(models.Model):
    """One generation of the PDF, run as a background task."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    year = models.PositiveSmallIntegerField()
    publication = models.ForeignKey(
        "Publication", on_delete=models.PROTECT, null=True, blank=True, related_name="renders"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.year} {self.status}"


class Publication(models.Model):
    """A published version of a year's report: frozen figures, narrative and PDF."""

    year = models.PositiveSmallIntegerField()
    version = models.PositiveSmallIntegerField()
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    figures = models.JSONField()
    narrative = models.JSONField()
    records = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to="published/", blank=True)
    checksum = models.CharField(max_length=64, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="publication_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = (
                Publication.objects.filter(pk=self.pk)
                .values("figures", "narrative", "records", "checksum")
                .first()
            )
            if stored and (
                stored["figures"] != self.figures
                or stored["narrative"] != self.narrative
                or stored["records"] != self.records
                or stored["checksum"]
            ):
                raise PermissionError("A publication is frozen.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("A publication is never deleted.")

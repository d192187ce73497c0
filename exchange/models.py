"""Records exchanged with spreadsheets: the ids rows carry in imported files, and the
background import jobs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExternalId(models.Model):
    """The id a record has in an imported spreadsheet, so that a new import updates it."""

    kind = models.CharField(max_length=40)
    external_id = models.CharField(max_length=100)
    object_id = models.BigIntegerField()

    class Meta:
        db_table = "reporting_externalid"
        constraints = [
            models.UniqueConstraint(fields=["kind", "external_id"], name="external_id_once")
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="reporting_e_kind_eff5fe_idx")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.external_id}"


class ImportJob(models.Model):
    """One import of an uploaded workbook, run as a background task. The file lives in
    MEDIA_ROOT/imports only while the job needs it: until the import ends, or for a
    checked dry run until it is confirmed (a day at most, then swept)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Terminé")
        FAILED = "failed", _("Échec")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(_("fichier"), max_length=200)
    upload = models.FileField(upload_to="imports/", blank=True)
    dry_run = models.BooleanField(_("simulation"), default=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        db_table = "reporting_importjob"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.filename} {self.state}"

    @property
    def percent(self) -> int:
        """Rows checked, in steps of 5 (the stylesheet's progress classes)."""
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 20 // self.rows_total * 5)

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


class ExportJob(models.Model):
    """One export asked from the interface, run as a background task: the year's figures
    (CSV, XLSX or JSON) or the records the account may read (XLSX). The file lives in
    MEDIA_ROOT/exports for a day at most; only the account that asked for it downloads it."""

    class What(models.TextChoices):
        FIGURES = "figures", _("Chiffres de l'année")
        RECORDS = "records", _("Enregistrements")

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        JSON = "json", "JSON"

    State = ImportJob.State

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    what = models.CharField(_("contenu"), max_length=20, choices=What.choices)
    fmt = models.CharField(_("format"), max_length=10, choices=Format.choices)
    year = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)
    sheets = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.QUEUED)
    steps_done = models.PositiveIntegerField(default=0)
    steps_total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="exports/", blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.what} {self.fmt} {self.state}"

    @property
    def percent(self) -> int:
        if not self.steps_total:
            return 0
        return min(100, self.steps_done * 20 // self.steps_total * 5)

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def filename(self) -> str:
        stamp = timezone.localtime(self.requested_at).strftime("%Y%m%d-%H%M")
        if self.what == self.What.FIGURES:
            return f"chiffres-{self.year}.{self.fmt}"
        return f"enregistrements-{stamp}.xlsx"

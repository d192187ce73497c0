"""Access to rights: procedures, and exit-from-prostitution (PSP) files."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import Person
from entractes.models import Archivable, LiveManager, ReferenceItem

# Monthly allowance of the PSP path (AFIS), in euros.
AFIS_BASE = Decimal("343.20")
AFIS_PER_DEPENDANT = Decimal("102.00")
PERMIT_MONTHS = 6


class ProcedureTheme(ReferenceItem):
    """Themes of procedures (report keys ``rights.procedures.<slug>.*``)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("thème de démarche")
        verbose_name_plural = _("thèmes de démarche")


class Procedure(Archivable):
    """An access-to-rights procedure followed by an educator."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("En cours")
        COMPLETED = "completed", _("Aboutie")
        ABANDONED = "abandoned", _("Abandonnée")

    # Allowed status changes; anything else is refused by the service.
    TRANSITIONS = {
        Status.IN_PROGRESS: {Status.COMPLETED, Status.ABANDONED},
        Status.ABANDONED: {Status.IN_PROGRESS},
        Status.COMPLETED: set(),
    }

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="procedures"
    )
    theme = models.ForeignKey(
        ProcedureTheme, verbose_name=_("thème"), on_delete=models.PROTECT, related_name="+"
    )
    request = models.CharField(_("demande"), max_length=200)
    body = models.CharField(_("organisme"), max_length=150, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suivie par"),
        on_delete=models.PROTECT,
        related_name="procedures",
    )
    opened_on = models.DateField(_("ouverte le"), default=timezone.localdate)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.IN_PROGRESS
    )
    status_on = models.DateField(_("depuis le"), default=timezone.localdate)
    missing_documents = models.TextField(_("pièces manquantes"), blank=True)
    next_action = models.CharField(_("prochaine action"), max_length=200, blank=True)
    next_action_due = models.DateField(_("pour le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("dernière mise à jour"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("démarche")
        verbose_name_plural = _("démarches")
        ordering = ["-opened_on"]

    def __str__(self) -> str:
        return f"{self.theme} — {self.request}"

    @property
    def is_overdue(self) -> bool:
        return bool(self.next_action_due and self.next_action_due < timezone.localdate())


class ProcedureStep(models.Model):
    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    date = models.DateField(_("date"), default=timezone.localdate)
    note = models.CharField(_("démarche effectuée"), max_length=500)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.note


class PSPDocumentKind(ReferenceItem):
    """A document of the PSP checklist (passport, birth certificate...)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("pièce du dossier PSP")
        verbose_name_plural = _("pièces du dossier PSP")


class PSPFile(models.Model):
    """An exit-from-prostitution (PSP) file presented to the departmental commission."""

    class Kind(models.TextChoices):
        FIRST_REQUEST = "first_request", _("Première demande")
        FIRST_RENEWAL = "first_renewal", _("Premier renouvellement")
        SECOND_RENEWAL = "second_renewal", _("Second renouvellement")

    class State(models.TextChoices):
        PREPARING = "preparing", _("En préparation")
        FILED = "filed", _("Déposé")
        DECIDED = "decided", _("Décision rendue")
        REVIEW = "review", _("Réexamen demandé")
        PATH = "path", _("Parcours en cours")
        CLOSED = "closed", _("Clos")

    class Decision(models.TextChoices):
        FAVOURABLE = "favourable", _("Favorable")
        UNFAVOURABLE = "unfavourable", _("Défavorable")
        ADJOURNED = "adjourned", _("Ajourné")

    # The states follow each other in this order; the service checks each step's needs.
    TRANSITIONS = {
        State.PREPARING: {State.FILED, State.CLOSED},
        State.FILED: {State.DECIDED, State.CLOSED},
        State.DECIDED: {State.FILED, State.REVIEW, State.PATH, State.CLOSED},
        State.REVIEW: {State.DECIDED},
        State.PATH: {State.CLOSED},
        State.CLOSED: set(),
    }
    # What each kind renews.
    RENEWS = {Kind.FIRST_RENEWAL: Kind.FIRST_REQUEST, Kind.SECOND_RENEWAL: Kind.FIRST_RENEWAL}

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="psp_files"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("dossier renouvelé"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewals",
    )
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.PREPARING
    )
    documents = models.ManyToManyField(
        PSPDocumentKind, verbose_name=_("pièces réunies"), blank=True, related_name="+"
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suivi par"),
        on_delete=models.PROTECT,
        related_name="psp_files",
    )
    filed_on = models.DateField(_("déposé le"), null=True, blank=True)
    commission_date = models.DateField(_("date de commission"), null=True, blank=True)
    decision = models.CharField(_("avis"), max_length=20, choices=Decision.choices, blank=True)
    decision_on = models.DateField(_("avis rendu le"), null=True, blank=True)
    decision_reason = models.CharField(_("motif"), max_length=300, blank=True)
    review_outcome = models.CharField(
        _("issue du réexamen"), max_length=20, choices=Decision.choices, blank=True
    )
    review_on = models.DateField(_("réexamen le"), null=True, blank=True)
    path_start = models.DateField(_("début du parcours"), null=True, blank=True)
    path_end = models.DateField(_("fin du parcours"), null=True, blank=True)
    dependants = models.PositiveSmallIntegerField(_("personnes à charge"), default=0)
    permit_start = models.DateField(_("titre de séjour du"), null=True, blank=True)
    permit_end = models.DateField(_("titre de séjour au"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("dossier PSP")
        verbose_name_plural = _("dossiers PSP")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.person.code}"

    @property
    def afis_amount(self) -> Decimal:
        """Monthly AFIS allowance: computed from the dependants, never typed."""
        return AFIS_BASE + AFIS_PER_DEPENDANT * self.dependants

    @property
    def final_decision(self) -> str:
        """The decision after any review."""
        return self.review_outcome or self.decision

    @property
    def missing_documents(self) -> list[PSPDocumentKind]:
        gathered = {d.pk for d in self.documents.all()}
        return [d for d in PSPDocumentKind.objects.filter(active=True) if d.pk not in gathered]

    def default_path_end(self, start: datetime.date) -> datetime.date:
        month = start.month - 1 + PERMIT_MONTHS
        year, month = start.year + month // 12, month % 12 + 1
        day = min(start.day, 28)
        return datetime.date(year, month, day) - datetime.timedelta(days=1)


FINAL_FAVOURABLE = Q(review_outcome=PSPFile.Decision.FAVOURABLE) | Q(
    review_outcome="", decision=PSPFile.Decision.FAVOURABLE
)

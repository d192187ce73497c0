"""The health unit: practitioners' sessions, consultations and their acts, workshops.

Clinical content (consultations, acts, results, notes) is read only by health staff;
see ``health/access.py``.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from contacts.models import Person
from entractes.fields import EncryptedCharField, EncryptedTextField
from entractes.models import Archivable, LiveManager, ReferenceItem


class ServiceLine(ReferenceItem):
    """A line of the health unit (report keys ``health.<slug>.*``).

    Partner practitioners are linked to their line(s) and see only those.
    """

    practitioners = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("intervenant·es partenaires"),
        blank=True,
        related_name="health_lines",
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("ligne de soin")
        verbose_name_plural = _("lignes de soin")


class Act(ReferenceItem):
    """An act performed during a consultation (rapid test, smear, vaccination...)."""

    needs_result = models.BooleanField(_("résultat attendu"), default=False)
    is_screening = models.BooleanField(_("dépistage"), default=False)
    needs_detail = models.BooleanField(
        _("précision demandée"), default=False, help_text=_("Par exemple : quel vaccin.")
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("acte")
        verbose_name_plural = _("actes")


class Place(models.TextChoices):
    DROP_IN = "drop_in", _("Au local")
    MOBILE_UNIT = "mobile_unit", _("Antenne mobile")
    REMOTE = "remote", _("À distance")
    OUTSIDE = "outside", _("À l'extérieur")


class HealthSession(models.Model):
    """A practitioner's session: a permanence or a workshop of one line.

    A workshop is a group session (sophrology, say): its participants are recorded on
    it, each counted among the line's persons, the session once among its care sessions.
    """

    class Kind(models.TextChoices):
        PERMANENCE = "permanence", _("Permanence")
        WORKSHOP = "workshop", _("Atelier")

    line = models.ForeignKey(
        ServiceLine, verbose_name=_("ligne"), on_delete=models.PROTECT, related_name="sessions"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.PERMANENCE)
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("praticien·ne (compte)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    partner_name = models.CharField(_("praticien·ne partenaire (nom)"), max_length=120, blank=True)
    date = models.DateField(_("date"), default=timezone.localdate)
    start_time = models.TimeField(_("début"), null=True, blank=True)
    end_time = models.TimeField(_("fin"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=20, choices=Place.choices, default=Place.DROP_IN)
    participants = models.ManyToManyField(
        Person,
        verbose_name=_("participant·es"),
        blank=True,
        related_name="health_sessions",
        help_text=_("Les personnes présentes à une séance collective (atelier)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("permanence santé")
        verbose_name_plural = _("permanences santé")
        ordering = ["-date", "-start_time"]

    def __str__(self) -> str:
        return f"{self.line} — {date_format(self.date, 'SHORT_DATE_FORMAT')}"

    def clean(self):
        if self.date and self.date > timezone.localdate():
            raise ValidationError(
                {"date": _("Une permanence ne peut pas être datée dans le futur.")}
            )


class Modality(models.TextChoices):
    DROP_IN = "drop_in", _("Au local")
    MOBILE_UNIT = "mobile_unit", _("Antenne mobile")
    REMOTE = "remote", _("Téléphone ou visio")
    ONLINE_OUTREACH = "online_outreach", _("Outreach numérique")
    HOME_VISIT = "home_visit", _("Visite à domicile")


class ConsultationQuerySet(models.QuerySet):
    def in_year(self, year: int):
        return self.filter(day__year=year)


class Consultation(Archivable):
    """A consultation or care session with one person. Clinical: health staff only."""

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="consultations"
    )
    at = models.DateTimeField(_("date et heure"), default=timezone.now)
    day = models.DateField(editable=False, db_index=True)
    line = models.ForeignKey(
        ServiceLine, verbose_name=_("ligne"), on_delete=models.PROTECT, related_name="consultations"
    )
    session = models.ForeignKey(
        HealthSession,
        verbose_name=_("permanence"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    modality = models.CharField(
        _("modalité"), max_length=20, choices=Modality.choices, default=Modality.DROP_IN
    )
    # Encrypted in the database (entractes.fields): the key lives outside it.
    clinical_note = EncryptedTextField(_("note clinique"), blank=True)
    shared_note = EncryptedCharField(
        _("note de transmission partageable"),
        max_length=300,
        blank=True,
        help_text=_(
            "Visible des éducateur·rices (secret partagé) : le strict nécessaire, "
            "par exemple « orientée vers le CSAPA, rendez-vous le … »."
        ),
    )
    next_appointment = models.DateField(_("prochain rendez-vous"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LiveManager.from_queryset(ConsultationQuerySet)()
    all_objects = ConsultationQuerySet.as_manager()

    # Edited with the consultation, so part of what a concurrent edit compares.
    fingerprint_children: ClassVar[dict[str, tuple[str, ...]]] = {"acts": ("act_id", "result")}

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-at"]
        indexes = [models.Index(fields=["person", "day"])]

    def __str__(self) -> str:
        return f"{self.line} — {date_format(timezone.localtime(self.at), 'SHORT_DATETIME_FORMAT')}"

    def save(self, *args, **kwargs):
        self.fill_derived()
        super().save(*args, **kwargs)

    def fill_derived(self) -> Consultation:
        self.day = timezone.localdate(self.at)
        return self

    def clean(self):
        if self.at and self.at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError(
                {"at": _("Une consultation ne peut pas être datée dans le futur.")}
            )


class ConsultationAct(models.Model):
    class Result(models.TextChoices):
        POSITIVE = "positive", _("Positif")
        NEGATIVE = "negative", _("Négatif")
        PENDING = "pending", _("En attente")

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="acts")
    act = models.ForeignKey(Act, verbose_name=_("acte"), on_delete=models.PROTECT, related_name="+")
    detail = models.CharField(_("précision"), max_length=120, blank=True)
    result = models.CharField(_("résultat"), max_length=20, choices=Result.choices, blank=True)

    class Meta:
        verbose_name = _("acte réalisé")
        verbose_name_plural = _("actes réalisés")

    def __str__(self) -> str:
        return str(self.act)

    def clean(self):
        if self.act_id and self.act.needs_result and not self.result:
            raise ValidationError(
                {
                    "result": _("L'acte « %(act)s » demande un résultat (ou « en attente »).")
                    % {"act": self.act}
                }
            )


class Workshop(models.Model):
    """A collective health workshop (breast cancer awareness, say)."""

    title = models.CharField(_("intitulé"), max_length=200)
    date = models.DateField(_("date"), default=timezone.localdate)
    line = models.ForeignKey(
        ServiceLine,
        verbose_name=_("ligne"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    animators = models.CharField(_("animé par"), max_length=250, blank=True)
    participants_count = models.PositiveSmallIntegerField(_("participant·es"), default=0)
    participants = models.ManyToManyField(
        Person,
        verbose_name=_("participant·es connu·es"),
        blank=True,
        related_name="health_workshops",
    )
    outcomes = models.TextField(
        _("suites"), blank=True, help_text=_("Par exemple : rendez-vous pris.")
    )
    appointments_booked = models.PositiveSmallIntegerField(_("rendez-vous pris"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("atelier santé")
        verbose_name_plural = _("ateliers santé")
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.title

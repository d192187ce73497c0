"""Minors and young adults: follow-up files, safeguarding, training and prevention.

Only the minors' team and the director read these records (``minors/access.py``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from contacts.models import Partner, Person, Product
from entractes.lib.period import Period as DateSpan


class FileQuerySet(models.QuerySet):
    def followed_in(self, period: DateSpan | int):
        """Files open on at least one day of the period (a year's number: that year)."""
        return self.filter(DateSpan.of(period).overlapped("opened_on", "closed_on"))

    def open(self):
        return self.filter(closed_on__isnull=True)


class MinorFile(models.Model):
    """The follow-up of a person under 21, or of unknown age presumed young."""

    class CloseReason(models.TextChoices):
        TURNED_21 = "turned_21", _("A eu 21 ans")
        MOVED = "moved", _("A déménagé")
        LOST_TOUCH = "lost_touch", _("Perdu·e de vue")
        PARTNER = "partner", _("Relais pris par un partenaire")
        OTHER = "other", _("Autre")

    class Place(models.TextChoices):
        OUTREACH = "outreach", _("Aller-vers (rue, antenne mobile)")
        DROP_IN = "drop_in", _("Local")
        ONLINE = "online", _("En ligne (site d'annonces, réseau social)")
        PARTNER = "partner", _("Chez un partenaire")

    person = models.ForeignKey(
        Person, verbose_name=_("personne"), on_delete=models.PROTECT, related_name="minor_files"
    )
    opened_on = models.DateField(_("ouvert le"), default=timezone.localdate)
    closed_on = models.DateField(_("fermé le"), null=True, blank=True)
    close_reason = models.CharField(
        _("motif de fermeture"), max_length=20, choices=CloseReason.choices, blank=True
    )
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("suivi par"),
        on_delete=models.PROTECT,
        related_name="minor_files",
    )
    first_meeting_on = models.DateField(_("première rencontre le"), null=True, blank=True)
    first_meeting_place = models.CharField(
        _("lieu de la première rencontre"), max_length=20, choices=Place.choices
    )
    to_assess = models.BooleanField(
        _("mesure éducative à évaluer"), default=False, help_text=_("Diagnostic à affiner.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = FileQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier mineur·e / jeune majeur·e")
        verbose_name_plural = _("dossiers mineur·es / jeunes majeur·es")
        ordering = ["-opened_on"]

    def __str__(self) -> str:
        return f"{self.person.code} ({date_format(self.opened_on, 'SHORT_DATE_FORMAT')})"

    def clean(self):
        errors = {}
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = _("Le dossier ne peut pas être fermé avant d'avoir été ouvert.")
        if self.closed_on and not self.close_reason:
            errors["close_reason"] = _("Indiquez le motif de fermeture.")
        if self.opened_on and self.opened_on > timezone.localdate():
            errors["opened_on"] = _("Un dossier ne peut pas être ouvert dans le futur.")
        if errors:
            raise ValidationError(errors)


class Period(models.Model):
    """A dated episode of a file: start, end (empty while it goes on)."""

    file = models.ForeignKey(MinorFile, on_delete=models.CASCADE, related_name="%(class)ss")
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-start"]

    def clean(self):
        if self.end and self.start and self.end < self.start:
            raise ValidationError({"end": _("La fin ne peut pas précéder le début.")})


class OverlapQuerySet(models.QuerySet):
    def overlapping(self, period: DateSpan | int):
        """Periods meeting the period (a year's number: that year) on at least one day."""
        return self.filter(DateSpan.of(period).overlapped("start", "end"))


class EducationalMeasure(Period):
    class Kind(models.TextChoices):
        ASE = "ase", _("Placement ASE")
        PJJ = "pjj", _("Protection judiciaire (PJJ)")
        AEMO = "aemo", _("AEMO")
        OTHER = "other", _("Autre")

    kind = models.CharField(_("mesure"), max_length=20, choices=Kind.choices)

    objects = OverlapQuerySet.as_manager()

    class Meta(Period.Meta):
        verbose_name = _("mesure éducative")
        verbose_name_plural = _("mesures éducatives")

    def __str__(self) -> str:
        return self.get_kind_display()


class Runaway(Period):
    class HousedBy(models.TextChoices):
        CLIENTS = "clients", _("Clients")
        FRIENDS = "friends", _("« Ami·es »")
        PEERS = "peers", _("Pairs")
        FAMILY = "family", _("Famille")
        ALONE = "alone", _("Seul·e")
        UNKNOWN = "unknown", _("Inconnu")

    class HousedWhere(models.TextChoices):
        FLAT = "flat", _("Appartement, location de courte durée")
        SQUAT = "squat", _("Squat")
        HOTEL = "hotel", _("Hôtel")
        STREET = "street", _("Rue")
        UNKNOWN = "unknown", _("Inconnu")

    housed_by = models.CharField(
        _("hébergé·e par"), max_length=20, choices=HousedBy.choices, default=HousedBy.UNKNOWN
    )
    housed_where = models.CharField(
        _("hébergé·e où"), max_length=20, choices=HousedWhere.choices, default=HousedWhere.UNKNOWN
    )

    objects = OverlapQuerySet.as_manager()

    class Meta(Period.Meta):
        verbose_name = _("fugue")
        verbose_name_plural = _("fugues")

    def __str__(self) -> str:
        return f"{_('Fugue')} {date_format(self.start, 'SHORT_DATE_FORMAT')}"


class ProductUse(Period):
    """A product used (tobacco included), dated."""

    product = models.ForeignKey(
        Product, verbose_name=_("produit"), on_delete=models.PROTECT, related_name="+"
    )

    objects = OverlapQuerySet.as_manager()

    class Meta(Period.Meta):
        verbose_name = _("consommation")
        verbose_name_plural = _("consommations")

    def __str__(self) -> str:
        return str(self.product)


class FilePartner(models.Model):
    """A partner involved in the follow-up, with the referent's contact."""

    file = models.ForeignKey(MinorFile, on_delete=models.CASCADE, related_name="partners")
    partner = models.ForeignKey(
        Partner, verbose_name=_("partenaire"), on_delete=models.PROTECT, related_name="+"
    )
    referent = models.CharField(_("référent·e"), max_length=150, blank=True)
    referent_contact = models.CharField(_("coordonnées du référent"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("partenaire du suivi")
        verbose_name_plural = _("partenaires du suivi")

    def __str__(self) -> str:
        return str(self.partner)


class PartnerExchange(models.Model):
    file = models.ForeignKey(MinorFile, on_delete=models.CASCADE, related_name="exchanges")
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    note = models.CharField(_("échange"), max_length=500)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("échange avec un partenaire")
        verbose_name_plural = _("échanges avec les partenaires")
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.note


class SafeguardingReport(models.Model):
    """A report made to the authorities about a followed young person."""

    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information préoccupante (CRIP)")
        SIGNALEMENT = "signalement", _("Signalement au procureur")

    file = models.ForeignKey(
        MinorFile, on_delete=models.CASCADE, related_name="safeguarding_reports"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"), default=timezone.localdate)
    to_whom = models.CharField(_("adressé à"), max_length=150)
    grounds = models.TextField(_("motifs"))
    answer = models.TextField(_("réponse reçue"), blank=True)
    answer_on = models.DateField(_("réponse le"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {date_format(self.date, 'SHORT_DATE_FORMAT')}"


class ReceivedReport(models.Model):
    """A partner's report about a minor the team has not met yet ("reported, not met")."""

    received_on = models.DateField(_("reçu le"), default=timezone.localdate)
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    from_whom = models.CharField(_("de la part de"), max_length=150, blank=True)
    description = models.TextField(
        _("situation"), help_text=_("Surnom, âge, lieux fréquentés : pas d'identité civile.")
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("personne rencontrée"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received_reports",
    )
    linked_on = models.DateField(_("rencontré·e le"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("signalement reçu")
        verbose_name_plural = _("signalements reçus")
        ordering = ["-received_on"]

    def __str__(self) -> str:
        return (
            f"{date_format(self.received_on, 'SHORT_DATE_FORMAT')} {self.from_whom or self.partner}"
        )

    def clean(self):
        if self.linked_on and self.received_on and self.linked_on < self.received_on:
            raise ValidationError(
                {"linked_on": _("La rencontre ne peut pas précéder le signalement.")}
            )
        if bool(self.person_id) != bool(self.linked_on):
            raise ValidationError(
                {"linked_on": _("Indiquez la personne et la date de la rencontre.")}
            )


class TrainingCycle(models.Model):
    """A training cycle for professionals."""

    title = models.CharField(_("intitulé"), max_length=200)
    institute = models.CharField(_("organisme partenaire"), max_length=150, blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"))
    days = models.DecimalField(_("jours de formation"), max_digits=5, decimal_places=1)
    trainees = models.PositiveSmallIntegerField(_("stagiaires"))
    trainees_departement = models.PositiveSmallIntegerField(_("dont du Département"), default=0)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (%)"), validators=[MaxValueValidator(100)], null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("cycle de formation")
        verbose_name_plural = _("cycles de formation")
        ordering = ["-start_date"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("La fin ne peut pas précéder le début.")
        if self.trainees is not None and self.trainees_departement > self.trainees:
            errors["trainees_departement"] = _(
                "Plus de stagiaires du Département que de stagiaires."
            )
        if errors:
            raise ValidationError(errors)


class AwarenessSession(models.Model):
    host = models.CharField(_("structure d'accueil"), max_length=200)
    date = models.DateField(_("date"))
    audience = models.CharField(_("public"), max_length=200, blank=True)
    people = models.PositiveSmallIntegerField(_("personnes"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("sensibilisation")
        verbose_name_plural = _("sensibilisations")
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.host


class SchoolSession(models.Model):
    school = models.CharField(_("établissement"), max_length=200)
    date = models.DateField(_("date"))
    levels = models.CharField(
        _("niveaux"), max_length=60, blank=True, help_text=_("Par exemple : 4e, 3e.")
    )
    pupils = models.PositiveSmallIntegerField(_("élèves"))
    boys = models.PositiveSmallIntegerField(_("garçons"), default=0)
    girls = models.PositiveSmallIntegerField(_("filles"), default=0)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (%)"), validators=[MaxValueValidator(100)], null=True, blank=True
    )
    interest = models.PositiveSmallIntegerField(
        _("intérêt (%)"), validators=[MaxValueValidator(100)], null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("animation scolaire")
        verbose_name_plural = _("animations scolaires")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.school} {date_format(self.date, 'SHORT_DATE_FORMAT')}"

    def clean(self):
        if self.pupils is not None and (self.boys or 0) + (self.girls or 0) > self.pupils:
            raise ValidationError(
                {
                    "girls": _("Garçons et filles (%(n)s) dépassent le nombre d'élèves.")
                    % {"n": self.boys + self.girls}
                }
            )

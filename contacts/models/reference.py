"""Reference lists of the field work: extendable by administrators, keyed by slug."""

from __future__ import annotations

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from entractes.models import ReferenceItem


class Language(ReferenceItem):
    class Meta(ReferenceItem.Meta):
        verbose_name = _("langue")
        verbose_name_plural = _("langues")


class Product(ReferenceItem):
    """Psychoactive products (report keys ``caarud.products.<slug>``)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("produit")
        verbose_name_plural = _("produits")


class ProstitutionMode(ReferenceItem):
    """Ways of sex work (street, internet, social networks, bars abroad)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("mode de prostitution")
        verbose_name_plural = _("modes de prostitution")


class Zone(ReferenceItem):
    """A zone of the territory covered by rounds."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("zone")
        verbose_name_plural = _("zones")


class Channel(ReferenceItem):
    """How a contact happened. Social networks are channels of kind ``social_network``."""

    class Kind(models.TextChoices):
        OUTREACH = "outreach", _("Aller-vers (rue, antenne mobile)")
        DROP_IN = "drop_in", _("Local")
        PHONE = "phone", _("Téléphone")
        HOME = "home", _("Domicile")
        PARTNER = "partner", _("Chez un partenaire")
        POST = "post", _("Envoi postal")
        AD_SITE = "ad_site", _("Site d'annonces")
        SOCIAL_NETWORK = "social_network", _("Réseau social")

    ONLINE = (Kind.AD_SITE, Kind.SOCIAL_NETWORK)

    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)

    class Meta(ReferenceItem.Meta):
        verbose_name = _("canal")
        verbose_name_plural = _("canaux")


class Material(ReferenceItem):
    """Harm-reduction material (report keys ``rdr.material.<slug>``)."""

    class Category(models.TextChoices):
        DRUG_USE = "drug_use", _("Usage de drogues")
        SEX_WORK = "sex_work", _("Travail du sexe")
        OTHER = "other", _("Autre")

    category = models.CharField(_("catégorie"), max_length=20, choices=Category.choices)
    sheet_kinds = models.JSONField(
        _("sur chaque ligne de la feuille des sessions"),
        default=list,
        blank=True,
        help_text=_(
            "Types de session (tournée de nuit, maraude, accueil...) dont la feuille propose "
            "ce matériel sur chaque contact ; les autres matériels restent à un geste."
        ),
    )

    class Meta(ReferenceItem.Meta):
        verbose_name = _("matériel")
        verbose_name_plural = _("matériels")

    def usual_on(self, kind: str) -> bool:
        """Whether the sheet of a session of that kind offers it on every contact."""
        return kind in (self.sheet_kinds or [])


class Theme(ReferenceItem):
    """Themes discussed during a contact."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")


class Service(ReferenceItem):
    """Services given at the drop-in (report keys ``services.<slug>``)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("prestation")
        verbose_name_plural = _("prestations")


class AdSite(ReferenceItem):
    """An ad site visited during online rounds."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("site d'annonces")
        verbose_name_plural = _("sites d'annonces")


class MediationTheme(ReferenceItem):
    """Themes of social mediation (report keys ``mediation.themes.<slug>``)."""

    class Meta(ReferenceItem.Meta):
        verbose_name = _("thème de médiation")
        verbose_name_plural = _("thèmes de médiation")


class Partner(models.Model):
    """A partner organisation, for referrals here and in the other apps."""

    class Kind(models.TextChoices):
        CSAPA = "csapa", "CSAPA"
        CAARUD = "caarud", "CAARUD"
        CEGIDD = "cegidd", "CeGIDD"
        HOSPITAL = "hospital", _("Hôpital")
        CMP = "cmp", _("CMP / psychiatrie")
        SHELTER = "shelter", _("Hébergement / CHRS")
        CHILD_WELFARE = "child_welfare", _("Protection de l'enfance")
        POLICE = "police", _("Police / justice")
        TOWN_HALL = "town_hall", _("Mairie")
        SOCIAL_SERVICES = "social_services", _("Services sociaux / CPAM / CAF")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=150, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("adresse"), max_length=250, blank=True)
    contact_person = models.CharField(_("interlocuteur·rice"), max_length=150, blank=True)
    offer = models.TextField(
        _("ce qui est proposé"),
        blank=True,
        help_text=_("Accueil, soins, dépistage, hébergement, conditions d'accès…"),
    )
    hours = models.CharField(_("horaires"), max_length=250, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OpeningSlotQuerySet(models.QuerySet):
    def fitting(self, moment: datetime.datetime) -> tuple[OpeningSlot, datetime.date] | None:
        """The regular slot that fits a moment best, with the day its session belongs to.

        A slot fits from an hour before its start to two hours after its end; a night
        round still running at 00:30 belongs to the day before.
        """
        local = timezone.localtime(moment).replace(tzinfo=None)
        best, best_distance = None, None
        for slot in self.filter(active=True):
            for day in (local.date(), local.date() - datetime.timedelta(days=1)):
                if day.weekday() != slot.weekday or (slot.valid_from and day < slot.valid_from):
                    continue
                start = datetime.datetime.combine(day, slot.start)
                end = datetime.datetime.combine(
                    day + datetime.timedelta(days=slot.crosses_midnight), slot.end
                )
                if (
                    not start - datetime.timedelta(hours=1)
                    <= local
                    <= end + datetime.timedelta(hours=2)
                ):
                    continue
                distance = (
                    0
                    if start <= local <= end
                    else min(abs(local - start), abs(local - end)).seconds
                )
                if best_distance is None or distance < best_distance:
                    best, best_distance = (slot, day), distance
        return best


class OpeningSlot(models.Model):
    """Regular hours of a kind of session (the new-session form proposes the current one)."""

    kind = models.CharField(_("type de session"), max_length=30)
    weekday = models.PositiveSmallIntegerField(
        _("jour"),
        choices=[
            (0, _("lundi")),
            (1, _("mardi")),
            (2, _("mercredi")),
            (3, _("jeudi")),
            (4, _("vendredi")),
            (5, _("samedi")),
            (6, _("dimanche")),
        ],
    )
    start = models.TimeField(_("début"))
    end = models.TimeField(_("fin"), help_text=_("Avant le début : la session finit le lendemain."))
    valid_from = models.DateField(_("à partir du"), null=True, blank=True)
    active = models.BooleanField(_("actif"), default=True)

    objects = OpeningSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("horaire régulier")
        verbose_name_plural = _("horaires réguliers")
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}-{self.end:%H:%M} ({self.kind})"

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.start

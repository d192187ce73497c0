"""Sessions (rounds and openings), contacts, material and online work."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from contacts.models.persons import AgeCategory, Gender, Person
from contacts.models.reference import (
    AdSite,
    Channel,
    Material,
    Partner,
    Service,
    Theme,
    Zone,
)
from entractes.models import Archivable, LiveManager

# How far ahead of the server's clock a moment typed on a phone may be: a few minutes of
# clock drift, never a contact still to come.
CLOCK_TOLERANCE = datetime.timedelta(minutes=5)


class SessionKind(models.TextChoices):
    NIGHT_ROUND = "night_round", _("Tournée de nuit (antenne mobile)")
    STREET_ROUND = "street_round", _("Maraude à pied")
    DROP_IN = "drop_in", _("Accueil au local")
    BREAKFAST_DROP_IN = "breakfast_drop_in", _("Accueil petit-déjeuner")
    ONLINE_ROUND = "online_round", _("Maraude numérique")
    HOME_VISIT = "home_visit", _("Visite à domicile")
    PARTNER_VISIT = "partner_visit", _("Visite chez un partenaire")
    POSTAL_DISPATCH = "postal_dispatch", _("Envoi de colis")


# The channel a contact logged on a session's sheet takes by default.
DEFAULT_CHANNEL = {
    SessionKind.NIGHT_ROUND: "mobile_unit",
    SessionKind.STREET_ROUND: "street",
    SessionKind.DROP_IN: "drop_in",
    SessionKind.BREAKFAST_DROP_IN: "drop_in",
    SessionKind.ONLINE_ROUND: "ad_site",
    SessionKind.HOME_VISIT: "home_visit",
    SessionKind.PARTNER_VISIT: "partner_premises",
    SessionKind.POSTAL_DISPATCH: "post",
}


class SessionQuerySet(models.QuerySet):
    def in_year(self, year: int):
        return self.filter(date__year=year)


class Session(models.Model):
    """One outing or opening of the service. A night round belongs to the day it started."""

    kind = models.CharField(_("type"), max_length=30, choices=SessionKind.choices)
    date = models.DateField(_("date"), default=timezone.localdate)
    start_time = models.TimeField(_("début"), null=True, blank=True)
    end_time = models.TimeField(
        _("fin"),
        null=True,
        blank=True,
        help_text=_("Avant le début : la session a fini le lendemain."),
    )
    zones = models.ManyToManyField(Zone, verbose_name=_("zones"), blank=True, related_name="+")
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("équipe présente"),
        blank=True,
        related_name="sessions",
    )
    report = models.TextField(_("compte rendu"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = SessionQuerySet.as_manager()

    # Its material and site lines are edited on its own pages, guarded like the session.
    fingerprint_children: ClassVar[dict[str, tuple[str, ...]]] = {
        "material_lines": ("material_id", "quantity", "mode", "partner_id"),
        "site_lines": ("site_id", "messages_sent", "replies"),
        "service_lines": ("service_id", "count"),
    }

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-date", "-start_time"]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {formats.date_format(self.date, 'SHORT_DATE_FORMAT')}"

    def clean(self) -> None:
        if self.date is not None and self.date > timezone.localdate():
            raise ValidationError(
                {"date": _("Une session ne peut pas être datée dans le futur.")}, code="future"
            )

    def moment(self, time: datetime.time | None) -> datetime.datetime:
        """A contact's moment on this session: its day at ``time`` (the next day past
        midnight on a night round). With no time typed: the start of the session or
        noon, but never later than now."""
        if time is None:
            start = self.start_time or datetime.time(12)
            at = timezone.make_aware(datetime.datetime.combine(self.date, start))
            return min(at, timezone.now().replace(microsecond=0))
        day = self.date
        if self.start_time and time < self.start_time and self.kind == SessionKind.NIGHT_ROUND:
            day += datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, time))

    @property
    def default_channel_slug(self) -> str:
        return DEFAULT_CHANNEL.get(self.kind, "drop_in")

    @property
    def is_online_round(self) -> bool:
        return self.kind == SessionKind.ONLINE_ROUND


class ContactQuerySet(models.QuerySet):
    def in_year(self, year: int):
        """Contacts of a calendar year, by the session's day when there is a session."""
        return self.filter(day__year=year)

    def caarud(self):
        return self.filter(caarud=True)


class Contact(Archivable):
    """One exchange with one person, or with an anonymous person."""

    occurred_at = models.DateTimeField(_("date et heure"), default=timezone.now)
    day = models.DateField(
        _("jour compté"),
        editable=False,
        db_index=True,
        help_text=_("Le jour de la session, ou celui du contact hors session."),
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("canal"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
    )
    anonymous_gender = models.CharField(
        _("genre estimé"), max_length=20, choices=Gender.choices, blank=True
    )
    anonymous_age_category = models.CharField(
        _("âge estimé"), max_length=20, choices=AgeCategory.choices, blank=True
    )
    caarud = models.BooleanField(_("usage de drogues (CAARUD)"), default=False)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("thèmes abordés"), blank=True, related_name="+"
    )
    referrals = models.ManyToManyField(
        Partner, verbose_name=_("orientations"), blank=True, related_name="referred_contacts"
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("prestations"), blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("saisi par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Drawn by the phone that entered the contact (the round sheet offline): a resend of
    # the same contact finds it and writes nothing. Empty for a contact entered otherwise.
    device_id = models.UUIDField(
        _("identifiant de saisie sur l'appareil"),
        null=True,
        blank=True,
        unique=True,
        editable=False,
    )

    objects = LiveManager.from_queryset(ContactQuerySet)()
    all_objects = ContactQuerySet.as_manager()

    # Edited with the contact, so part of what a concurrent edit compares.
    fingerprint_children: ClassVar[dict[str, tuple[str, ...]]] = {
        "material_lines": ("material_id", "quantity")
    }

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["person", "day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=True)
                | Q(anonymous_gender="", anonymous_age_category=""),
                name="contact_anonymous_fields_only_when_anonymous",
            ),
        ]

    def __str__(self) -> str:
        who = self.person.code if self.person_id else _("anonyme")
        return f"{self.occurred_at:%Y-%m-%d} {who}"

    def save(self, *args, **kwargs):
        self.fill_derived()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = {}
        if self.person_id is None and not self.anonymous_gender:
            errors["anonymous_gender"] = _(
                "Contact anonyme : indiquez le genre estimé (« Inconnu » s'il n'a pas pu "
                "être estimé)."
            )
        if self.occurred_at is not None and self.occurred_at > timezone.now() + CLOCK_TOLERANCE:
            errors["occurred_at"] = _("Un contact ne peut pas être daté dans le futur.")
        if errors:
            raise ValidationError(errors)

    def fill_derived(self) -> Contact:
        """The counted day: the session's, or the contact's own (also before a ``bulk_create``)."""
        self.day = self.session.date if self.session_id else timezone.localdate(self.occurred_at)
        return self

    @property
    def is_anonymous(self) -> bool:
        return self.person_id is None


class ContactMaterial(models.Model):
    """A line of material handed out during a contact (parcels included)."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="material_lines")
    material = models.ForeignKey(
        Material, verbose_name=_("matériel"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantité"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("matériel remis")
        verbose_name_plural = _("matériel remis")
        constraints = [
            models.UniqueConstraint(fields=["contact", "material"], name="contact_material_once"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="contact_material_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.material}"


class SessionMaterial(models.Model):
    """Material handed out with no individual contact: self-service, stock left with a partner."""

    class Mode(models.TextChoices):
        SELF_SERVICE = "self_service", _("Libre-service au local")
        PARTNER_STOCK = "partner_stock", _("Stock déposé chez un partenaire")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="material_lines")
    material = models.ForeignKey(
        Material, verbose_name=_("matériel"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantité"), validators=[MinValueValidator(1)])
    mode = models.CharField(
        _("mode"), max_length=20, choices=Mode.choices, default=Mode.SELF_SERVICE
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("partenaire"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("matériel hors contact")
        verbose_name_plural = _("matériel hors contact")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="session_material_positive")
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.material}"


class SessionService(models.Model):
    """A service given during a session to no one in particular (coffees, meals,
    showers, parcels handed out), counted for the session as a whole."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="service_lines")
    service = models.ForeignKey(
        Service, verbose_name=_("prestation"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField(_("nombre"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("prestation sans personne")
        verbose_name_plural = _("prestations sans personne")
        constraints = [
            models.UniqueConstraint(fields=["session", "service"], name="session_service_once"),
            models.CheckConstraint(condition=Q(count__gte=1), name="session_service_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.count} × {self.service}"


class OnlineRoundSite(models.Model):
    """Messages sent and replies received on one ad site during an online round."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="site_lines")
    site = models.ForeignKey(
        AdSite, verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    messages_sent = models.PositiveIntegerField(_("messages envoyés"), default=0)
    replies = models.PositiveIntegerField(_("réponses reçues"), default=0)

    class Meta:
        verbose_name = _("site visité")
        verbose_name_plural = _("sites visités")
        constraints = [
            models.UniqueConstraint(fields=["session", "site"], name="online_round_site_once")
        ]

    def __str__(self) -> str:
        return f"{self.site}: {self.messages_sent}/{self.replies}"


class FollowerSnapshot(models.Model):
    """The follower count of a social network on a date."""

    channel = models.ForeignKey(
        Channel,
        verbose_name=_("réseau social"),
        on_delete=models.PROTECT,
        related_name="follower_snapshots",
        limit_choices_to={"kind": Channel.Kind.SOCIAL_NETWORK},
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    followers = models.PositiveIntegerField(_("abonné·es"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("relevé d'abonné·es")
        verbose_name_plural = _("relevés d'abonné·es")
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "date"], name="follower_snapshot_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.date}: {self.followers}"

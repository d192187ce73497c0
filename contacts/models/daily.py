"""The team's daily work between rounds: actions to do, and the handover between shifts."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from entractes.models import Archivable, LiveManager


class Team(models.TextChoices):
    """Who an action is for when no one in particular holds it."""

    ALL = "all", _("Toute l'équipe")
    OUTREACH = "outreach", _("Équipe éducative")
    HEALTH = "health", _("Pôle santé")
    MINORS = "minors", _("Équipe mineurs")


# The roles whose holders an unassigned action of a team is for.
TEAM_ROLES: dict[str, frozenset[str]] = {
    Team.OUTREACH: frozenset({"educator", "online_worker"}),
    Team.HEALTH: frozenset({"nurse", "doctor", "midwife"}),
    Team.MINORS: frozenset({"minors_team"}),
}


def teams_of(role_slugs) -> set[str]:
    """The teams a holder of these roles belongs to (everyone belongs to "all")."""
    slugs = set(role_slugs)
    return {Team.ALL} | {team for team, roles in TEAM_ROLES.items() if roles & slugs}


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Action.Status.TODO)

    def due_by(self, day: datetime.date):
        return self.open().filter(due_on__lte=day)

    def for_holder(self, user, role_slugs):
        """Held by the user, or by no one in a team of theirs."""
        return self.filter(
            Q(assignee=user) | Q(assignee__isnull=True, team__in=teams_of(role_slugs))
        )


class Action(Archivable):
    """Something to do by a date, about a person or about the service."""

    class Category(models.TextChoices):
        APPOINTMENT = "appointment", _("Accompagnement, rendez-vous")
        CALL = "call", _("Appel, message à passer")
        PROCEDURE = "procedure", _("Démarche, dossier")
        HEALTH = "health", _("Santé, soin")
        MATERIAL = "material", _("Matériel à apporter")
        REFERRAL = "referral", _("Orientation vers un partenaire")
        VISIT = "visit", _("Passage, visite à faire")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        TODO = "todo", _("À faire")
        DONE = "done", _("Faite")
        CANCELLED = "cancelled", _("Annulée")

    class Domain(models.TextChoices):
        """Whose rules govern the action: read and written only with that capability."""

        GENERAL = "general", _("Suivi général")
        HEALTH = "health", _("Santé (pôle santé seulement)")
        RIGHTS = "rights", _("Accès aux droits, PSP")
        MINORS = "minors", _("Suivi des mineurs (équipe mineurs et direction)")

    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("personne"),
        on_delete=models.PROTECT,
        related_name="actions",
        null=True,
        blank=True,
        help_text=_("Vide : une action pour le service."),
    )
    title = models.CharField(_("action"), max_length=200)
    category = models.CharField(
        _("catégorie"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    domain = models.CharField(
        _("domaine"), max_length=10, choices=Domain.choices, default=Domain.GENERAL
    )
    due_on = models.DateField(_("pour le"), default=timezone.localdate)
    due_time = models.TimeField(_("à"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confiée à"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    team = models.CharField(_("équipe"), max_length=10, choices=Team.choices, default=Team.ALL)
    urgent = models.BooleanField(_("urgent"), default=False)
    note = models.TextField(_("précisions"), max_length=2000, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=Status.choices, default=Status.TODO)
    done_on = models.DateField(_("faite le"), null=True, blank=True, editable=False)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LiveManager.from_queryset(ActionQuerySet)()
    all_objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "due_time", "-urgent", "id"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{date_format(self.due_on, 'SHORT_DATE_FORMAT')} · {self.title}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.status == self.Status.TODO and self.due_on < (today or timezone.localdate())


class Shift(models.TextChoices):
    DAY = "day", _("Journée")
    EVENING = "evening", _("Soirée")
    NIGHT = "night", _("Nuit")


# Where each shift starts, in local time; the night runs past midnight and belongs to
# the day it started.
SHIFT_STARTS = {
    Shift.DAY: datetime.time(8),
    Shift.EVENING: datetime.time(17),
    Shift.NIGHT: datetime.time(21),
}
SHIFT_ORDER = [Shift.DAY, Shift.EVENING, Shift.NIGHT]


def shift_at(moment: datetime.datetime) -> tuple[datetime.date, str]:
    """The (day, shift) a local moment falls in: before the day shift starts, it is
    still the previous day's night."""
    clock = moment.time()
    if clock < SHIFT_STARTS[Shift.DAY]:
        return moment.date() - datetime.timedelta(days=1), Shift.NIGHT
    for shift in reversed(SHIFT_ORDER):
        if clock >= SHIFT_STARTS[shift]:
            return moment.date(), shift
    raise AssertionError(clock)  # pragma: no cover


def shift_of_time(clock: datetime.time | None) -> str | None:
    if clock is None:
        return None
    return shift_at(datetime.datetime.combine(datetime.date(2000, 1, 2), clock))[1]


def shift_before(day: datetime.date, shift: str) -> tuple[datetime.date, str]:
    index = SHIFT_ORDER.index(shift)
    if index == 0:
        return day - datetime.timedelta(days=1), SHIFT_ORDER[-1]
    return day, SHIFT_ORDER[index - 1]


def shift_after(day: datetime.date, shift: str) -> tuple[datetime.date, str]:
    index = SHIFT_ORDER.index(shift)
    if index == len(SHIFT_ORDER) - 1:
        return day + datetime.timedelta(days=1), SHIFT_ORDER[0]
    return day, SHIFT_ORDER[index + 1]


class HandoverNote(Archivable):
    """What a shift hands to the next one: what happened, what to watch."""

    date = models.DateField(_("date"), default=timezone.localdate)
    shift = models.CharField(_("équipe de"), max_length=10, choices=Shift.choices)
    happened = models.TextField(_("ce qui s'est passé"), max_length=4000, blank=True)
    to_watch = models.TextField(_("à surveiller, à faire"), max_length=4000, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        ordering = ["-date", "-created_at", "-id"]
        indexes = [models.Index(fields=["date", "shift"])]

    def __str__(self) -> str:
        return f"{date_format(self.date, 'SHORT_DATE_FORMAT')} · {self.get_shift_display()}"

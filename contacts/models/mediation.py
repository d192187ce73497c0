"""Social mediation between sex workers, residents, shopkeepers and the neighbourhood."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from contacts.models.reference import MediationTheme, Zone
from entractes.models import Archivable, LiveManager

# Parties met during mediation (report keys mediation.contacts.<party>).
PARTIES = [
    ("sex_workers", _("Travailleur·ses du sexe")),
    ("residents", _("Riverain·es, habitant·es, passant·es")),
    ("shopkeepers", _("Commerçant·es")),
    ("local_youth", _("Jeunes du quartier")),
    ("team", _("Équipe Entr'Actes")),
    ("clients", _("Clients")),
    ("other", _("Autres (police, mairie, bailleur…)")),
]


class MediationEvent(Archivable):
    """One mediation: who was met (counts per party), themes, what happened, what next."""

    date = models.DateField(_("date"), default=timezone.localdate)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    zone = models.ForeignKey(
        Zone, verbose_name=_("zone"), on_delete=models.PROTECT, null=True, blank=True
    )
    sex_workers = models.PositiveSmallIntegerField(PARTIES[0][1], default=0)
    residents = models.PositiveSmallIntegerField(PARTIES[1][1], default=0)
    shopkeepers = models.PositiveSmallIntegerField(PARTIES[2][1], default=0)
    local_youth = models.PositiveSmallIntegerField(PARTIES[3][1], default=0)
    team = models.PositiveSmallIntegerField(PARTIES[4][1], default=0)
    clients = models.PositiveSmallIntegerField(PARTIES[5][1], default=0)
    other = models.PositiveSmallIntegerField(PARTIES[6][1], default=0)
    themes = models.ManyToManyField(
        MediationTheme, verbose_name=_("thèmes"), blank=True, related_name="+"
    )
    what_happened = models.TextField(_("déroulement"), blank=True)
    follow_up = models.TextField(_("suite à donner"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("médiation")
        verbose_name_plural = _("médiations")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{_('Médiation')} {date_format(self.date, 'SHORT_DATE_FORMAT')} {self.place}"

    @property
    def people_met(self) -> int:
        return sum(getattr(self, slug) for slug, _label in PARTIES)

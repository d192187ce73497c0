"""Observations of a place during the rounds, with no person in them: a tension, used
material found, a new squat, a police operation."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from contacts.models.reference import Zone
from entractes.models import Archivable, LiveManager


class PlaceObservation(Archivable):
    """What the team saw of a zone or a place, on a day: never a person."""

    class Kind(models.TextChoices):
        TENSION = "tension", _("Tension, conflit")
        MATERIAL_FOUND = "material_found", _("Matériel usagé trouvé")
        NEW_SQUAT = "new_squat", _("Nouveau squat, nouveau lieu de vie")
        POLICE = "police", _("Opération de police")
        OTHER = "other", _("Autre")

    date = models.DateField(_("date"), default=timezone.localdate)
    zone = models.ForeignKey(Zone, verbose_name=_("zone"), on_delete=models.PROTECT)
    place = models.CharField(_("lieu précis"), max_length=200, blank=True)
    kind = models.CharField(_("ce qui a été observé"), max_length=20, choices=Kind.choices)
    note = models.TextField(_("observation"), max_length=4000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = LiveManager()
    all_objects = models.Manager()

    class Meta:
        verbose_name = _("observation de lieu")
        verbose_name_plural = _("observations de lieux")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{date_format(self.date, 'SHORT_DATE_FORMAT')} · {self.zone} · {self.get_kind_display()}"

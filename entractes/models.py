"""Staff accounts, roles and the access log."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from entractes.permissions import ROLES, capabilities_of


class Role(models.Model):
    """One row per role of ``permissions.ROLES``; what a role may do lives in code."""

    slug = models.SlugField(_("identifiant"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> Any:
        return ROLES.get(self.slug, self.slug)


class StaffUserManager(UserManager):
    def with_roles(self):
        return self.get_queryset().prefetch_related("roles")


class User(AbstractUser):
    """A staff member. Never deleted: deactivated, so records keep their author."""

    roles = models.ManyToManyField(Role, verbose_name=_("rôles"), blank=True, related_name="users")
    password_change_required = models.BooleanField(
        _("doit changer son mot de passe"),
        default=False,
        help_text=_("Demandé à la prochaine connexion."),
    )

    objects = StaffUserManager()

    class Meta:
        verbose_name = _("membre du personnel")
        verbose_name_plural = _("membres du personnel")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def role_slugs(self) -> frozenset[str]:
        if self.pk is None:
            return frozenset()
        return frozenset(role.slug for role in self.roles.all())

    @cached_property
    def capabilities(self) -> frozenset[str]:
        if not self.is_active:
            return frozenset()
        return capabilities_of(self.role_slugs)

    def has_capability(self, capability: str) -> bool:
        return capability in self.capabilities

    def role_labels(self) -> list[str]:
        return [str(ROLES[slug]) for slug in ROLES if slug in self.role_slugs]


# Refusals raised inside a request's transaction are rolled back with it; they are
# held here and written by AccessLogMiddleware once the view has finished.
_pending_refusals: ContextVar[list[dict] | None] = ContextVar("pending_refusals", default=None)


class AccessLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The access log is append-only.")

    def delete(self):
        raise PermissionError("The access log is append-only.")


class AccessLogManager(models.Manager.from_queryset(AccessLogQuerySet)):
    def record(
        self,
        *,
        user,
        action: str,
        target: models.Model | str,
        detail: str = "",
    ) -> AccessLogEntry:
        """Append one entry: who read (or was refused) what. Never the content itself."""
        return self.create(**self._fields(user, action, target, detail))

    def record_each(self, *, user, action: str, targets, detail: str = "") -> None:
        """Append one entry per record read, in one insert whatever their number."""
        entries = [self.model(**self._fields(user, action, target, detail)) for target in targets]
        if entries:
            self.bulk_create(entries)

    def record_refusal(self, *, user, target: models.Model | str, detail: str = "") -> None:
        """Log a refused attempt; kept even when the request's transaction rolls back."""
        fields = self._fields(user, AccessLogEntry.Action.REFUSED, target, detail)
        pending = _pending_refusals.get()
        if pending is None:
            self.create(**fields)
        else:
            pending.append(fields)

    def record_hidden(self, *, user, model, pk) -> None:
        """Log a refusal when a record exists that the user may not reach (a 404 to them)."""
        if model._base_manager.filter(pk=pk).exists():
            self.record_refusal(user=user, target=f"{model._meta.label_lower}:{pk}")

    def purge(self, *, before) -> int:
        """Delete the entries older than ``before`` (the database refuses younger ones)."""
        deleted, _detail = models.QuerySet.delete(self.filter(at__lt=before))
        return deleted

    def flush_refusals(self, pending: list[dict]) -> None:
        for fields in pending:
            self.create(**fields)

    @staticmethod
    def _fields(user, action: str, target, detail: str) -> dict[str, Any]:
        if isinstance(target, models.Model):
            target_type, target_id = target._meta.label_lower, str(target.pk)
        else:
            target_type, target_id = "url", str(target)[:255]
        return {
            "user": user if user is not None and user.is_authenticated else None,
            "action": action,
            "target_type": target_type,
            "target_id": target_id,
            "detail": detail[:255],
        }


class AccessLogEntry(models.Model):
    """A read of restricted data, or a refused attempt. Append-only.

    Updates and deletes are refused here and, in the database, by triggers.
    """

    class Action(models.TextChoices):
        READ = "read", _("lecture")
        EXPORT = "export", _("export")
        PRINT = "print", _("impression")
        DRILLDOWN = "drilldown", _("détail d'un chiffre")
        REFUSED = "refused", _("accès refusé")
        ERASE = "erase", _("effacement")

    at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        User,
        verbose_name=_("utilisateur·rice"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    target_type = models.CharField(_("type d'objet"), max_length=100)
    target_id = models.CharField(_("objet"), max_length=255, blank=True)
    detail = models.CharField(_("détail"), max_length=255, blank=True)

    objects = AccessLogManager()

    class Meta:
        verbose_name = _("entrée du journal des accès")
        verbose_name_plural = _("journal des accès")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.target_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The access log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The access log is append-only.")


class ReferenceItem(models.Model):
    """Base of the reference lists (products, languages...): a stable slug and a label.

    Administrators may add items; a new slug simply adds keys to the report.
    """

    slug = models.SlugField(_("identifiant"), max_length=40, unique=True)
    label = models.CharField(_("libellé"), max_length=100)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.label


class ArchivableQuerySet(models.QuerySet):
    def live(self):
        return self.filter(archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)


class LiveManager(models.Manager):
    """Default manager of archivable records: archived ones are left out of every page,
    list, count and figure. ``all_objects`` reaches them (the archive page)."""

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)


class Archivable(models.Model):
    """Staff never delete a record: they archive it (hidden everywhere, with who, when
    and why), and an administrator can restore it."""

    archived_at = models.DateTimeField(_("archivé le"), null=True, blank=True, editable=False)
    archived_by = models.ForeignKey(
        "entractes.User",
        verbose_name=_("archivé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    archive_reason = models.CharField(
        _("motif de l'archivage"), max_length=200, blank=True, editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class RecordsState(models.Model):
    """A token per year, drawn again after every write to the records dated from that
    year (0: all years); see entractes.freshness."""

    year = models.PositiveSmallIntegerField(_("année"), unique=True)
    token = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("état des enregistrements")

    def __str__(self) -> str:
        return f"{self.year}: {self.token} ({self.changed_at:%Y-%m-%d %H:%M:%S})"

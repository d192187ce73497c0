"""Staff accounts, roles and the access log."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp import models as totp_models

from entractes.fields import EncryptedCharField
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


class AccountChangeRequest(models.Model):
    """A sensitive change to an account, waiting for a second person's confirmation.

    Grants of a guarded capability (``permissions.GUARDED``: roles, health lines) and
    resets of the credentials of an account holding one are written here by the
    administrator who asks, and take effect only when somebody else confirms them
    (``entractes.services.account_change_confirm``). The owner is told at next login.
    """

    class Kind(models.TextChoices):
        CREATE = "create", _("nouveau compte")
        GRANT = "grant", _("attribution de droits")
        PASSWORD_RESET = "password_reset", _("réinitialisation du mot de passe")
        SECOND_FACTOR_RESET = (
            "second_factor_reset",
            _("réinitialisation de la double authentification"),
        )

    class State(models.TextChoices):
        PENDING = "pending", _("en attente")
        CONFIRMED = "confirmed", _("confirmée")
        REFUSED = "refused", _("refusée")

    kind = models.CharField(_("nature"), max_length=30, choices=Kind.choices)
    target = models.ForeignKey(
        "entractes.User",
        verbose_name=_("compte"),
        on_delete=models.PROTECT,
        related_name="change_requests",
    )
    # {"roles": [role slugs to add], "lines": [health line ids to add]}
    payload = models.JSONField(_("contenu"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        "entractes.User", verbose_name=_("demandé par"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("demandé le"), default=timezone.now)
    decided_by = models.ForeignKey(
        "entractes.User",
        verbose_name=_("décidé par"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.PENDING, db_index=True
    )
    # The owner's notice: shown once at their next login after the decision.
    seen_by_owner_at = models.DateTimeField(_("vu par le titulaire le"), null=True, blank=True)

    class Meta:
        verbose_name = _("demande de changement d'un compte")
        verbose_name_plural = _("demandes de changement des comptes")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target}"

    def role_labels(self) -> list[str]:
        return [str(ROLES[slug]) for slug in ROLES if slug in self.payload.get("roles", [])]

    def line_labels(self) -> list[str]:
        lines = self.target.health_lines.model.objects.filter(pk__in=self.payload.get("lines", []))
        return [line.name for line in lines]


class EnrolmentCode(models.Model):
    """A short single-use code that only the account's owner receives, in person.

    It sets a new password after a reset (public page) and authorises the first
    pairing of a second factor. Stored hashed, like a password.
    """

    user = models.ForeignKey(
        "entractes.User", on_delete=models.CASCADE, related_name="enrolment_codes"
    )
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("code d'activation")
        verbose_name_plural = _("codes d'activation")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


# Refusals raised inside a request's transaction are rolled back with it; they are
# held here and written by AccessLogMiddleware once the view has finished.
_pending_refusals: ContextVar[list[dict] | None] = ContextVar("pending_refusals", default=None)
# Set by AccessLogMiddleware for a session that began with an enrolment code (after a
# reset or on a new account): its entries say so.
_session_after_reset: ContextVar[bool] = ContextVar("session_after_reset", default=False)
AFTER_RESET = "[session après réinitialisation]"


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
        if _session_after_reset.get():
            detail = f"{AFTER_RESET} {detail}".strip()
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

    @property
    def after_reset(self) -> bool:
        return self.detail.startswith(AFTER_RESET)


class ReferenceItem(models.Model):
    """Base of the reference lists (products, languages...): a stable slug and a label.

    Administrators may add items; a new slug simply adds keys to the report.
    """

    slug = models.SlugField(_("identifiant"), max_length=40, unique=True)
    label = models.CharField(_("libellé"), max_length=100)
    label_en = models.CharField(
        _("libellé en anglais"),
        max_length=100,
        blank=True,
        help_text=_("Montré quand l'anglais est choisi ; vide : le libellé français."),
    )
    plural = models.CharField(
        _("libellé au pluriel"),
        max_length=100,
        blank=True,
        help_text=_("Par exemple « Préservatifs masculins » ; vide : le libellé."),
    )
    plural_en = models.CharField(_("pluriel en anglais"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "label"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The label in the active language (the French one when none is given)."""
        if _in_english() and self.label_en:
            return self.label_en
        return self.label

    @property
    def plural_name(self) -> str:
        """The plural in the active language (the label when none is given)."""
        if _in_english() and self.label_en:
            return self.plural_en or self.label_en
        return self.plural or self.label

    def counted(self, number: int) -> str:
        """``number`` and the label, in the plural where the language wants it:
        « 10 préservatifs masculins », « 1 préservatif masculin », "0 male condoms"."""
        many = number != 1 if _in_english() else abs(number) >= 2
        return f"{number} {self.plural_name if many else self.name}"


def _in_english() -> bool:
    return (get_language() or "fr").split("-")[0] == "en"


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


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A TOTP application (django-otp's TOTP device) whose secret is stored encrypted.

    The fields and the verification are django-otp's own; only ``key`` differs: a Fernet
    token in the database, the hex secret in Python.
    """

    key = EncryptedCharField(max_length=80, validators=[totp_models.key_validator])
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    bin_key = totp_models.TOTPDevice.bin_key
    verify_token = totp_models.TOTPDevice.verify_token
    get_throttle_factor = totp_models.TOTPDevice.get_throttle_factor
    config_url = totp_models.TOTPDevice.config_url
    _read_str_from_settings = totp_models.TOTPDevice._read_str_from_settings

    class Meta(Device.Meta):
        verbose_name = _("application d'authentification")

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = totp_models.default_key()
        super().save(*args, **kwargs)


class RecoveryDevice(TimestampMixin, ThrottlingMixin, Device):
    """The ten single-use recovery codes, kept as keyed hashes (never readable again)."""

    class Meta(Device.Meta):
        verbose_name = _("codes de secours")

    @staticmethod
    def digest(code: str) -> str:
        return salted_hmac("entractes.recovery-code", code.strip().lower()).hexdigest()

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        verify_allowed, _detail = self.verify_is_allowed()
        if not verify_allowed:
            return False
        used = self.codes.filter(code_hash=self.digest(str(token))).delete()[0]
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return bool(used)


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("code de secours")

    def __str__(self) -> str:
        return f"{self.device_id}"

"""Writes on staff accounts.

Separation of powers: a grant of a guarded capability (``permissions.GUARDED``) by any
path, and a reset of the credentials of an account holding one, is written as a
pending ``AccountChangeRequest`` by the administrator who asks and takes effect when a
second person confirms it (``may_decide``). A new credential (an enrolment code) is
shown once to the confirmer, who hands it to the owner in person: the one who asked
never holds it, the one who confirmed never holds the password.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from auditlog.context import set_actor
from django.contrib.auth.hashers import check_password, make_password
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from entractes.lib.writes import save_record
from entractes.models import AccountChangeRequest, EnrolmentCode, Role, User
from entractes.permissions import GUARDED, HEALTH_ROLES, guarded_roles

Kind = AccountChangeRequest.Kind
State = AccountChangeRequest.State

# Enrolment codes: 10 characters from an alphabet without look-alikes, valid 72 hours.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
CODE_VALIDITY = datetime.timedelta(hours=72)


class StaffError(Exception):
    """An account change that is not allowed; the message is for the user."""


def is_guarded(user: User) -> bool:
    """Whether the account holds a capability whose credentials need two people to reset."""
    return bool(user.capabilities & GUARDED)


# --- requests and their confirmation -------------------------------------------------


def _request(*, kind: str, target: User, by: User, payload: dict | None = None):
    return AccountChangeRequest.objects.create(
        kind=kind, target=target, requested_by=by, payload=payload or {}
    )


def may_decide(user: User, change: AccountChangeRequest) -> bool:
    """Whether ``user`` may confirm or refuse ``change``.

    Never the requester, never the target. A confirmer's own account (the director)
    is decided by a confirmer who manages accounts (another administrator); every
    other account by a confirmer who does not (the director).
    """
    if not user.has_capability("staff.confirm") or user.pk in (
        change.requested_by_id,
        change.target_id,
    ):
        return False
    target = change.target
    target_confirms = target.has_capability("staff.confirm") and not target.has_capability(
        "staff.manage"
    )
    return user.has_capability("staff.manage") == target_confirms


def changes_to_decide(user: User) -> list[AccountChangeRequest]:
    """The pending requests that ``user`` may confirm or refuse, oldest first."""
    pending = (
        AccountChangeRequest.objects.filter(state=State.PENDING)
        .select_related("target", "requested_by")
        .prefetch_related("target__roles")
        .order_by("requested_at", "id")
    )
    return [change for change in pending if may_decide(user, change)]


def _decide(change: AccountChangeRequest, by: User) -> AccountChangeRequest:
    change = AccountChangeRequest.objects.select_for_update().get(pk=change.pk)
    if change.state != State.PENDING:
        raise StaffError(_("Cette demande a déjà été traitée."))
    if not may_decide(by, change):
        raise StaffError(
            _("Vous ne pouvez pas décider de cette demande : il faut une autre personne.")
        )
    return change


@transaction.atomic
def account_change_confirm(*, change: AccountChangeRequest, by: User) -> str | None:
    """Apply a pending request in ``by``'s name; returns the new enrolment code, if any.

    The code is shown once to ``by``, who gives it to the account's owner in person.
    """
    change = _decide(change, by)
    target = User.objects.get(pk=change.target_id)
    code = None
    with set_actor(by):
        if change.kind in (Kind.CREATE, Kind.GRANT):
            target.roles.add(*Role.objects.filter(slug__in=change.payload.get("roles", [])))
            target.health_lines.add(*change.payload.get("lines", []))
        if change.kind == Kind.PASSWORD_RESET:
            target.set_unusable_password()
            target.password_change_required = False
            target.save(update_fields=["password", "password_change_required"])
        if change.kind == Kind.SECOND_FACTOR_RESET:
            from entractes.otp import reset_devices

            reset_devices(target)
        if change.kind in (Kind.CREATE, Kind.PASSWORD_RESET, Kind.SECOND_FACTOR_RESET):
            code = enrolment_code_issue(user=target)
        change.state, change.decided_by, change.decided_at = State.CONFIRMED, by, timezone.now()
        change.save(update_fields=["state", "decided_by", "decided_at"])
    _tell_owner_by_mail(change)
    return code


@transaction.atomic
def account_change_refuse(*, change: AccountChangeRequest, by: User) -> AccountChangeRequest:
    """Refuse a pending request: nothing changes on the account."""
    change = _decide(change, by)
    with set_actor(by):
        change.state, change.decided_by, change.decided_at = State.REFUSED, by, timezone.now()
        change.save(update_fields=["state", "decided_by", "decided_at"])
    return change


def _tell_owner_by_mail(change: AccountChangeRequest) -> None:
    """A notice without any secret: the address is typed by administrators, so a code
    sent there could reach the one who asked."""
    if not change.target.email:
        return
    send_mail(
        _("Entr'Actes : votre compte a changé"),
        _(
            "Bonjour,\n\n%(what)s, confirmé par %(by)s. Si un code d'activation est "
            "nécessaire, %(by)s vous le remettra en main propre.\n"
        )
        % {"what": change.get_kind_display().capitalize(), "by": change.decided_by},
        None,
        [change.target.email],
    )


def notices_for_owner(*, user: User) -> list[AccountChangeRequest]:
    """The decided requests on ``user``'s account not yet shown to them; marked seen."""
    notices = list(
        AccountChangeRequest.objects.filter(
            target=user, state=State.CONFIRMED, seen_by_owner_at__isnull=True
        ).select_related("decided_by", "requested_by")
    )
    if notices:
        AccountChangeRequest.objects.filter(pk__in=[n.pk for n in notices]).update(
            seen_by_owner_at=timezone.now()
        )
    return notices


# --- enrolment codes -----------------------------------------------------------------


def enrolment_code_issue(*, user: User) -> str:
    """Draw a new single-use code for ``user`` (earlier unused ones stop working)."""
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True).update(used_at=timezone.now())
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    EnrolmentCode.objects.create(
        user=user, code_hash=make_password(code), expires_at=timezone.now() + CODE_VALIDITY
    )
    return f"{code[:5]}-{code[5:]}"


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def enrolment_code_match(*, user: User, code: str) -> EnrolmentCode | None:
    """The valid (unused, unexpired) code of ``user`` equal to ``code``, or None."""
    for candidate in EnrolmentCode.objects.filter(
        user=user, used_at__isnull=True, expires_at__gt=timezone.now()
    ):
        if check_password(_normalise(code), candidate.code_hash):
            return candidate
    return None


def enrolment_code_use(*, code: EnrolmentCode) -> None:
    """Spend a code (it never works again)."""
    code.used_at = timezone.now()
    code.save(update_fields=["used_at"])


@transaction.atomic
def password_set_with_code(*, user: User, code: EnrolmentCode, password: str) -> User:
    """The owner chooses a new password with the code they were given."""
    with set_actor(user):
        enrolment_code_use(code=code)
        user.set_password(password)
        user.password_change_required = False
        user.save(update_fields=["password", "password_change_required"])
    return user


# --- account writes ------------------------------------------------------------------


def _split_grant(
    *, user: User | None, roles: Iterable[Role], lines: Iterable[Any]
) -> tuple[set[str], set[str], set[int]]:
    """(roles granted at once, roles waiting for confirmation, lines waiting)."""
    held = user.role_slugs if user is not None and user.pk else frozenset()
    held_lines = set(user.health_lines.values_list("pk", flat=True)) if user and user.pk else set()
    new = {role.slug for role in roles} - held
    waiting = guarded_roles(new)
    return new - waiting, waiting, {line.pk for line in lines} - held_lines


@transaction.atomic
def staff_create(
    *, form_data: dict[str, Any], password: str, by: User
) -> tuple[User, AccountChangeRequest]:
    """Create an account; its holder chooses a new password at first login.

    Roles that expose nothing restricted are granted at once; the others, and the
    account's first enrolment code, wait for a second person's confirmation.
    """
    roles = form_data.pop("roles")
    lines = form_data.pop("lines", [])
    user = User(**form_data, password_change_required=True)
    user.set_password(password)
    with set_actor(by):
        user.save()
        now, waiting, waiting_lines = _split_grant(user=None, roles=roles, lines=lines)
        user.roles.set(Role.objects.filter(slug__in=now))
        change = _request(
            kind=Kind.CREATE,
            target=user,
            by=by,
            payload={"roles": sorted(waiting), "lines": sorted(waiting_lines)},
        )
    return user, change


@transaction.atomic
def staff_update(*, user: User, form_data: dict[str, Any], by: User) -> AccountChangeRequest | None:
    """Change an account: names and removals at once, guarded grants as a request."""
    roles = list(form_data.pop("roles"))
    lines = list(form_data.pop("lines", []))
    new_slugs = {r.slug for r in roles}
    if user.pk == by.pk and "administrator" not in new_slugs:
        raise StaffError(_("Vous ne pouvez pas retirer votre propre rôle d'administrateur·rice."))
    if user.pk == by.pk and (new_slugs - user.role_slugs) & HEALTH_ROLES:
        raise StaffError(_("Vous ne pouvez pas vous attribuer un rôle du pôle santé."))
    now, waiting, waiting_lines = _split_grant(user=user, roles=roles, lines=lines)
    with set_actor(by):
        save_record(user, form_data)
        user.roles.set(Role.objects.filter(slug__in=(new_slugs & user.role_slugs) | now))
        user.health_lines.remove(*user.health_lines.exclude(pk__in=[line.pk for line in lines]))
        change = None
        if waiting or waiting_lines:
            change = _request(
                kind=Kind.GRANT,
                target=user,
                by=by,
                payload={"roles": sorted(waiting), "lines": sorted(waiting_lines)},
            )
    user.__dict__.pop("role_slugs", None)
    user.__dict__.pop("capabilities", None)
    return change


@transaction.atomic
def staff_set_active(*, user: User, active: bool, by: User) -> User:
    """Deactivate or reactivate an account (accounts are never deleted)."""
    if user.pk == by.pk and not active:
        raise StaffError(_("Vous ne pouvez pas désactiver votre propre compte."))
    with set_actor(by):
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def staff_reset_second_factor(*, user: User, by: User) -> AccountChangeRequest:
    """Ask for the account's second factor to be removed (it pairs again with a code)."""
    return _credentials_request(kind=Kind.SECOND_FACTOR_RESET, user=user, by=by)


@transaction.atomic
def staff_force_password_reset(*, user: User, by: User) -> AccountChangeRequest:
    """Ask for the account's password to be cancelled; the owner sets a new one with a code.

    Every reset waits for a second person, even of an account exposing nothing: the
    code must reach the owner without passing through the one who asked.
    """
    return _credentials_request(kind=Kind.PASSWORD_RESET, user=user, by=by)


def _credentials_request(*, kind: str, user: User, by: User) -> AccountChangeRequest:
    if user.pk == by.pk:
        raise StaffError(
            _("Pour votre propre compte, utilisez « Changer mon mot de passe » ou la direction.")
        )
    if AccountChangeRequest.objects.filter(target=user, kind=kind, state=State.PENDING).exists():
        raise StaffError(_("Une demande identique attend déjà d'être confirmée."))
    with set_actor(by):
        return _request(kind=kind, target=user, by=by)


def staff_unlock(*, user: User) -> int:
    """Lift a login lockout of the account (from every address)."""
    from axes.utils import reset

    return reset(username=user.username)

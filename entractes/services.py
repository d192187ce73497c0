"""Writes on staff accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from entractes.models import User
from entractes.permissions import HEALTH_ROLES


class StaffError(Exception):
    """An account change that is not allowed; the message is for the user."""


@transaction.atomic
def staff_create(*, form_data: dict[str, Any], password: str) -> User:
    """Create an account; its holder must choose a new password at first login."""
    roles = form_data.pop("roles")
    user = User(**form_data, password_change_required=True)
    user.set_password(password)
    user.save()
    user.roles.set(roles)
    return user


@transaction.atomic
def staff_update(*, user: User, form_data: dict[str, Any], by: User) -> User:
    roles = form_data.pop("roles")
    new_slugs = {r.slug for r in roles}
    if user.pk == by.pk and "administrator" not in new_slugs:
        raise StaffError(_("Vous ne pouvez pas retirer votre propre rôle d'administrateur·rice."))
    if user.pk == by.pk and (new_slugs - user.role_slugs) & HEALTH_ROLES:
        raise StaffError(_("Vous ne pouvez pas vous attribuer un rôle du pôle santé."))
    for name, value in form_data.items():
        setattr(user, name, value)
    user.save()
    user.roles.set(roles)
    return user


@transaction.atomic
def staff_set_active(*, user: User, active: bool, by: User) -> User:
    """Deactivate or reactivate an account (accounts are never deleted)."""
    if user.pk == by.pk and not active:
        raise StaffError(_("Vous ne pouvez pas désactiver votre propre compte."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


def staff_reset_second_factor(*, user: User) -> None:
    """Remove the account's authenticator and recovery codes; it enrols again at login."""
    from entractes.otp import reset_devices

    reset_devices(user)


def staff_unlock(*, user: User) -> int:
    """Lift a login lockout of the account (from every address)."""
    from axes.utils import reset

    return reset(username=user.username)


@transaction.atomic
def staff_force_password_reset(*, user: User, base_url: str) -> str:
    """Cancel the current password and return a one-time link to choose a new one.

    The link is also e-mailed when the account has an address.
    """
    user.set_unusable_password()
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    link = base_url.rstrip("/") + path
    if user.email:
        send_mail(
            _("Entr'Actes : choisissez un nouveau mot de passe"),
            _(
                "Bonjour,\n\nVotre mot de passe a été réinitialisé. Choisissez-en un nouveau ici :\n%(link)s\n"
            )
            % {"link": link},
            None,
            [user.email],
        )
    return link

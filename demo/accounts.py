"""Demo staff accounts: one per role, one documented password (DEBUG only).

Created by ``demo.generator.generate`` only, with the demo records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from entractes.models import Role, User

# username -> (first name, last name, roles)
DEMO_ACCOUNTS: dict[str, tuple[str, str, list[str]]] = {
    "educatrice": ("Inès", "Vasseur", ["educator"]),
    "educateur-mineurs": ("Yanis", "Delcroix", ["educator", "minors_team"]),
    "animatrice": ("Maëlle", "Carpentier", ["online_worker"]),
    "infirmiere": ("Sonia", "Lemaire", ["nurse"]),
    "medecin": ("Paul", "Dufresne", ["doctor"]),
    "sagefemme": ("Claire", "Bauduin", ["midwife"]),
    "partenaire": ("Hugo", "Deram", ["partner_practitioner"]),
    "benevole": ("Nadia", "Flament", ["peer_volunteer"]),
    "direction": ("Marc", "Lefebvre", ["director"]),
    "admin": ("Léa", "Roussel", ["administrator"]),
}


@transaction.atomic
def create_demo_accounts() -> list[User]:
    """Create or refresh the demo accounts (idempotent)."""
    if not settings.DEBUG:
        raise RuntimeError("Demo accounts are refused when DEBUG is off.")
    users = []
    hashed = make_password(settings.DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
    for username, (first, last, role_slugs) in DEMO_ACCOUNTS.items():
        user, _created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid"},
        )
        user.password = hashed
        user.is_active = True
        user.password_change_required = False
        user.save()
        user.roles.set(Role.objects.filter(slug__in=role_slugs))
        users.append(user)
    return users

"""Roles and what they may do: the one map of the project.

Views declare the capability they need with ``@requires`` or ``RequiresMixin``;
templates ask ``perms_for.<app>_<capability>``. Nothing else tests role names.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from importlib import import_module
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

# Roles, in display order: slug -> label. The Role table holds one row per slug
# (created by a data migration) so that accounts can hold several roles.
ROLES: dict[str, Any] = {
    "educator": _("Éducateur·rice"),
    "online_worker": _("Animateur·rice en ligne"),
    "nurse": _("Infirmier·ère"),
    "doctor": _("Médecin"),
    "midwife": _("Sage-femme"),
    "partner_practitioner": _("Intervenant·e partenaire"),
    "peer_volunteer": _("Bénévole pair"),
    "director": _("Direction"),
    "administrator": _("Administrateur·rice"),
    "minors_team": _("Équipe mineurs"),
}

# Capabilities: slug -> description shown to administrators.
CAPABILITIES: dict[str, Any] = {
    "persons.view": _("Rechercher et consulter les personnes (pseudonymes)"),
    "persons.edit": _("Créer et modifier les personnes"),
    "persons.merge": _("Fusionner des doublons et annuler une fusion"),
    # Restricted: exposes legal identities (names, birth place, nationality).
    "persons.read_identity": _("Voir l'identité légale"),
    # Restricted: writes legal identities.
    "persons.edit_identity": _("Saisir l'identité légale"),
    "persons.history": _("Voir l'historique des modifications d'une personne"),
    # Restricted: exports what the user may read of a person, with the reads of their file.
    "persons.export": _("Produire le document du droit d'accès d'une personne"),
    "persons.erase": _("Effacer les données d'une personne (anonymisation immédiate)"),
    "contacts.read": _("Lire les contacts de terrain d'une personne (dates, lieux, notes)"),
    "contacts.log": _("Saisir des contacts avec des personnes connues"),
    "contacts.log_anonymous": _("Ouvrir des sessions, saisir des contacts anonymes et du matériel"),
    "mediation.log": _("Saisir et consulter la médiation sociale"),
    "places.log": _("Saisir et consulter les observations de lieux (sans personne)"),
    "partners.view": _("Consulter l'annuaire des partenaires"),
    "actions.use": _(
        "Suivre les actions à faire et l'agenda (celles des domaines que l'on peut lire)"
    ),
    "handover.use": _("Lire et écrire les transmissions entre les équipes"),
    "online.log": _("Saisir le travail en ligne (sites visités, abonné·es)"),
    # Restricted: exposes clinical content of every line.
    "health.read_clinical": _("Lire les contenus cliniques de toutes les lignes"),
    # Restricted: exposes the clinical content of the user's own line(s) only.
    "health.use": _("Utiliser le pôle santé (sa ou ses lignes)"),
    # Restricted: exposes procedures and PSP files (legal situations, residence).
    "rights.use": _("Suivre les démarches d'accès aux droits et les dossiers PSP"),
    # Restricted: exposes uploaded documents (identity papers, letters, scans), titles and
    # contents; a person's own also need persons.read_identity, a procedure's or PSP
    # file's rights.use (casefile.access).
    "documents.use": _("Déposer, lister et télécharger les documents des personnes"),
    # Restricted: exposes minors' follow-up files.
    "minors.read_file": _("Lire les dossiers du suivi des mineurs"),
    "reporting.view": _("Voir les chiffres et le rapport d'activité"),
    # Restricted: lists the records (persons, files) behind a figure.
    "reporting.drilldown": _("Ouvrir la liste des enregistrements derrière un chiffre"),
    "reporting.edit": _("Rédiger le rapport, saisir les chiffres de référence, produire le PDF"),
    "reporting.publish": _("Publier le rapport d'une année"),
    "records.import": _("Importer des enregistrements depuis un tableur"),
    # Restricted: writes to a file the records the account's roles may read.
    "records.export": _("Exporter les chiffres et les enregistrements que l'on peut lire"),
    "staff.manage": _("Gérer les comptes du personnel"),
    # Restricted: confirms the grants and resets that expose restricted content (a second
    # person's confirmation; see GUARDED and may_decide in entractes.services).
    "staff.confirm": _("Confirmer les changements sensibles des comptes"),
    "records.restore": _("Voir les enregistrements archivés et les restaurer"),
    "settings.manage": _("Gérer les listes de référence"),
    # Restricted: the access log names who read which restricted record.
    "accesslog.view": _("Consulter le journal des accès"),
}

_FIELD_STAFF = {
    "persons.view",
    "persons.edit",
    "persons.history",
    "persons.export",
    "contacts.read",
}
_HEALTH = _FIELD_STAFF | {
    "actions.use",
    "handover.use",
    "health.read_clinical",
    "health.use",
    "contacts.log",
    "contacts.log_anonymous",
    "places.log",
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    "educator": frozenset(
        _FIELD_STAFF
        | {
            "persons.merge",
            "persons.read_identity",
            "persons.edit_identity",
            "contacts.log",
            "contacts.log_anonymous",
            "actions.use",
            "handover.use",
            "mediation.log",
            "places.log",
            "rights.use",
            "documents.use",
            "reporting.view",
            "online.log",
        }
    ),
    "online_worker": frozenset(
        _FIELD_STAFF
        | {
            "persons.merge",
            "persons.read_identity",
            "persons.edit_identity",
            "contacts.log",
            "contacts.log_anonymous",
            "actions.use",
            "handover.use",
            "mediation.log",
            "places.log",
            "rights.use",
            "documents.use",
            "reporting.view",
            "online.log",
        }
    ),
    "nurse": frozenset(_HEALTH),
    "doctor": frozenset(_HEALTH),
    "midwife": frozenset(_HEALTH),
    # Partner practitioners find the persons they see; clinical reads are limited
    # to their own line by the health app, not by a capability.
    "partner_practitioner": frozenset({"persons.view", "health.use"}),
    "peer_volunteer": frozenset({"contacts.log_anonymous", "places.log"}),
    "director": frozenset(
        _FIELD_STAFF
        | {
            "persons.merge",
            "persons.read_identity",
            "persons.erase",
            "minors.read_file",
            "reporting.view",
            "reporting.drilldown",
            "reporting.edit",
            "reporting.publish",
            "accesslog.view",
            "records.export",
            "rights.use",
            "mediation.log",
            "places.log",
            "online.log",
            "actions.use",
            "handover.use",
            "staff.confirm",
        }
    ),
    "administrator": frozenset(
        {
            "staff.manage",
            "staff.confirm",
            "settings.manage",
            "records.restore",
            "accesslog.view",
            "reporting.view",
            "reporting.publish",
            "records.import",
            "records.export",
        }
    ),
    "minors_team": frozenset({"minors.read_file", "actions.use"}),
}
# What every role holds: the partner directory (structures, never persons).
ROLE_CAPABILITIES = {role: caps | {"partners.view"} for role, caps in ROLE_CAPABILITIES.items()}

# Capabilities that expose restricted content (every refusal is logged, these and others).
RESTRICTED = frozenset(
    {
        "persons.read_identity",
        "persons.edit_identity",
        "persons.export",
        "health.read_clinical",
        "health.use",
        "rights.use",
        "documents.use",
        "minors.read_file",
        "accesslog.view",
        "reporting.drilldown",
        "records.export",
    }
)

# Roles whose holders read clinical content: an administrator cannot even ask for them
# for themselves (other restricted roles they may ask for, for a second person to decide).
HEALTH_ROLES = frozenset({"nurse", "doctor", "midwife", "partner_practitioner"})

# Granting one of these capabilities (account creation, role change, health line), or
# resetting the password or second factor of an account that holds one, waits for a
# second person's confirmation: whoever confirms grants is as sensitive as the grants.
# Who confirms (never the requester, never the target): a holder of "staff.confirm" who
# does not manage accounts (the director); for the account of such a confirmer, another
# holder of "staff.confirm" who manages accounts (an administrator).
GUARDED = RESTRICTED | {"staff.confirm"}


def guarded_roles(role_slugs) -> set[str]:
    """The roles among ``role_slugs`` whose grant needs a second person's confirmation."""
    return {slug for slug in role_slugs if ROLE_CAPABILITIES.get(slug, frozenset()) & GUARDED}


# Pages anyone may open, logged in or not (login, password reset, language switch).
PUBLIC = "public"
# Pages any logged-in staff member may open (home, own password).
AUTHENTICATED = "authenticated"


# Who may read and who may write each kind of record: (read, write) capabilities. Each
# app declares its own in its ``access.py``: ``RECORD_ACCESS`` (model name -> rule) and
# ``REFERENCE_LISTS`` (lists every staff member reads in forms and administrators edit).
# Object rules narrow some of them (a partner practitioner reads only their own line's
# health records; a peer volunteer corrects only anonymous contacts); see each app's
# access module. None: nobody, through any page.
Rule = tuple[str | None, str | None]
KERNEL_RECORD_ACCESS: dict[str, Rule] = {
    # Accounts and the access log (which nobody writes by hand).
    "User": ("staff.manage", "staff.manage"),
    "Role": ("staff.manage", None),
    "AccessLogEntry": ("accesslog.view", None),
    # Sensitive account changes: asked by administrators, decided by a second person.
    "AccountChangeRequest": ("staff.confirm", "staff.manage"),
    # Secrets: enrolment codes and second factors, which no page shows once stored.
    "EnrolmentCode": (None, None),
    "AuthenticatorDevice": (None, None),
    "RecoveryDevice": (None, None),
    "RecoveryCode": (None, None),
    # Tokens of the records' state (entractes.freshness): no page shows or edits them.
    "RecordsState": (None, None),
}
REFERENCE_LIST_RULE: Rule = (AUTHENTICATED, "settings.manage")


@cache
def record_access() -> dict[str, Rule]:
    """Every kind of record ("app.Model") -> (read, write), as the apps declare them."""
    table = {f"entractes.{name}": rule for name, rule in KERNEL_RECORD_ACCESS.items()}
    for config in apps.get_app_configs():
        if config.name == "entractes" or not module_has_submodule(config.module, "access"):
            continue
        module = import_module(f"{config.name}.access")
        for name, rule in getattr(module, "RECORD_ACCESS", {}).items():
            table[f"{config.label}.{name}"] = rule
        for name in getattr(module, "REFERENCE_LISTS", ()):
            table[f"{config.label}.{name}"] = REFERENCE_LIST_RULE
    return table


def roles_reading(label: str) -> set[str]:
    """The roles that may read a kind of record (before object rules)."""
    read, _write = record_access()[label]
    if read == AUTHENTICATED:
        return set(ROLES)
    return roles_with(read) if read else set()


def capabilities_of(role_slugs: set[str] | list[str]) -> frozenset[str]:
    """Union of the capabilities of the given roles."""
    caps: set[str] = set()
    for slug in role_slugs:
        caps |= ROLE_CAPABILITIES.get(slug, frozenset())
    return frozenset(caps)


def roles_with(capability: str) -> set[str]:
    """The roles that hold a capability."""
    return {role for role, caps in ROLE_CAPABILITIES.items() if capability in caps}


def _deny(request: HttpRequest, capability: str) -> None:
    """Every refused attempt is logged (who, which page, which capability was missing)."""
    from entractes.models import AccessLogEntry

    AccessLogEntry.objects.record_refusal(user=request.user, target=request.path, detail=capability)
    raise PermissionDenied


def check(request: HttpRequest, capability: str):
    """None when the request's user holds the capability; else the refusal response.

    Anonymous visitors are sent to the login page; others get 403.
    """
    if capability == PUBLIC:
        return None
    user = request.user
    if not user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    if capability == AUTHENTICATED or user.has_capability(capability):
        return None
    _deny(request, capability)
    return None


def requires(capability: str) -> Callable:
    """Declare the capability a function view needs (or PUBLIC / AUTHENTICATED)."""

    if capability not in CAPABILITIES and capability not in (PUBLIC, AUTHENTICATED):
        raise ValueError(f"Unknown capability {capability!r}")

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            refusal = check(request, capability)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability
        return wrapped

    return decorator


class RequiresMixin:
    """Class-view counterpart of ``requires``: set ``capability`` on the view."""

    capability: str = ""

    def dispatch(self, request, *args, **kwargs):
        refusal = check(request, self.capability)
        if refusal is not None:
            return refusal
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def as_view(cls, **initkwargs):
        if cls.capability not in CAPABILITIES and cls.capability not in (PUBLIC, AUTHENTICATED):
            raise ValueError(f"{cls.__name__} declares no known capability")
        view = super().as_view(**initkwargs)
        view.required_capability = cls.capability
        return view


def public(view: Callable) -> Callable:
    """Mark a third-party or framework view as open to anyone."""
    view.required_capability = PUBLIC
    return view


class PermsFor:
    """Template helper: ``perms_for.health_read_clinical`` -> bool."""

    def __init__(self, user):
        self.user = user

    def __getitem__(self, name: str) -> bool:
        app, _sep, rest = name.partition("_")
        capability = f"{app}.{rest}"
        if capability not in CAPABILITIES:
            raise KeyError(name)
        return bool(self.user.is_authenticated and self.user.has_capability(capability))


def perms_for_context(request) -> dict[str, PermsFor]:
    # An error page may be rendered for a request the authentication middleware has not
    # reached (a 400 for a bad host): nobody logged in, nothing offered.
    from django.contrib.auth.models import AnonymousUser

    return {"perms_for": PermsFor(getattr(request, "user", None) or AnonymousUser())}

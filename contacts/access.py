"""Reads of persons for a user: every view loads persons through here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from contacts.models import (
    Action,
    AgeCategory,
    Contact,
    HandoverNote,
    LegalIdentity,
    MediationEvent,
    Person,
    PersonMerge,
    PlaceObservation,
    Session,
    age_category_q,
)
from entractes.models import AccessLogEntry, User

# The persons a reader without ``persons.edit`` reaches, as each app giving such a reach
# registers it when ready (health: a partner practitioner's own patients): user -> a
# query of person pks.
_REACHES: list[Callable[[Any], QuerySet[Any]]] = []


def register_reach(reach: Callable[[Any], QuerySet[Any]]) -> None:
    if reach not in _REACHES:
        _REACHES.append(reach)


def _reach(user: User) -> Q | None:
    """Which persons a reader reaches: all of them for those who create and correct
    persons (field and health staff, the director); for a reader who only views them
    (the partner practitioner), the adults the apps let them reach, never a minor.
    None: no limit."""
    if user.has_capability("persons.edit"):
        return None
    seen = Q(pk__in=[])
    for reach in _REACHES:
        seen |= Q(pk__in=reach(user))
    return seen & ~age_category_q(AgeCategory.MINOR, timezone.localdate())


def persons_for_user(user: User):
    """Current persons the user may list (none without ``persons.view``)."""
    if not user.has_capability("persons.view"):
        return Person.objects.none()
    reach = _reach(user)
    return Person.objects.all() if reach is None else Person.objects.filter(reach)


def get_person_for_user(user: User, code: str) -> Person:
    """A person by code, or 404 for 'missing' and 'not allowed' alike.

    A merged duplicate is returned as it is (a pointer): the view redirects to the
    person it was merged into.
    """
    if not user.has_capability("persons.view"):
        raise Http404
    # Archived persons are hidden from staff; an administrator restores them.
    persons = Person.all_objects.filter(archived_at__isnull=True)
    reach = _reach(user)
    try:
        return persons.get(Q() if reach is None else reach, code=code.upper())
    except Person.DoesNotExist:
        hidden = persons.filter(code=code.upper()).first()
        if hidden is not None:
            AccessLogEntry.objects.record_refusal(user=user, target=hidden, detail="person")
        raise Http404 from None


def get_identity_for_user(user: User, person: Person) -> LegalIdentity | None:
    """The legal identity of a person, logged as a read; 404 when not allowed."""
    if not user.has_capability("persons.read_identity"):
        AccessLogEntry.objects.record_refusal(user=user, target=person, detail="identity")
        raise Http404
    identity = LegalIdentity.objects.filter(person=person).first()
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=person, detail="identity"
    )
    return identity


def get_merge_for_user(user: User, pk: int) -> PersonMerge:
    if not user.has_capability("persons.merge"):
        raise Http404
    try:
        return PersonMerge.objects.select_related("kept", "duplicate").get(pk=pk)
    except PersonMerge.DoesNotExist:
        raise Http404 from None


def sessions_for_user(user: User):
    if not user.has_capability("contacts.log_anonymous"):
        return Session.objects.none()
    return Session.objects.all()


def get_session_for_user(user: User, pk: int) -> Session:
    try:
        return sessions_for_user(user).get(pk=pk)
    except Session.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=Session, pk=pk)
        raise Http404 from None


def get_contact_for_user(user: User, pk: int) -> Contact:
    """A contact to correct: with a known person only for those who log persons."""
    contacts = Contact.objects.select_related("person", "session", "channel")
    if not user.has_capability("contacts.log"):
        if not user.has_capability("contacts.log_anonymous"):
            raise Http404
        contacts = contacts.filter(person__isnull=True)
    try:
        return contacts.get(pk=pk)
    except Contact.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=Contact, pk=pk)
        raise Http404 from None


def get_mediation_for_user(user: User, pk: int) -> MediationEvent:
    if not user.has_capability("mediation.log"):
        raise Http404
    try:
        return MediationEvent.objects.get(pk=pk)
    except MediationEvent.DoesNotExist:
        raise Http404 from None


def get_place_observation_for_user(user: User, pk: int) -> PlaceObservation:
    if not user.has_capability("places.log"):
        raise Http404
    try:
        return PlaceObservation.objects.get(pk=pk)
    except PlaceObservation.DoesNotExist:
        raise Http404 from None


# An action is read and written with its domain's capability as well as "actions.use":
# a health action by the health staff only, a minors' one by those who read minors' files.
ACTION_DOMAINS: dict[str, str] = {
    Action.Domain.GENERAL: "persons.view",
    Action.Domain.HEALTH: "health.read_clinical",
    Action.Domain.RIGHTS: "rights.use",
    Action.Domain.MINORS: "minors.read_file",
}


def action_domains_for_user(user: User) -> list[str]:
    """The domains whose actions the user may read and write ([] without "actions.use")."""
    if not user.has_capability("actions.use"):
        return []
    return [domain for domain, need in ACTION_DOMAINS.items() if user.has_capability(need)]


def readable_actions(user: User) -> Q:
    """The actions the user may read: those of their domains, and the service's own
    (no person) of the general domain, which every holder of "actions.use" reads."""
    if not user.has_capability("actions.use"):
        return Q(pk__in=[])
    domains = action_domains_for_user(user)
    return Q(domain__in=domains) | Q(domain=Action.Domain.GENERAL, person__isnull=True)


def actions_for_user(user: User) -> QuerySet[Action]:
    return Action.objects.filter(readable_actions(user)).select_related("person", "assignee")


def get_action_for_user(user: User, pk: int) -> Action:
    try:
        action = actions_for_user(user).get(pk=pk)
    except Action.DoesNotExist:
        if user.has_capability("actions.use"):
            AccessLogEntry.objects.record_hidden(user=user, model=Action, pk=pk)
        raise Http404 from None
    if action.domain != Action.Domain.GENERAL:
        AccessLogEntry.objects.record(
            user=user, action=AccessLogEntry.Action.READ, target=action, detail="actions.action"
        )
    return action


def handover_notes_for_user(user: User) -> QuerySet[HandoverNote]:
    if not user.has_capability("handover.use"):
        return HandoverNote.objects.none()
    return HandoverNote.objects.select_related("author")


def get_handover_note_for_user(user: User, pk: int) -> HandoverNote:
    try:
        return handover_notes_for_user(user).get(pk=pk)
    except HandoverNote.DoesNotExist:
        raise Http404 from None


# Who may read and who may write each kind of record of the app: (read, write)
# capabilities (composed in entractes.permissions.record_access).
RECORD_ACCESS = {
    "Person": ("persons.view", "persons.edit"),
    "LegalIdentity": ("persons.read_identity", "persons.edit_identity"),
    "PersonMerge": ("persons.merge", "persons.merge"),
    # Leaving and coming back to the active file: read on the person's page.
    "ActiveFileChange": ("persons.view", "persons.edit"),
    "Session": ("contacts.log_anonymous", "contacts.log_anonymous"),
    "Contact": ("contacts.log_anonymous", "contacts.log_anonymous"),
    "ContactMaterial": ("contacts.log_anonymous", "contacts.log_anonymous"),
    "SessionMaterial": ("contacts.log_anonymous", "contacts.log_anonymous"),
    "SessionService": ("contacts.log_anonymous", "contacts.log_anonymous"),
    "OnlineRoundSite": ("online.log", "online.log"),
    "FollowerSnapshot": ("online.log", "online.log"),
    "MediationEvent": ("mediation.log", "mediation.log"),
    "PlaceObservation": ("places.log", "places.log"),
    # Narrowed by domain (ACTION_DOMAINS): a health action needs the health staff's rights.
    "Action": ("actions.use", "actions.use"),
    "HandoverNote": ("handover.use", "handover.use"),
}
# Reference lists: every staff member reads them in forms; administrators edit them.
REFERENCE_LISTS = frozenset(
    {
        "AdSite",
        "Channel",
        "Language",
        "Material",
        "MediationTheme",
        "OpeningSlot",
        "Partner",
        "Product",
        "ProstitutionMode",
        "Service",
        "Theme",
        "Zone",
    }
)

"""Reads of persons for a user: every view loads persons through here."""

from __future__ import annotations

from django.http import Http404

from contacts.models import Contact, LegalIdentity, MediationEvent, Person, PersonMerge, Session
from entractes.models import AccessLogEntry


def persons_for_user(user):
    """Current persons the user may list (none without ``persons.view``)."""
    if not user.has_capability("persons.view"):
        return Person.objects.none()
    return Person.objects.all()


def get_person_for_user(user, code: str) -> Person:
    """A person by code, or 404 for 'missing' and 'not allowed' alike.

    A merged duplicate is returned as it is (a pointer): the view redirects to the
    person it was merged into.
    """
    if not user.has_capability("persons.view"):
        raise Http404
    try:
        # Archived persons are hidden from staff; an administrator restores them.
        return Person.all_objects.get(code=code.upper(), archived_at__isnull=True)
    except Person.DoesNotExist:
        raise Http404 from None


def get_identity_for_user(user, person: Person) -> LegalIdentity | None:
    """The legal identity of a person, logged as a read; 404 when not allowed."""
    if not user.has_capability("persons.read_identity"):
        AccessLogEntry.objects.record_refusal(user=user, target=person, detail="identity")
        raise Http404
    identity = LegalIdentity.objects.filter(person=person).first()
    AccessLogEntry.objects.record(
        user=user, action=AccessLogEntry.Action.READ, target=person, detail="identity"
    )
    return identity


def get_merge_for_user(user, pk: int) -> PersonMerge:
    if not user.has_capability("persons.merge"):
        raise Http404
    try:
        return PersonMerge.objects.select_related("kept", "duplicate").get(pk=pk)
    except PersonMerge.DoesNotExist:
        raise Http404 from None


def sessions_for_user(user):
    if not user.has_capability("contacts.log_anonymous"):
        return Session.objects.none()
    return Session.objects.all()


def get_session_for_user(user, pk: int) -> Session:
    try:
        return sessions_for_user(user).get(pk=pk)
    except Session.DoesNotExist:
        AccessLogEntry.objects.record_hidden(user=user, model=Session, pk=pk)
        raise Http404 from None


def get_contact_for_user(user, pk: int) -> Contact:
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


def get_mediation_for_user(user, pk: int) -> MediationEvent:
    if not user.has_capability("mediation.log"):
        raise Http404
    try:
        return MediationEvent.objects.get(pk=pk)
    except MediationEvent.DoesNotExist:
        raise Http404 from None

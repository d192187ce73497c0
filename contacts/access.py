"""Reads of persons for a user: every view loads persons through here."""

from __future__ import annotations

from django.http import Http404

from contacts.models import LegalIdentity, Person, PersonMerge
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
        return Person.all_objects.get(code=code.upper())
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

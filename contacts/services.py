"""Writes on persons: creation, identity, merge and its undoing."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import transaction
from django.db.models import ManyToManyRel, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import (
    Channel,
    Contact,
    ContactMaterial,
    FollowerSnapshot,
    LegalIdentity,
    MediationEvent,
    OnlineRoundSite,
    Person,
    PersonMerge,
    Session,
    SessionMaterial,
    generate_code,
    search_key,
)
from entractes.lib.writes import save_record

if TYPE_CHECKING:
    from entractes.models import User


class MergeError(Exception):
    """A merge or an undo that the records do not allow; the message is for the user."""


# Relations that describe merges themselves, not a person's records.
_NOT_MOVED = {
    ("contacts.personmerge", "kept"),
    ("contacts.personmerge", "duplicate"),
    ("contacts.person", "merged_into"),
}


def likely_duplicates(
    *, nickname: str, gender: str = "", birth_year: int | None = None, exclude_pk=None
) -> list[Person]:
    """Current persons that may be the same as the one described.

    Same nickname (ignoring case and accents), or a nickname sharing its first three
    letters with the same gender and a birth year at most two years apart.
    """
    key = search_key(nickname)
    if not key:
        return []
    close = Q(nickname_key__startswith=key[:3])
    if gender:
        close &= Q(gender__in=[gender, "unknown"])
    if birth_year:
        close &= Q(birth_year__range=(birth_year - 2, birth_year + 2)) | Q(birth_year__isnull=True)
    found = Person.objects.filter(Q(nickname_key=key) | close)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return list(found.order_by("nickname_key", "code")[:10])


@transaction.atomic
def person_create(*, data: dict[str, Any], by: User) -> Person:
    """Create a person from a form's cleaned data (many-to-many lists included)."""
    data = dict(data)
    if not data.get("code"):
        data["code"] = generate_code()
        while Person.all_objects.filter(code=data["code"]).exists():
            data["code"] = generate_code()
    return save_record(Person(created_by=by), data)


@transaction.atomic
def person_update(*, person: Person, data: dict[str, Any]) -> Person:
    """Apply a form's cleaned data to a person (the edit page guards concurrent saves
    with ``entractes.concurrency``)."""
    person.version += 1
    return save_record(person, data)


@transaction.atomic
def identity_save(*, person: Person, data: dict[str, Any]) -> LegalIdentity:
    """Create or update the legal identity of a person."""
    identity = LegalIdentity.objects.filter(person=person).first() or LegalIdentity(person=person)
    return save_record(identity, data)


def _person_relations():
    """Every relation from another model's records to Person, as (model, field, kind)."""
    for rel in Person._meta.related_objects:
        model = rel.related_model
        if (model._meta.label_lower, rel.field.name) in _NOT_MOVED:
            continue
        if isinstance(rel, ManyToManyRel):
            yield rel.through, rel.field, "m2m"
        elif rel.one_to_one:
            yield model, rel.field, "one"
        else:
            yield model, rel.field, "many"


@transaction.atomic
def person_merge(*, kept: Person, duplicate: Person, by: User) -> PersonMerge:
    """Merge ``duplicate`` into ``kept``: every linked record moves to ``kept``; the
    duplicate stays as a pointer, out of lists and counts. Undone by ``person_merge_undo``.
    """
    kept = Person.all_objects.select_for_update().get(pk=kept.pk)
    duplicate = Person.all_objects.select_for_update().get(pk=duplicate.pk)
    if kept.pk == duplicate.pk:
        raise MergeError(_("Une fiche ne peut pas être fusionnée avec elle-même."))
    if kept.merged_into_id or duplicate.merged_into_id:
        raise MergeError(_("L'une des deux fiches a déjà été fusionnée dans une autre."))

    moved: list[dict[str, Any]] = []
    for model, field, kind in _person_relations():
        label = model._meta.label_lower
        if kind == "m2m":
            source = field.m2m_field_name() + "_id"
            target = field.m2m_reverse_field_name() + "_id"
            rows = model._base_manager.filter(**{target: duplicate.pk})
            already = set(
                model._base_manager.filter(**{target: kept.pk}).values_list(source, flat=True)
            )
            clashing = rows.filter(**{f"{source}__in": already})
            removed = list(clashing.values_list(source, flat=True))
            clashing.delete()
            pks = list(rows.values_list("pk", flat=True))
            rows.update(**{target: kept.pk})
            moved.append(
                {"model": label, "field": target, "pks": pks, "removed": removed, "source": source}
            )
            continue
        if kind == "one" and model._base_manager.filter(**{field.attname: kept.pk}).exists():
            # The kept person has its own: the duplicate's stays with the pointer.
            continue
        rows = model._base_manager.filter(**{field.attname: duplicate.pk})
        pks = list(rows.values_list("pk", flat=True))
        if pks:
            rows.update(**{field.attname: kept.pk})
            moved.append({"model": label, "field": field.attname, "pks": pks})

    duplicate.merged_into = kept
    duplicate.save(update_fields=["merged_into"])
    return PersonMerge.objects.create(kept=kept, duplicate=duplicate, merged_by=by, moved=moved)


@transaction.atomic
def person_merge_undo(*, merge: PersonMerge, by: User) -> PersonMerge:
    """Undo a merge: the records that moved go back; both persons are current again."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at:
        raise MergeError(_("Cette fusion a déjà été annulée."))
    kept = Person.all_objects.get(pk=merge.kept_id)
    if kept.merged_into_id:
        raise MergeError(
            _(
                "La fiche %(code)s a depuis été fusionnée dans une autre : annulez d'abord cette fusion-là."
            )
            % {"code": kept.code}
        )
    for entry in merge.moved:
        model = apps.get_model(entry["model"])
        field = entry["field"]
        model._base_manager.filter(pk__in=entry["pks"], **{field: kept.pk}).update(
            **{field: merge.duplicate_id}
        )
        for source_id in entry.get("removed", []):
            model._base_manager.create(**{entry["source"]: source_id, field: merge.duplicate_id})
    duplicate = Person.all_objects.get(pk=merge.duplicate_id)
    duplicate.merged_into = None
    duplicate.save(update_fields=["merged_into"])
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


# --- Field work -----------------------------------------------------------------------


@transaction.atomic
def session_create(*, data: dict[str, Any], by: User) -> Session:
    """Open a session (round or opening) from a form's cleaned data; nobody named in
    its staff: the one who opens it."""
    data = {**data, "staff": data.get("staff") or [by]}
    return save_record(Session(created_by=by), data)


@transaction.atomic
def session_update(*, session: Session, data: dict[str, Any]) -> Session:
    """Change a session; its contacts follow its date (they are counted on its day)."""
    save_record(session, data)
    session.contacts.exclude(day=session.date).update(day=session.date)
    return session


def _occurred_at(session: Session | None, time: datetime.time | None) -> datetime.datetime:
    """A row's moment: the session's day at the row's time (next day past midnight)."""
    if session is None:
        return timezone.now()
    return session.moment(time)


def _write_contact(contact: Contact, row: dict[str, Any]) -> Contact:
    for name in (
        "person",
        "anonymous_gender",
        "anonymous_age_category",
        "channel",
        "caarud",
        "note",
    ):
        if name in row:
            setattr(contact, name, row[name])
    new = contact.pk is None
    # The related records come from the form's choice fields, already looked up: only the
    # contact's own rules (an anonymous contact's gender, no moment to come) are checked
    # again, without one query per foreign key. A refusal raises ``ValidationError``
    # naming the field, before anything is written.
    contact.full_clean(exclude=["day", "person", "channel", "session", "author", "archived_by"])
    contact.save()
    for name in ("themes", "services", "referrals"):
        chosen = row.get(name) or []
        if not new:
            getattr(contact, name).set(chosen)
        elif chosen:
            getattr(contact, name).add(*chosen)
    if not new:
        contact.material_lines.all().delete()
    ContactMaterial.objects.bulk_create(
        ContactMaterial(contact=contact, material=material, quantity=quantity)
        for material, quantity in (row.get("material") or {}).items()
    )
    return contact


@transaction.atomic
def round_sheet_save(*, session: Session, rows: list[dict[str, Any]], by: User) -> list[Contact]:
    """Write every row of a round sheet as a contact of the session, or none at all (a
    row refused raises ``ValidationError`` and the whole sheet is rolled back)."""
    contacts = []
    for row in rows:
        contact = Contact(
            session=session, author=by, occurred_at=_occurred_at(session, row.get("time"))
        )
        contacts.append(_write_contact(contact, row))
    return contacts


@transaction.atomic
def contact_save(
    *, row: dict[str, Any], by: User, contact: Contact | None = None, occurred_at=None
) -> Contact:
    """Create or correct one contact (outside a sheet: phone, social network, parcel...).

    Refused with a ``ValidationError`` naming the field (``anonymous_gender``,
    ``occurred_at``...) when the contact breaks its rules: nothing is then written.
    """
    if contact is None:
        contact = Contact(author=by)
    if occurred_at is not None:
        contact.occurred_at = occurred_at
    return _write_contact(contact, row)


@transaction.atomic
def session_material_save(
    *, data: dict[str, Any], line: SessionMaterial | None = None
) -> SessionMaterial:
    """Create or correct material handed out during a session outside any contact."""
    return save_record(line or SessionMaterial(), data)


@transaction.atomic
def online_site_save(
    *, data: dict[str, Any], site: OnlineRoundSite | None = None
) -> OnlineRoundSite:
    """Create or correct what an online round did on one site (messages, replies)."""
    return save_record(site or OnlineRoundSite(), data)


@transaction.atomic
def follower_snapshot_record(
    *, channel: Channel, date: datetime.date, followers: int, by: User
) -> FollowerSnapshot:
    """Record a network's follower count; a second count the same day replaces the first."""
    snapshot, _created = FollowerSnapshot.objects.update_or_create(
        channel=channel, date=date, defaults={"followers": followers, "author": by}
    )
    return snapshot


@transaction.atomic
def mediation_save(
    *, data: dict[str, Any], by: User, event: MediationEvent | None = None
) -> MediationEvent:
    return save_record(event or MediationEvent(author=by), data)

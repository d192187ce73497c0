"""Writes on persons: creation, identity, merge and its undoing."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ManyToManyRel, Min, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from contacts.models import (
    Action,
    ActiveFileChange,
    Channel,
    Contact,
    ContactMaterial,
    FollowerSnapshot,
    Gender,
    HandoverNote,
    LeaveReason,
    LegalIdentity,
    MediationEvent,
    OnlineRoundSite,
    Partner,
    Person,
    PersonMerge,
    PlaceObservation,
    ReferralSource,
    Session,
    SessionMaterial,
    generate_code,
    search_key,
)
from entractes.freshness import counted_from, records_changed
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


# How a merge combines the two profiles, so that nothing the duplicate said is lost:
# lists are joined, flags are set if either record sets them, and for the other fields
# a value empty on one side takes the other's, a disagreement is decided by the user.
MERGE_UNION = ("languages", "prostitution_modes", "products")
MERGE_EITHER = ("uses_drugs", "sex_work", "objects_to_health_sharing")
# "Age to establish" is a state, not a fact one record may have missed: a record that
# established the age has cleared it, so a difference is asked as well.
MERGE_CHOICE = ("gender", "birth_date", "age_to_establish", "country_of_origin", "referral_source")
# Values that say nothing: the other record's value is taken without asking.
_SAYS_NOTHING: dict[str, Any] = {
    "gender": Gender.UNKNOWN,
    "referral_source": ReferralSource.UNKNOWN,
}


def _empty(name: str, value: Any) -> bool:
    return value in (None, "") or value == _SAYS_NOTHING.get(name)


def _birth(person: Person) -> tuple[datetime.date | None, int | None]:
    return person.birth_date, person.birth_date.year if person.birth_date else person.birth_year


def merge_disagreements(kept: Person, duplicate: Person) -> list[str]:
    """The profile fields on which the two persons say different things, in the order
    of ``MERGE_CHOICE``. Birth data is one field, ``birth_date``: a bare year agrees
    with a date of the same year (the date is kept)."""
    found = []
    for name in MERGE_CHOICE:
        if name == "birth_date":
            (kept_date, kept_year), (dup_date, dup_year) = _birth(kept), _birth(duplicate)
            if (
                kept_year
                and dup_year
                and (kept_year != dup_year or (kept_date and dup_date and kept_date != dup_date))
            ):
                found.append(name)
            continue
        mine, theirs = getattr(kept, name), getattr(duplicate, name)
        if not _empty(name, mine) and not _empty(name, theirs) and mine != theirs:
            found.append(name)
    return found


def _merged_profile(kept: Person, duplicate: Person, choices: dict[str, str]) -> dict[str, Any]:
    """The kept person's scalar profile once merged (only the fields that change)."""
    disagreeing = merge_disagreements(kept, duplicate)
    data: dict[str, Any] = {}
    for name in MERGE_EITHER:
        if getattr(duplicate, name) and not getattr(kept, name):
            data[name] = True
    for name in MERGE_CHOICE:
        if name in disagreeing:
            if choices.get(name) != "duplicate":
                continue
            winner = duplicate
        elif name == "birth_date":
            # No disagreement: the more precise birth data wins.
            if kept.birth_date or not (duplicate.birth_date or duplicate.birth_year):
                continue
            winner = duplicate
        elif _empty(name, getattr(kept, name)) and not _empty(name, getattr(duplicate, name)):
            winner = duplicate
        else:
            continue
        if name == "birth_date":
            data["birth_date"], data["birth_year"] = winner.birth_date, _birth(winner)[1]
        else:
            data[name] = getattr(winner, name)
    if duplicate.notes.strip() and duplicate.notes.strip() not in kept.notes:
        data["notes"] = "\n\n".join(
            part for part in (kept.notes.strip(), duplicate.notes.strip()) if part
        )
    return {name: value for name, value in data.items() if getattr(kept, name) != value}


def _as_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _from_json(name: str, value: Any) -> Any:
    if name == "birth_date" and value:
        return datetime.date.fromisoformat(value)
    return value


def _merge_profiles(kept: Person, duplicate: Person, choices: dict[str, str]) -> dict[str, Any]:
    """Write the union of both profiles onto ``kept``; return what changed, for the undo:
    each scalar's value before and after, and the list entries added."""
    data = _merged_profile(kept, duplicate, choices)
    changed: dict[str, Any] = {
        "fields": {
            name: [_as_json(getattr(kept, name)), _as_json(value)] for name, value in data.items()
        },
        "added": {},
    }
    for name in MERGE_UNION:
        have = set(getattr(kept, name).values_list("pk", flat=True))
        added = set(getattr(duplicate, name).values_list("pk", flat=True)) - have
        if added:
            data[name] = sorted(have | added)
            changed["added"][name] = sorted(added)
    if data:
        kept.version += 1
        save_record(kept, data)
    return changed


def _unmerge_profile(kept: Person, changed: dict[str, Any]) -> None:
    """Give ``kept`` back the profile it had before the merge. A field changed since
    the merge keeps its newer value; list entries added by the merge are taken away."""
    data: dict[str, Any] = {}
    for name, (before, after) in changed.get("fields", {}).items():
        if _as_json(getattr(kept, name)) == after:
            data[name] = _from_json(name, before)
    for name, added in changed.get("added", {}).items():
        data[name] = [
            pk for pk in getattr(kept, name).values_list("pk", flat=True) if pk not in added
        ]
    if data:
        kept.version += 1
        save_record(kept, data)


@transaction.atomic
def person_merge(
    *, kept: Person, duplicate: Person, by: User, choices: dict[str, str] | None = None
) -> PersonMerge:
    """Merge ``duplicate`` into ``kept``: every linked record moves to ``kept``; the
    duplicate stays as a pointer, out of lists and counts. The kept profile becomes the
    union of both (see ``MERGE_UNION``, ``MERGE_EITHER``); where they disagree
    (``merge_disagreements``), ``choices`` says which wins: field name -> ``"kept"`` or
    ``"duplicate"`` (missing: the kept value). Undone by ``person_merge_undo``.
    """
    kept = Person.all_objects.select_for_update().get(pk=kept.pk)
    duplicate = Person.all_objects.select_for_update().get(pk=duplicate.pk)
    if kept.pk == duplicate.pk:
        raise MergeError(_("Une fiche ne peut pas être fusionnée avec elle-même."))
    if kept.merged_into_id or duplicate.merged_into_id:
        raise MergeError(_("L'une des deux fiches a déjà été fusionnée dans une autre."))
    choices = choices or {}
    unknown = sorted(set(choices) - set(MERGE_CHOICE) - {"birth_year"})
    wrong = sorted(name for name, side in choices.items() if side not in ("kept", "duplicate"))
    if unknown or wrong:
        raise MergeError(
            _("Choix de fusion invalide : %(fields)s.") % {"fields": ", ".join(unknown + wrong)}
        )
    if "birth_year" in choices:
        choices = {"birth_date": choices["birth_year"], **choices}

    # The moves below send no signal: the figures change from either's first record.
    records_changed(counted_from(Person, [kept.pk, duplicate.pk]))
    profile = _merge_profiles(kept, duplicate, choices)
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
    return PersonMerge.objects.create(
        kept=kept, duplicate=duplicate, merged_by=by, moved=moved, profile=profile
    )


@transaction.atomic
def person_merge_undo(*, merge: PersonMerge, by: User) -> PersonMerge:
    """Undo a merge: the records that moved go back, the kept profile is as it was;
    both persons are current again."""
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
    # The moves back send no signal: the moved records are the kept person's until then.
    records_changed(counted_from(Person, [kept.pk, merge.duplicate_id]))
    for entry in merge.moved:
        model = apps.get_model(entry["model"])
        field = entry["field"]
        model._base_manager.filter(pk__in=entry["pks"], **{field: kept.pk}).update(
            **{field: merge.duplicate_id}
        )
        for source_id in entry.get("removed", []):
            model._base_manager.create(**{entry["source"]: source_id, field: merge.duplicate_id})
    _unmerge_profile(kept, merge.profile)
    duplicate = Person.all_objects.get(pk=merge.duplicate_id)
    duplicate.merged_into = None
    duplicate.save(update_fields=["merged_into"])
    merge.undone_at = timezone.now()
    merge.undone_by = by
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


# --- The active file -------------------------------------------------------------------


def _check_file_change(person: Person, date: datetime.date) -> None:
    """The rules every change of the active file shares: a current person, no day to
    come, none before the person's latest change."""
    if person.merged_into_id:
        raise ValidationError(_("Cette fiche a été fusionnée dans une autre."))
    if date > timezone.localdate():
        raise ValidationError({"date": _("La date ne peut pas être dans le futur.")})
    dates = [person.left_file_on] if person.left_file_on else []
    dates += person.active_file_changes.order_by("-date").values_list("date", flat=True)[:1]
    latest = max(dates, default=None)
    if latest is not None and date < latest:
        raise ValidationError(
            {
                "date": _("La date ne peut pas précéder le dernier changement, du %(day)s.")
                % {"day": date_format(latest, "SHORT_DATE_FORMAT")}
            }
        )


@transaction.atomic
def person_leave_file(
    *, person: Person, reason: str, date: datetime.date, note: str = "", by: User
) -> ActiveFileChange:
    """The person leaves the active file on ``date`` for ``reason`` (a ``LeaveReason``):
    left out of the lists and alerts of the persons followed, still counted in the
    figures of what happened. Refused with a ``ValidationError`` naming the field
    (``reason``, ``date``) or the state (a person already out), writing nothing."""
    person = Person.all_objects.select_for_update().get(pk=person.pk)
    if person.left_file_on is not None:
        raise ValidationError(
            _("%(code)s est déjà hors file active depuis le %(day)s.")
            % {"code": person.code, "day": date_format(person.left_file_on, "SHORT_DATE_FORMAT")}
        )
    if reason not in LeaveReason.values:
        raise ValidationError({"reason": _("Choisissez le motif de sortie de la file active.")})
    _check_file_change(person, date)
    change = ActiveFileChange.objects.create(
        person=person,
        kind=ActiveFileChange.Kind.LEFT,
        reason=reason,
        date=date,
        note=note,
        author=by,
    )
    person.left_file_on, person.left_file_reason = date, reason
    person.save(update_fields=["left_file_on", "left_file_reason"])
    return change


@transaction.atomic
def person_return_to_file(
    *, person: Person, date: datetime.date, note: str = "", by: User
) -> ActiveFileChange:
    """The person comes back to the active file on ``date`` (not before they left it).
    Refused with a ``ValidationError`` when they are in it already, writing nothing."""
    person = Person.all_objects.select_for_update().get(pk=person.pk)
    if person.left_file_on is None:
        raise ValidationError(_("%(code)s est déjà dans la file active.") % {"code": person.code})
    _check_file_change(person, date)
    change = ActiveFileChange.objects.create(
        person=person, kind=ActiveFileChange.Kind.RETURNED, date=date, note=note, author=by
    )
    person.left_file_on, person.left_file_reason = None, ""
    person.save(update_fields=["left_file_on", "left_file_reason"])
    return change


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
    before = Session.objects.filter(pk=session.pk).values_list("date", flat=True).first()
    save_record(session, data)
    if before is not None and before != session.date:
        # Moved as a whole: each contact keeps its time and its place in the night.
        shift = session.date - before
        for contact in session.contacts.all():
            contact.occurred_at += shift
            contact.day = session.date
            contact.save(update_fields=["occurred_at", "day"])
    elsewhere = session.contacts.exclude(day=session.date)
    first = elsewhere.aggregate(first=Min("day"))["first"]
    if first is not None:  # the update sends no signal
        records_changed(min(first.year, session.date.year))
        elsewhere.update(day=session.date)
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
    # The device's id is drawn on the phone, never typed: its unique constraint refuses a
    # second contact of the same id (see ``round_contact_send``).
    contact.full_clean(
        exclude=["day", "person", "channel", "session", "author", "archived_by", "device_id"]
    )
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


def round_contact_send(
    *,
    session: Session,
    row: dict[str, Any],
    by: User,
    device_id,
    new_person: dict[str, Any] | None = None,
) -> tuple[Contact, bool]:
    """Write one contact sent by a phone from a round sheet, in its own transaction:
    ``(contact, True)`` when written, ``(the contact of that id, False)`` when the phone
    had sent it before (a retry, a double tap, two sends at once: the unique
    constraint on ``device_id`` keeps one). ``new_person`` (a person form's cleaned
    data) creates the contact's person along with it, so never twice either.

    Refused with a ``ValidationError`` naming the field, writing nothing.
    """
    sent = Contact.all_objects.filter(device_id=device_id).first()
    if sent is not None:
        return sent, False
    try:
        with transaction.atomic():
            if new_person is not None:
                row = {
                    **row,
                    "person": person_create(data=new_person, by=by),
                    "anonymous_gender": "",
                    "anonymous_age_category": "",
                }
            contact = Contact(
                session=session,
                author=by,
                device_id=device_id,
                occurred_at=row.get("occurred_at") or _occurred_at(session, row.get("time")),
            )
            return _write_contact(contact, row), True
    except IntegrityError:
        # Written meanwhile by the same contact's other send, which committed first.
        sent = Contact.all_objects.filter(device_id=device_id).first()
        if sent is None:
            raise
        return sent, False


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
def partner_save(*, data: dict[str, Any], partner: Partner | None = None) -> Partner:
    """Create or correct a partner of the directory."""
    return save_record(partner or Partner(), data)


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


def place_observation_save(
    *, data: dict[str, Any], by: User, observation: PlaceObservation | None = None
) -> PlaceObservation:
    return save_record(observation or PlaceObservation(author=by), data)


def action_save(*, data: dict[str, Any], by: User, action: Action | None = None) -> Action:
    return save_record(action or Action(author=by), data)


def action_set_status(*, action: Action, status: str, by: User) -> Action:
    """Mark an action done, cancelled, or to do again."""
    action.status = status
    if status == Action.Status.TODO:
        action.done_on, action.done_by = None, None
    else:
        action.done_on, action.done_by = timezone.localdate(), by
    action.save(update_fields=["status", "done_on", "done_by"])
    return action


def handover_note_save(
    *, data: dict[str, Any], by: User, note: HandoverNote | None = None
) -> HandoverNote:
    return save_record(note or HandoverNote(author=by), data)

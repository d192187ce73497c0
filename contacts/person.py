"""What the persons and field-work app holds about a person (see entractes.lib.personfile)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts import access
from contacts.models import (
    Action,
    ActiveFileChange,
    Contact,
    ContactMaterial,
    HandoverNote,
    LegalIdentity,
    MediationEvent,
    Person,
    PersonMerge,
    PlaceObservation,
    ReferralSource,
    search_key,
    sound_key,
)
from contacts.scope import contact_filters
from entractes.lib.personfile import ANONYMISED, Archive, Reads, Record, Section


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


def _material(contact: Contact) -> str:
    return ", ".join(line.material.counted(line.quantity) for line in contact.material_lines.all())


# The person's own fields in the right-of-access document, and their legal identity's.
PERSON_FIELDS = _names(
    "code nickname gender birth_date birth_year age_to_establish languages country_of_origin "
    "sex_work prostitution_modes uses_drugs products referral_source notes "
    "objects_to_health_sharing created_at anonymised_at left_file_on left_file_reason"
)
IDENTITY_FIELDS = _names("last_name first_names birth_date birth_place nationality updated_at")

RECORDS = [
    # The person: anonymisation resets these fields (the code is drawn again, the
    # languages and the legal identity go); gender, birth data, activities, products
    # and prostitution modes stay, as the figures count them.
    Record(
        Person,
        "pk",
        cleared={
            "nickname": ANONYMISED,
            "nickname_key": search_key(ANONYMISED),
            "nickname_sound": sound_key(ANONYMISED),
            "country_of_origin": "",
            "referral_source": ReferralSource.UNKNOWN,
            "notes": "",
        },
    ),
    Record(LegalIdentity, "person", see="persons.read_identity"),
    Record(
        Contact,
        "person",
        archived="archived_at",
        cleared={"note": "", "archive_reason": ANONYMISED},
        holds_person=True,
        meeting="day",
        meeting_filters=contact_filters(),
        section=Section(
            gettext_lazy("Contacts"),
            _names(
                "day occurred_at channel session caarud themes services referrals note archived_at"
            ),
            related=("channel", "session"),
            prefetch=("themes", "services", "referrals", "material_lines__material"),
            extra=((gettext_lazy("matériel remis"), _material),),
            order=("occurred_at",),
        ),
    ),
    Record(ContactMaterial, "contact__person", archived="contact__archived_at"),
    # Actions about the person: their history and content are read with their domain's
    # capability (a health action by the health staff only).
    Record(
        Action,
        "person",
        see="actions.use",
        readable=access.readable_actions,
        archived="archived_at",
        # Nothing is left to do about an anonymised person: open actions are cancelled.
        cleared={
            "title": ANONYMISED,
            "note": "",
            "archive_reason": ANONYMISED,
            "status": Action.Status.CANCELLED,
        },
        section=Section(
            gettext_lazy("Actions"),
            _names("due_on title category status done_on archived_at"),
            see="actions.use",
            withheld=gettext_lazy("Des actions peuvent être suivies par l'équipe."),
            order=("due_on", "pk"),
        ),
    ),
    # Leaving and coming back to the active file: part of the person's file (moved with
    # a merge, back with its undo). Its dates are the team's decisions, not activity of
    # the person: they do not restart the retention clock. The state stays once
    # anonymised (so the person stays out of the lists), the free note goes.
    Record(
        ActiveFileChange,
        "person",
        cleared={"note": ""},
        section=Section(
            gettext_lazy("File active"),
            _names("date kind reason note"),
            order=("date", "created_at"),
        ),
    ),
    # The merges the person took part in: their history goes with the person's, and is
    # not listed (it names the records moved, health records among them).
    Record(PersonMerge, "kept", listed=False),
    Record(PersonMerge, "duplicate", listed=False),
]


def _contact_after(contact: Contact) -> str:
    if contact.session_id:
        return reverse("contacts:session-detail", args=[contact.session_id])
    if contact.person is not None:
        return reverse("contacts:person-detail", args=[contact.person.code])
    return reverse("contacts:session-list")


def _get_person(user, pk: int) -> Person:
    if not user.has_capability("persons.merge"):
        raise Http404
    try:
        return Person.objects.get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


ARCHIVE = [
    Archive(
        "contact",
        gettext_lazy("contact"),
        Contact,
        "contacts.log_anonymous",
        access.get_contact_for_user,
        _contact_after,
        lambda c: _("Contact du %(day)s") % {"day": f"{date_format(c.day, 'SHORT_DATE_FORMAT')}"},
    ),
    Archive(
        "mediation",
        gettext_lazy("médiation"),
        MediationEvent,
        "mediation.log",
        access.get_mediation_for_user,
        lambda m: reverse("contacts:mediation-list"),
        lambda m: (
            _("Médiation du %(day)s") % {"day": f"{date_format(m.date, 'SHORT_DATE_FORMAT')}"}
        ),
    ),
    Archive(
        "place",
        gettext_lazy("observation de lieu"),
        PlaceObservation,
        "places.log",
        access.get_place_observation_for_user,
        lambda o: reverse("contacts:place-list"),
        lambda o: (
            _("Observation du %(day)s") % {"day": f"{date_format(o.date, 'SHORT_DATE_FORMAT')}"}
        ),
    ),
    Archive(
        "action",
        gettext_lazy("action"),
        Action,
        "actions.use",
        access.get_action_for_user,
        lambda a: reverse("agenda:my-day"),
        lambda a: _("Action du %(day)s") % {"day": f"{date_format(a.due_on, 'SHORT_DATE_FORMAT')}"},
    ),
    Archive(
        "handover",
        gettext_lazy("transmission"),
        HandoverNote,
        "handover.use",
        access.get_handover_note_for_user,
        lambda n: reverse("agenda:handover"),
        lambda n: (
            _("Transmission du %(day)s") % {"day": f"{date_format(n.date, 'SHORT_DATE_FORMAT')}"}
        ),
    ),
    Archive(
        "person",
        gettext_lazy("personne"),
        Person,
        "persons.merge",
        _get_person,
        lambda p: reverse("contacts:person-list"),
        lambda p: _("Personne %(code)s") % {"code": p.code},
    ),
]

READS = [
    Reads(
        "identity",
        "persons.read_identity",
        purposes={"identity": gettext_lazy("Affichage de l'identité légale")},
    ),
    Reads(
        "person page",
        None,
        purposes={"person page": gettext_lazy("Suivi : dossier lu sur la fiche de la personne")},
    ),
]

"""The round sheet's sends from a phone: contacts entered offline, posted as JSON.

What the page (static/js/round-sheet.js) posts: ``{"contacts": [...]}``, at most
``MAX_CONTACTS``, each with the ``device_id`` the phone drew for it. The answer has one
result per contact, in order, each saved or refused on its own: ``saved`` or
``already`` (sent before: never written twice) with the contact's id, ``choose`` (the
persons the typed name may be), ``unknown`` (nobody: create or choose), ``invalid``
(the form's French messages by field). A body of another shape: 400 ``{"error": ...}``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from contacts import access, services
from contacts.forms import ContactRowForm, PersonForm, reference_choices
from contacts.matching import resolve
from contacts.models import Contact, Material, Partner, ReferralSource, Session
from entractes.jsonapi import json_api
from entractes.permissions import requires

# Contacts in one send at most: the page sends what is waiting in batches of this size.
MAX_CONTACTS = 50

# Each key of a contact sent, and the JSON types it may take (None: null or missing).
SHAPE: dict[str, tuple[type, ...]] = {
    "device_id": (str,),
    "person": (str, type(None)),
    "person_id": (int, type(None)),
    "new_person": (dict, type(None)),
    "anonymous_gender": (str, type(None)),
    "anonymous_age_category": (str, type(None)),
    "channel": (str, type(None)),
    "caarud": (bool, type(None)),
    "time": (str, type(None)),
    "material": (dict, type(None)),
    "services": (list, type(None)),
    "themes": (list, type(None)),
    "referrals": (list, type(None)),
    "note": (str, type(None)),
}
NEW_PERSON_SHAPE: dict[str, tuple[type, ...]] = {
    "nickname": (str,),
    "gender": (str, type(None)),
    "birth_year": (int, type(None)),
}


class BadShape(Exception):
    """A body that is not the contract's: answered 400 with this French message."""


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _typed(value: Any, types: tuple[type, ...]) -> bool:
    # JSON true is not a number here, nor 1 a boolean.
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def _check_keys(item: dict, shape: dict, where: str) -> None:
    for name, types in shape.items():
        if name not in item and type(None) in types:
            continue
        if not _typed(item.get(name), types):
            raise BadShape(
                _("%(where)s : le champ « %(field)s » n'a pas la forme attendue.")
                % {"where": where, "field": name}
            )


def parse(body: bytes) -> list[dict[str, Any]]:
    """The contacts of a send, checked for shape (not for content: the form does that)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadShape(_("Le contenu envoyé n'est pas du JSON lisible.")) from None
    if not isinstance(data, dict) or not isinstance(data.get("contacts"), list):
        raise BadShape(_('Le contenu envoyé doit être de la forme {"contacts": [...]}.'))
    contacts = data["contacts"]
    if len(contacts) > MAX_CONTACTS:
        raise BadShape(
            _("Au plus %(max)d contacts par envoi : envoyez-les en plusieurs fois.")
            % {"max": MAX_CONTACTS}
        )
    if _has_nul(contacts):
        raise BadShape(_("Le contenu envoyé contient un caractère invalide (octet nul)."))
    for index, item in enumerate(contacts, start=1):
        where = _("Contact n°%(n)d") % {"n": index}
        if not isinstance(item, dict):
            raise BadShape(_("%(where)s : un contact doit être un objet.") % {"where": where})
        _check_keys(item, SHAPE, where)
        try:
            item["device_id"] = uuid.UUID(item["device_id"])
        except ValueError:
            raise BadShape(
                _("%(where)s : « device_id » n'est pas un identifiant valide.") % {"where": where}
            ) from None
        material = item.get("material") or {}
        if not all(isinstance(q, int) and not isinstance(q, bool) for q in material.values()):
            raise BadShape(
                _("%(where)s : les quantités de matériel doivent être des nombres entiers.")
                % {"where": where}
            )
        for name in ("services", "themes", "referrals"):
            if not all(_typed(v, (str, int)) for v in item.get(name) or []):
                raise BadShape(
                    _("%(where)s : « %(field)s » doit être une liste d'identifiants.")
                    % {"where": where, "field": name}
                )
        if item.get("new_person") is not None:
            _check_keys(item["new_person"], NEW_PERSON_SHAPE, where)
    return contacts


class Sheet:
    """What every contact of one send is checked against, read once for all of them."""

    def __init__(self, request, session: Session):
        self.user = request.user
        self.session = session
        self.can_identify = self.user.has_capability("contacts.log")
        self.can_create = self.user.has_capability("persons.edit")
        self.materials = list(Material.objects.filter(active=True))
        self.refs = reference_choices()
        self.slugs = {
            name: {item.slug: item.pk for item in self.refs[name][0]}
            for name in ("channel", "themes", "services")
        }
        self.partners = {p.name.casefold(): p.pk for p in Partner.objects.filter(active=True)}

    def _ref(self, name: str, value) -> Any:
        """The pk the form's field takes for a slug (for partners: a pk or a name); an
        unknown value goes to the form as it is, which refuses it naming the field."""
        if name == "referrals":
            if isinstance(value, int) or str(value).isdigit():
                return value
            return self.partners.get(str(value).casefold(), value)
        return self.slugs[name].get(value, value)

    def form(self, item: dict[str, Any], person_code: str, *, new_person: bool) -> ContactRowForm:
        """The row form of a contact sent; with ``new_person`` its person is created with
        it, so it is not an anonymous contact (no estimated gender asked)."""
        channel = item.get("channel") or self.session.default_channel_slug
        gender = item.get("anonymous_gender") or ("unknown" if new_person else "")
        data: dict[str, Any] = {
            "person": person_code,
            "anonymous_gender": gender,
            "anonymous_age_category": item.get("anonymous_age_category") or "",
            "channel": self._ref("channel", channel),
            "time": item.get("time") or "",
            "note": item.get("note") or "",
            **({"caarud": "on"} if item.get("caarud") else {}),
        }
        for name in ("themes", "services", "referrals"):
            data[name] = [self._ref(name, value) for value in item.get(name) or []]
        for slug, quantity in (item.get("material") or {}).items():
            data[f"qty_{slug}"] = quantity
        return ContactRowForm(
            data,
            materials=self.materials,
            can_identify=self.can_identify,
            refs=self.refs,
            session=self.session,
        )

    def unknown_material(self, item: dict[str, Any]) -> list[str]:
        known = {material.slug for material in self.materials}
        return sorted(set(item.get("material") or {}) - known)


def _form_errors(form) -> dict[str, list[str]]:
    """The form's French messages by the contract's field names (quantities: material)."""
    errors: dict[str, list[str]] = {}
    labels = {f"qty_{m.slug}": m.name for m in form.materials}
    for name, messages in form.errors.items():
        if name in labels:
            errors.setdefault("material", []).extend(f"{labels[name]} : {m}" for m in messages)
        else:
            errors.setdefault(name, []).extend(messages)
    return errors


def _choice(person) -> dict[str, Any]:
    label = str(person)
    if person.left_file_on:
        label = f"{label} · {_('hors file active')}"
    return {"id": person.pk, "label": label}


def send_one(sheet: Sheet, item: dict[str, Any]) -> dict[str, Any]:
    """The result of one contact sent: saved, already, choose, unknown or invalid."""
    device_id = item["device_id"]
    result: dict[str, Any] = {"device_id": str(device_id)}
    sent = Contact.all_objects.filter(device_id=device_id).first()
    if sent is not None:
        return {**result, "status": "already", "contact": sent.pk}
    text = (item.get("person") or "").strip()
    wants_person = bool(text or item.get("person_id") is not None or item.get("new_person"))
    if wants_person and not sheet.can_identify:
        return {
            **result,
            "status": "invalid",
            "errors": {"person": [_("Vous ne pouvez saisir que des contacts anonymes.")]},
        }
    person_code, new_person = "", None
    if item.get("new_person"):
        if not sheet.can_create:
            return {
                **result,
                "status": "invalid",
                "errors": {"new_person": [_("Vous ne pouvez pas créer de fiche de personne.")]},
            }
        described = item["new_person"]
        person_form = PersonForm(
            {
                "nickname": described.get("nickname") or "",
                "gender": described.get("gender") or "unknown",
                "birth_year": described.get("birth_year") or "",
                "referral_source": ReferralSource.UNKNOWN,
            }
        )
        if not person_form.is_valid():
            return {
                **result,
                "status": "invalid",
                "errors": {f"new_person.{k}": v for k, v in person_form.errors.items()},
            }
        new_person = person_form.cleaned_data
    elif item.get("person_id") is not None:
        person = access.persons_for_user(sheet.user).filter(pk=item["person_id"]).first()
        if person is None:
            return {
                **result,
                "status": "invalid",
                "errors": {
                    "person": [
                        _("Cette personne n'est pas dans la liste : choisissez-en une autre.")
                    ]
                },
            }
        person_code = person.code
    elif text:
        found = resolve(text, sheet.user)
        if found.kind == "several":
            return {**result, "status": "choose", "choices": [_choice(p) for p in found.persons]}
        if found.person is None:
            return {
                **result,
                "status": "unknown",
                "message": _(
                    "Aucune personne ne correspond à « %(text)s » : créez-la ou choisissez."
                )
                % {"text": text},
            }
        person_code = found.person.code
    form = sheet.form(item, person_code, new_person=new_person is not None)
    errors = _form_errors(form) if not form.is_valid() else {}
    unknown = sheet.unknown_material(item)
    if unknown:
        errors.setdefault("material", []).append(
            _("Matériel inconnu : %(slugs)s.") % {"slugs": ", ".join(unknown)}
        )
    if errors:
        return {**result, "status": "invalid", "errors": errors}
    try:
        contact, created = services.round_contact_send(
            session=sheet.session,
            row=form.cleaned_data,
            by=sheet.user,
            device_id=device_id,
            new_person=new_person,
        )
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return {**result, "status": "invalid", "errors": errors}
    return {**result, "status": "saved" if created else "already", "contact": contact.pk}


def _sheet_page(pk) -> str:
    return reverse("contacts:round-sheet", args=[pk])


# Each contact commits on its own (the request is not one transaction): a send cut off
# halfway keeps the contacts written, and their resend finds them.
@transaction.non_atomic_requests
@json_api(_sheet_page)
@never_cache
@requires("contacts.log_anonymous")
def round_sheet_send(request, pk):
    if request.method != "POST":
        return JsonResponse({"error": _("Envoyez les contacts par POST.")}, status=405)
    session = access.get_session_for_user(request.user, pk)
    try:
        contacts = parse(request.body)
    except RequestDataTooBig:
        return JsonResponse({"error": _("L'envoi est trop volumineux.")}, status=400)
    except BadShape as error:
        return JsonResponse({"error": str(error)}, status=400)
    sheet = Sheet(request, session)
    return JsonResponse({"results": [send_one(sheet, item) for item in contacts]})

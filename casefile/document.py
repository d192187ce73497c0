"""The right of access (GDPR article 15): the document of everything the service holds
about a person, as far as the requesting user may read it, with the reads of their file.

Each app declares its sections and the reads it logs in its ``person.py``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casefile import registry
from casefile.retention import with_duplicates
from contacts.models import LegalIdentity, Person
from contacts.person import IDENTITY_FIELDS, PERSON_FIELDS
from entractes.lib.personfile import Record
from entractes.models import AccessLogEntry, User

# Why the file was read, from the entry's detail (its start), for the reads this app
# logs itself; the apps declare theirs (``Reads.purposes``).
PURPOSES = {
    "history": gettext_lazy("Historique des modifications de la fiche"),
    "right of access": gettext_lazy("Droit d'accès : document préparé pour la personne"),
    "erasure": gettext_lazy("Effacement des données à la demande ou sur décision"),
}
ACTION_PURPOSES = {
    AccessLogEntry.Action.READ: gettext_lazy("Suivi de la personne"),
    AccessLogEntry.Action.EXPORT: gettext_lazy("Export"),
    AccessLogEntry.Action.PRINT: gettext_lazy("Impression"),
    AccessLogEntry.Action.DRILLDOWN: gettext_lazy("Vérification d'un chiffre du rapport"),
    AccessLogEntry.Action.REFUSED: gettext_lazy("Tentative refusée (accès non autorisé)"),
    AccessLogEntry.Action.ERASE: gettext_lazy("Effacement des données"),
}


def _purposes() -> dict[str, Any]:
    purposes = dict(PURPOSES)
    for reads in registry.reads():
        purposes.update(reads.purposes)
    return purposes


def _purpose(entry: AccessLogEntry, purposes: dict[str, Any]) -> str:
    for start, purpose in purposes.items():
        if entry.detail.startswith(start):
            return str(purpose)
    return str(ACTION_PURPOSES.get(entry.action, ""))


def _label(model, name: str) -> str:
    return capfirst(str(model._meta.get_field(name).verbose_name))


def _value(record: models.Model, name: str) -> Any:
    """A field's value as a person reads it: labels of choices, ISO dates, oui/non."""
    model_field = record._meta.get_field(name)
    if model_field.many_to_many:
        return ", ".join(str(item) for item in getattr(record, name).all())
    value = getattr(record, name)
    if value is None or value == "":
        return ""
    if model_field.choices:
        return str(getattr(record, f"get_{name}_display")())
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return value
    return str(value)


def _row(record: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {_label(type(record), name): _value(record, name) for name in names}


def _section(record: Record, user: User, pks: list[int]) -> dict[str, Any] | None:
    part = record.section
    assert part is not None
    full = part.see is None or user.has_capability(part.see)
    if not full and part.brief is None:
        return {"titre": str(part.title), "remarque": str(part.withheld)} if part.withheld else None
    records = record.model._base_manager.filter(**{f"{record.to_person}__in": pks}).distinct()
    if record.readable is not None:
        records = records.filter(record.readable(user))
    names = part.fields if full else part.brief
    assert names is not None
    related = [name for name in part.related if full or name in names]
    if related:
        records = records.select_related(*related)
    if full and part.prefetch:
        records = records.prefetch_related(*part.prefetch)
    lines = []
    for item in records.order_by(*part.order):
        row = _row(item, names)
        if full:
            row |= {capfirst(str(label)): text(item) for label, text in part.extra}
        lines.append(row)
    section: dict[str, Any] = {"titre": str(part.title), "lignes": lines}
    if not full:
        section["remarque"] = str(part.withheld)
    return section


def _reads_section(user: User, person: Person, pks: list[int]) -> dict[str, Any]:
    """The reads of the person's file: when, by which role, what, why. Colleagues are
    named by their role only: the person's right covers the uses of their data, and
    naming staff to the persons they meet can put them at risk."""
    # Which entries tell of which content: by the start of their detail on the person,
    # or by the record read; each shown to those who may see that content.
    by_prefix = {reads.prefix: reads.see for reads in registry.reads()}
    by_target: dict[str, str | None] = {}
    models_by_target: dict[str, type[models.Model]] = {}
    targets = Q(target_type="contacts.person", target_id__in=[str(pk) for pk in pks])
    for reads in registry.reads():
        for model in reads.targets:
            label = model._meta.label_lower
            by_target[label] = reads.see
            models_by_target[label] = model
            ids = model._base_manager.filter(person__in=pks).values_list("pk", flat=True)
            targets |= Q(target_type=label, target_id__in=[str(pk) for pk in ids])
    detail_url = reverse("contacts:person-detail", kwargs={"code": person.code})
    targets |= Q(target_type="url", target_id__startswith=detail_url)
    entries = (
        AccessLogEntry.objects.filter(targets)
        .select_related("user")
        .prefetch_related("user__roles")
        .order_by("at", "pk")
    )
    purposes = _purposes()
    lines = []
    for entry in entries:
        if entry.target_type == "contacts.person":
            see = by_prefix.get(entry.detail.partition(".")[0])
        else:
            see = by_target.get(entry.target_type)
        if see is not None and not user.has_capability(see):
            continue
        if entry.target_type in models_by_target:
            what = str(models_by_target[entry.target_type]._meta.verbose_name)
        else:
            what = _("la fiche")
        lines.append(
            {
                _("Date"): timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M"),
                _("Par (rôle)"): ", ".join(entry.user.role_labels())
                if entry.user
                else _("le système"),
                _("Action"): str(entry.get_action_display()),
                _("Objet"): what,
                _("Finalité"): _purpose(entry, purposes),
            }
        )
    return {
        "titre": _("Lectures de votre dossier"),
        "remarque": _(
            "Chaque lecture des données protégées est enregistrée et conservée douze mois. "
            "Les membres de l'équipe sont désignés par leur fonction."
        ),
        "lignes": lines,
    }


def person_data_for_user(user: User, person: Person, *, medium: str) -> dict[str, Any]:
    """Everything the service holds about a person, as far as ``user`` may read it (the
    right of access); the export is written to the access log.

    Other teams' content is not given: a section says which team provides it, whether
    the person has such records or not (so that its existence does not leak). Staff
    names are never given.
    """
    AccessLogEntry.objects.record(
        user=user,
        action=AccessLogEntry.Action.EXPORT,
        target=person,
        detail=f"right of access ({medium})",
    )
    pks = with_duplicates([person.pk])
    person = Person.all_objects.prefetch_related("languages", "prostitution_modes", "products").get(
        pk=person.pk
    )
    sections: list[dict[str, Any]] = [{"titre": _("Fiche"), "champs": _row(person, PERSON_FIELDS)}]
    if user.has_capability("persons.read_identity"):
        identity = LegalIdentity.objects.filter(person__in=pks).first()
        sections.append(
            {
                "titre": _("Identité légale"),
                "champs": _row(identity, IDENTITY_FIELDS) if identity else {},
            }
        )
    else:
        sections.append(
            {
                "titre": _("Identité légale"),
                "remarque": _(
                    "Le cas échéant, l'identité légale est communiquée par l'équipe éducative "
                    "ou la direction."
                ),
            }
        )
    for record in registry.records():
        if record.section is None:
            continue
        section = _section(record, user, pks)
        if section is not None:
            sections.append(section)
    sections.append(_reads_section(user, person, pks))
    return {
        "titre": _("Données détenues par Entr'Actes sur la personne %(code)s")
        % {"code": person.code},
        "produit_le": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "note": _(
            "Ce document rassemble les données que le service détient sur vous (droit "
            "d'accès, article 15 du RGPD). Les noms des membres de l'équipe n'y figurent "
            "pas. Pour faire corriger ou effacer vos données, adressez-vous à la direction."
        ),
        "sections": sections,
    }

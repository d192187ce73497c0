"""The spreadsheet format of the records: one sheet (or CSV file) per kind of record.

Every row carries an external id (column ``id``); links between sheets use those ids.
The same declaration drives the import and the export; ``docs/import.md`` describes
every sheet and column of it (a test checks that none is missing).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contacts import models as c
from health import models as h
from minors import models as m
from reporting.models import NarrativeBlock, ReferenceFigure
from rights import models as r


@dataclass(frozen=True)
class Col:
    """A column: its header, the model attribute, and how values are read and written.

    ``kind``: str, text, int, bool, date, datetime, time, decimal, choice, ref (a reference
    list item by slug or label), refs (several, separated by « ; »), link (the id of a row
    of another sheet), links (several ids of rows of another sheet, separated by « ; »),
    quantities (« slug=quantité ; … »), acts (« slug:résultat:précision ; … »).
    """

    name: str
    attr: str
    kind: str = "str"
    required: bool = False
    model: Any = None  # ref / refs: the reference model
    target: str = ""  # link: the sheet
    help: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    model: Any
    columns: tuple[Col, ...]
    title: str = ""
    key: str = "id"  # the column naming the row (merges: the duplicate's id)
    # A unique field by which a row with a new id finds a record not imported before
    # (the partners a new database already lists): that record is updated, not doubled.
    natural: str = ""


PARTIES = [Col(slug, slug, "int") for slug, _label in c.PARTIES]

SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "partners",
        c.Partner,
        (
            Col("name", "name", "str", True),
            Col("kind", "kind", "choice", True),
            Col("phone", "phone", "str"),
            Col("email", "email", "str"),
            Col("address", "address", "str"),
            Col("notes", "notes", "text"),
            Col("active", "active", "bool"),
        ),
        "Partenaires",
        natural="name",
    ),
    Sheet(
        "persons",
        c.Person,
        (
            Col("code", "code", "str", help="laissé vide : généré"),
            Col("nickname", "nickname", "str", True),
            Col("gender", "gender", "choice", True),
            Col("birth_date", "birth_date", "date"),
            Col("birth_year", "birth_year", "int"),
            Col("age_to_establish", "age_to_establish", "bool"),
            Col("languages", "languages", "refs", model=c.Language),
            Col("country_of_origin", "country_of_origin", "str"),
            Col("sex_work", "sex_work", "bool"),
            Col("prostitution_modes", "prostitution_modes", "refs", model=c.ProstitutionMode),
            Col("uses_drugs", "uses_drugs", "bool"),
            Col("products", "products", "refs", model=c.Product),
            Col("referral_source", "referral_source", "choice"),
            Col("objects_to_health_sharing", "objects_to_health_sharing", "bool"),
            Col("notes", "notes", "text"),
            Col("left_file_on", "left_file_on", "date", help="vide : dans la file active"),
            Col(
                "left_file_reason",
                "left_file_reason",
                "choice",
                help="obligatoire avec left_file_on, vide sans",
            ),
        ),
        "Personnes",
    ),
    Sheet(
        "active_file_changes",
        c.ActiveFileChange,
        (
            Col("person", "person", "link", True, target="persons"),
            Col("date", "date", "date", True, help="pas dans le futur"),
            Col("kind", "kind", "choice", True),
            Col(
                "reason",
                "reason",
                "choice",
                help="obligatoire pour une sortie (left), vide pour un retour (returned)",
            ),
            Col("note", "note", "str"),
        ),
        "Sorties et retours de la file active",
    ),
    Sheet(
        "sessions",
        c.Session,
        (
            Col("kind", "kind", "choice", True),
            Col("date", "date", "date", True, help="pas dans le futur"),
            Col("start_time", "start_time", "time"),
            Col("end_time", "end_time", "time"),
            Col("zones", "zones", "refs", model=c.Zone),
            Col("report", "report", "text"),
        ),
        "Sessions",
    ),
    Sheet(
        "contacts",
        c.Contact,
        (
            Col("occurred_at", "occurred_at", "datetime", True, help="pas dans le futur"),
            Col("session", "session", "link", target="sessions"),
            Col("channel", "channel", "ref", True, model=c.Channel),
            Col("person", "person", "link", target="persons"),
            Col(
                "anonymous_gender",
                "anonymous_gender",
                "choice",
                help="obligatoire sans personne (« unknown » quand le genre n'a pas pu être estimé)",
            ),
            Col("anonymous_age_category", "anonymous_age_category", "choice"),
            Col("caarud", "caarud", "bool"),
            Col("themes", "themes", "refs", model=c.Theme),
            Col("services", "services", "refs", model=c.Service),
            Col("material", "material_lines", "quantities", model=c.Material),
            Col("referrals", "referrals", "links", target="partners"),
            Col("note", "note", "str"),
        ),
        "Contacts",
    ),
    Sheet(
        "session_material",
        c.SessionMaterial,
        (
            Col("session", "session", "link", True, target="sessions"),
            Col("material", "material", "ref", True, model=c.Material),
            Col("quantity", "quantity", "int", True),
            Col("mode", "mode", "choice"),
            Col("partner", "partner", "link", target="partners"),
        ),
        "Matériel hors contact",
    ),
    Sheet(
        "session_services",
        c.SessionService,
        (
            Col("session", "session", "link", True, target="sessions"),
            Col("service", "service", "ref", True, model=c.Service),
            Col("count", "count", "int", True),
        ),
        "Prestations sans personne",
    ),
    Sheet(
        "online_sites",
        c.OnlineRoundSite,
        (
            Col("session", "session", "link", True, target="sessions"),
            Col("site", "site", "ref", True, model=c.AdSite),
            Col("messages_sent", "messages_sent", "int"),
            Col("replies", "replies", "int"),
        ),
        "Maraudes numériques",
    ),
    Sheet(
        "followers",
        c.FollowerSnapshot,
        (
            Col("network", "channel", "ref", True, model=c.Channel),
            Col("date", "date", "date", True),
            Col("followers", "followers", "int", True),
        ),
        "Abonnés",
    ),
    Sheet(
        "mediation",
        c.MediationEvent,
        (
            Col("date", "date", "date", True),
            Col("place", "place", "str"),
            Col("zone", "zone", "ref", model=c.Zone),
            *PARTIES,
            Col("themes", "themes", "refs", model=c.MediationTheme),
            Col("what_happened", "what_happened", "text"),
            Col("follow_up", "follow_up", "text"),
        ),
        "Médiation",
    ),
    Sheet(
        "health_sessions",
        h.HealthSession,
        (
            Col("line", "line", "ref", True, model=h.ServiceLine),
            Col("kind", "kind", "choice"),
            Col("date", "date", "date", True),
            Col("start_time", "start_time", "time"),
            Col("end_time", "end_time", "time"),
            Col("place", "place", "choice"),
            Col("partner_name", "partner_name", "str"),
            Col(
                "participants",
                "participants",
                "links",
                target="persons",
                help="séance collective (kind workshop) seulement",
            ),
        ),
        "Permanences santé",
    ),
    Sheet(
        "consultations",
        h.Consultation,
        (
            Col("person", "person", "link", True, target="persons"),
            Col("at", "at", "datetime", True),
            Col("line", "line", "ref", True, model=h.ServiceLine),
            Col("session", "session", "link", target="health_sessions"),
            Col("modality", "modality", "choice"),
            Col("acts", "acts", "acts", model=h.Act),
            Col("next_appointment", "next_appointment", "date"),
        ),
        "Consultations",
    ),
    Sheet(
        "workshops",
        h.Workshop,
        (
            Col("title", "title", "str", True),
            Col("date", "date", "date", True),
            Col("line", "line", "ref", model=h.ServiceLine),
            Col("animators", "animators", "str"),
            Col("participants", "participants", "links", target="persons"),
            Col("participants_count", "participants_count", "int"),
            Col("outcomes", "outcomes", "text"),
            Col("appointments_booked", "appointments_booked", "int"),
        ),
        "Ateliers santé",
    ),
    Sheet(
        "procedures",
        r.Procedure,
        (
            Col("person", "person", "link", True, target="persons"),
            Col("theme", "theme", "ref", True, model=r.ProcedureTheme),
            Col("request", "request", "str", True),
            Col("body", "body", "str"),
            Col("opened_on", "opened_on", "date", True),
            Col("status", "status", "choice"),
            Col("status_on", "status_on", "date"),
            Col("missing_documents", "missing_documents", "text"),
            Col("next_action", "next_action", "str"),
            Col("next_action_due", "next_action_due", "date"),
        ),
        "Démarches",
    ),
    Sheet(
        "procedure_steps",
        r.ProcedureStep,
        (
            Col("procedure", "procedure", "link", True, target="procedures"),
            Col("date", "date", "date", True),
            Col("note", "note", "str", True),
        ),
        "Étapes des démarches",
    ),
    Sheet(
        "psp_files",
        r.PSPFile,
        (
            Col("person", "person", "link", True, target="persons"),
            Col("kind", "kind", "choice", True),
            Col("previous", "previous", "link", target="psp_files"),
            Col("state", "state", "choice"),
            Col("filed_on", "filed_on", "date"),
            Col("commission_date", "commission_date", "date"),
            Col("decision", "decision", "choice"),
            Col("decision_on", "decision_on", "date"),
            Col("decision_reason", "decision_reason", "str"),
            Col("review_outcome", "review_outcome", "choice"),
            Col("review_on", "review_on", "date"),
            Col("path_start", "path_start", "date"),
            Col("path_end", "path_end", "date"),
            Col("permit_start", "permit_start", "date"),
            Col("permit_end", "permit_end", "date"),
            Col("dependants", "dependants", "int"),
            Col("documents", "documents", "refs", model=r.PSPDocumentKind),
            Col("notes", "notes", "text"),
        ),
        "Dossiers PSP",
    ),
    Sheet(
        "minor_files",
        m.MinorFile,
        (
            Col("person", "person", "link", True, target="persons"),
            Col("opened_on", "opened_on", "date", True),
            Col("closed_on", "closed_on", "date"),
            Col("close_reason", "close_reason", "choice"),
            Col("first_meeting_on", "first_meeting_on", "date"),
            Col("first_meeting_place", "first_meeting_place", "choice", True),
            Col("to_assess", "to_assess", "bool"),
            Col("notes", "notes", "text"),
        ),
        "Suivis mineurs",
    ),
    Sheet(
        "file_partners",
        m.FilePartner,
        (
            Col("file", "file", "link", True, target="minor_files"),
            Col("partner", "partner", "link", True, target="partners"),
            Col("referent", "referent", "str"),
            Col("referent_contact", "referent_contact", "str"),
        ),
        "Partenaires des suivis",
    ),
    Sheet(
        "partner_exchanges",
        m.PartnerExchange,
        (
            Col("file", "file", "link", True, target="minor_files"),
            Col("partner", "partner", "link", True, target="partners"),
            Col("date", "date", "date", True),
            Col("note", "note", "str"),
        ),
        "Échanges avec les partenaires",
    ),
    Sheet(
        "safeguarding_reports",
        m.SafeguardingReport,
        (
            Col("file", "file", "link", True, target="minor_files"),
            Col("kind", "kind", "choice", True),
            Col("date", "date", "date", True),
            Col("to_whom", "to_whom", "str"),
            Col("grounds", "grounds", "text"),
            Col("answer", "answer", "text"),
            Col("answer_on", "answer_on", "date"),
        ),
        "Signalements et informations préoccupantes",
    ),
    Sheet(
        "measures",
        m.EducationalMeasure,
        (
            Col("file", "file", "link", True, target="minor_files"),
            Col("kind", "kind", "choice", True),
            Col("start", "start", "date", True),
            Col("end", "end", "date"),
        ),
        "Mesures éducatives",
    ),
    Sheet(
        "runaways",
        m.Runaway,
        (
            Col("file", "file", "link", True, target="minor_files"),
            Col("start", "start", "date", True),
            Col("end", "end", "date"),
            Col("housed_by", "housed_by", "choice"),
            Col("housed_where", "housed_where", "choice"),
        ),
        "Fugues",
    ),
    Sheet(
        "product_uses",
        m.ProductUse,
        (
            Col("file", "file", "link", True, target="minor_files"),
            Col("product", "product", "ref", True, model=c.Product),
            Col("start", "start", "date", True),
            Col("end", "end", "date"),
        ),
        "Consommations",
    ),
    Sheet(
        "received_reports",
        m.ReceivedReport,
        (
            Col("received_on", "received_on", "date", True),
            Col("partner", "partner", "link", target="partners"),
            Col("from_whom", "from_whom", "str"),
            Col("description", "description", "text", True),
            Col("person", "person", "link", target="persons"),
            Col("linked_on", "linked_on", "date"),
        ),
        "Signalements reçus",
    ),
    Sheet(
        "training_cycles",
        m.TrainingCycle,
        (
            Col("title", "title", "str", True),
            Col("institute", "institute", "str"),
            Col("start_date", "start_date", "date", True),
            Col("end_date", "end_date", "date", True),
            Col("days", "days", "decimal", True),
            Col("trainees", "trainees", "int", True),
            Col("trainees_departement", "trainees_departement", "int"),
            Col("satisfaction", "satisfaction", "int"),
        ),
        "Formations",
    ),
    Sheet(
        "awareness_sessions",
        m.AwarenessSession,
        (
            Col("host", "host", "str", True),
            Col("date", "date", "date", True),
            Col("audience", "audience", "str"),
            Col("people", "people", "int"),
        ),
        "Sensibilisations",
    ),
    Sheet(
        "school_sessions",
        m.SchoolSession,
        (
            Col("school", "school", "str", True),
            Col("date", "date", "date", True),
            Col("levels", "levels", "str"),
            Col("pupils", "pupils", "int", True),
            Col("boys", "boys", "int"),
            Col("girls", "girls", "int"),
            Col("satisfaction", "satisfaction", "int"),
            Col("interest", "interest", "int"),
        ),
        "Animations scolaires",
    ),
    Sheet(
        "reference_figures",
        ReferenceFigure,
        (
            Col(
                "key",
                "key",
                "str",
                True,
                help="une clé des chiffres du rapport (attendance.contacts…)",
            ),
            Col("year", "year", "int", True),
            Col("value", "value", "decimal", True),
            Col("source", "source", "str", True),
        ),
        "Chiffres de référence",
    ),
    Sheet(
        "narratives",
        NarrativeBlock,
        (
            Col("year", "year", "int", True),
            Col("kind", "kind", "choice", True),
            Col("part", "part", "choice"),
            Col("title", "title", "str"),
            Col("body", "body", "text"),
            Col("signature", "signature", "str"),
            Col("position", "position", "int"),
        ),
        "Textes du rapport",
    ),
    Sheet(
        "merges",
        c.PersonMerge,
        (
            Col("duplicate", "duplicate", "link", True, target="persons"),
            Col("kept", "kept", "link", True, target="persons"),
        ),
        "Fusions de doublons",
        key="duplicate",
    ),
)

BY_NAME = {sheet.name: sheet for sheet in SHEETS}

# --- The format's documentation -----------------------------------------------------------
# docs/import.md holds, after its hand-written rules, the tables below: ``make import-doc``
# writes them from this declaration, and a test fails when the two differ.

DOC_MARK = (
    "<!-- Les tableaux ci-dessous sont écrits par `make import-doc` depuis exchange/spec.py. -->"
)

KIND_TEXT = {
    "str": "texte",
    "text": "texte long",
    "int": "nombre entier",
    "decimal": "nombre (4,5)",
    "bool": "oui / non",
    "date": "date (31/12/2023 ou 2023-12-31, ou une cellule date)",
    "datetime": "date et heure (31/12/2023 23:40, ou une cellule date et heure)",
    "time": "heure (18:30, ou une cellule heure)",
}


def describe(sheet: Sheet, col: Col) -> str:
    """What a column holds, in French, as the documentation states it."""
    if col.kind == "choice":
        field = sheet.model._meta.get_field(col.attr)
        values = ", ".join(str(value) for value, _label in field.choices if value != "")
        text = f"valeur de la liste : {values}"
    elif col.kind == "ref":
        text = (
            "élément d'une liste de référence (identifiant ou libellé) "
            f"({col.model._meta.verbose_name_plural})"
        )
    elif col.kind == "refs":
        text = f"éléments d'une liste, séparés par « ; » ({col.model._meta.verbose_name_plural})"
    elif col.kind == "link":
        text = f"identifiant d'une ligne de la feuille « {col.target} »"
    elif col.kind == "links":
        text = f"identifiants de lignes de la feuille « {col.target} », séparés par « ; »"
    elif col.kind == "quantities":
        text = (
            "« matériel=quantité » séparés par « ; » "
            f"({col.model._meta.verbose_name_plural}) ; une quantité 0 n'écrit rien"
        )
    elif col.kind == "acts":
        text = (
            "« acte:résultat » ou « acte:résultat:précision » séparés par « ; » "
            f"({col.model._meta.verbose_name_plural})"
        )
    else:
        text = KIND_TEXT[col.kind]
    return f"{text} — {col.help}" if col.help else text


def document(text: str) -> str:
    """docs/import.md's text with its tables written from the declaration: the
    hand-written part before the mark is kept as it is."""
    head = text.split(DOC_MARK)[0].rstrip("\n")
    return f"{head}\n\n{markdown()}"


def markdown() -> str:
    """The tables of every sheet and column, in French, as docs/import.md holds them."""
    from django.utils import translation

    with translation.override("fr"):
        return _markdown()


def _markdown() -> str:
    parts = [DOC_MARK, ""]
    for sheet in SHEETS:
        parts += [f"## {sheet.name} — {sheet.title}", ""]
        parts += ["| colonne | obligatoire | valeur |", "|---|---|---|"]
        if sheet.key == "id":
            parts.append("| id | oui | identifiant externe de la ligne (unique dans la feuille) |")
        for col in sheet.columns:
            required = "oui" if col.required else "non"
            parts.append(f"| {col.name} | {required} | {describe(sheet, col)} |")
        parts.append("")
    return "\n".join(parts)

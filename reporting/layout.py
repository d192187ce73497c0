"""The report's sections as the 2023 report presents them: key-figure cards with sentence
labels, lists and tables, each figure beside the previous year's. Built from the
figures (and the lists of named records, see ``records_snapshot``); nothing is counted
here."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count

from contacts.models import Material, Session, SessionKind
from entractes.lib.figures import Value
from health.models import Workshop
from minors.models import AwarenessSession, SchoolSession, TrainingCycle
from reporting.figures import change
from reporting.labels import list_labels

# Lines of the health unit shown one by one, with what the report says of each.
MAIN_LINES = ("nurse", "doctor", "midwife")
PARTNER_LINES = (
    "fibroscan",
    "socio_esthetics",
    "health_insurance_desk",
    "osteopathy",
    "massage",
    "sophrology",
)


@dataclass
class Item:
    """A figure as the document prints it."""

    label: str
    value: Value
    previous: Value = None
    unit: str = "count"
    key: str = ""
    parts: list[Item] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        return change(self.value, self.previous) if self.unit != "share" else None

    @property
    def present(self) -> bool:
        return bool(self.value)


def agree(count: Value, one: str, many: str) -> str:
    """The French form for a count: singular for 0 and 1, plural above."""
    return one if count is None or abs(count) < 2 else many


class Figures:
    """The year's values and the previous year's, as items."""

    def __init__(self, values: dict[str, Value], previous: dict[str, Value]):
        self.values, self.previous = values, previous

    def get(self, key: str) -> Value:
        return self.values.get(key)

    def item(self, key: str, label: str | tuple[str, str], unit: str = "count", **extra) -> Item:
        value = self.values.get(key)
        if isinstance(label, tuple):
            label = agree(value, *label)
        return Item(label, value, self.previous.get(key), unit, key, **extra)

    def family(
        self, template: str, name: str, *, only=None, unit: str = "count", skip_zero=False
    ) -> list[Item]:
        """One item per item of a reference list, in the list's order (``template``
        holds ``{}`` where the slug goes)."""
        items = []
        for slug, label in list_labels(name).items():
            if only is not None and slug not in only:
                continue
            key = template.format(slug)
            if key not in self.values:
                continue
            item = self.item(key, label, unit)
            if skip_zero and not item.value and not item.previous:
                continue
            items.append(item)
        return items

    def ratio(self, label: str, part: str, whole: str) -> Item:
        def share(values):
            top, bottom = values.get(part), values.get(whole)
            return round(top / bottom, 3) if top is not None and bottom else None

        return Item(label, share(self.values), share(self.previous), "share")


def records_snapshot(year: int) -> dict[str, list[dict]]:
    """The named records the document lists (workshops, awareness and school sessions,
    training cycles) as plain data, frozen with a publication. One query per list."""

    def day(value: datetime.date) -> str:
        return value.isoformat()

    workshops = (
        Workshop.objects.filter(date__year=year).select_related("line").order_by("date", "pk")
    )
    kinds = dict(SessionKind.choices)
    modes = Session.objects.in_year(year).values("kind").annotate(n=Count("pk")).order_by("kind")
    order = list(kinds)
    return {
        "modes": [
            {"label": str(kinds.get(row["kind"], row["kind"])), "sessions": row["n"]}
            for row in sorted(
                modes, key=lambda r: order.index(r["kind"]) if r["kind"] in order else 99
            )
        ],
        "workshops": [
            {
                "title": w.title,
                "date": day(w.date),
                "line": str(w.line) if w.line else "",
                "animators": w.animators,
                "participants": w.participants_count,
                "appointments": w.appointments_booked,
            }
            for w in workshops
        ],
        "awareness": [
            {"host": a.host, "date": day(a.date), "audience": a.audience, "people": a.people}
            for a in AwarenessSession.objects.filter(date__year=year).order_by("date", "pk")
        ],
        "training": [
            {
                "title": t.title,
                "institute": t.institute,
                "start": day(t.start_date),
                "end": day(t.end_date),
                "days": float(t.days),
                "trainees": t.trainees,
            }
            for t in TrainingCycle.objects.filter(start_date__year=year).order_by(
                "start_date", "pk"
            )
        ],
        "schools": sorted(
            {s.school for s in SchoolSession.objects.filter(date__year=year).only("school")}
        ),
    }


def _dated(rows: list[dict], *names: str) -> list[dict]:
    return [
        {**row, **{name: datetime.date.fromisoformat(row[name]) for name in names}} for row in rows
    ]


def sections(
    values: dict[str, Value], previous: dict[str, Value], records: dict[str, list]
) -> dict:
    """Everything the document shows, part by part."""
    f = Figures(values, previous)
    return {
        "key": _key_figures(f),
        "harm_reduction": _harm_reduction(f),
        "health": _health(f, records),
        "rights": _rights(f),
        "mediation": _mediation(f),
        "online": _online(f),
        "minors": _minors(f),
        "training": _training(f, records),
    }


def _key_figures(f: Figures) -> dict:
    return {
        "general": [
            f.item("attendance.contacts", ("contact", "contacts")),
            f.item(
                "attendance.people",
                ("personne accueillie ou rencontrée", "personnes accueillies ou rencontrées"),
                parts=[
                    f.item(
                        "attendance.people_minors", ("mineur·e avéré·e", "mineur·e·s avéré·e·s")
                    ),
                    f.item(
                        "attendance.people_young_adults", ("jeune majeur·e", "jeunes majeur·e·s")
                    ),
                ],
            ),
        ],
        "caarud": [
            f.item("caarud.contacts", ("contact CAARUD", "contacts CAARUD")),
            f.item(
                "caarud.people",
                ("personne usagère de drogues", "personnes usagères de drogues"),
                parts=[f.item("caarud.people_minors", ("mineur·e", "mineur·e·s"))],
            ),
            f.item(
                "caarud.new_people",
                ("nouvelle personne usagère de drogues", "nouvelles personnes usagères de drogues"),
            ),
        ],
        "share": f.item("caarud.share_of_people", "part de la file active globale", "share"),
        "services": f.family("services.{}", "service", skip_zero=True),
    }


def _harm_reduction(f: Figures) -> dict:
    categories = dict(Material.objects.values_list("slug", "category"))
    materials = f.family("rdr.material.{}", "material", unit="quantity", skip_zero=True)

    def of(category: str) -> list[Item]:
        return [m for m in materials if categories.get(m.key.rsplit(".", 1)[1]) == category]

    return {
        "people": f.item(
            "caarud.people",
            (
                "travailleur·se du sexe usager·ère de drogues",
                "travailleur·se·s du sexe usager·ère·s de drogues",
            ),
        ),
        "men": f.ratio(
            "d'hommes parmi les personnes usagères de drogues",
            "caarud.gender.male",
            "caarud.people",
        ),
        "gender": f.family("caarud.gender.{}", "gender", skip_zero=True),
        "products": f.family("caarud.products.{}", "product", skip_zero=True),
        "drug_use": of(Material.Category.DRUG_USE),
        "sex_work": of(Material.Category.SEX_WORK),
        "other": of(Material.Category.OTHER),
    }


def _line(f: Figures, slug: str, label: str) -> dict:
    sessions = ("permanence ou atelier réalisé", "permanences ou ateliers réalisés")
    rows = [
        f.item(f"health.{slug}.sessions", sessions),
        f.item(f"health.{slug}.people", ("personne différente vue", "personnes différentes vues")),
        f.item(
            f"health.{slug}.consultations",
            ("consultation ou séance réalisée", "consultations ou séances réalisées"),
        ),
    ]
    return {"slug": slug, "label": label, "rows": rows}


def _health(f: Figures, records: dict) -> dict:
    lines = list_labels("line")
    main = [_line(f, slug, lines[slug]) for slug in MAIN_LINES if slug in lines]
    for line in main:
        if line["slug"] == "nurse":
            people, consultations = line["rows"][1], line["rows"][2]
            people.parts = [
                f.item(
                    "health.nurse.people_drug_users",
                    ("personne usagère de drogues", "personnes usagères de drogues"),
                )
            ]
            consultations.parts = [
                f.item(
                    "health.nurse.consultations_drug_users",
                    (
                        "consultation dédiée aux personnes usagères de drogues",
                        "consultations dédiées aux personnes usagères de drogues",
                    ),
                )
            ]
            line["rows"] += [
                f.item(
                    "health.nurse.digital_outreach",
                    ("consultation en outreach numérique", "consultations en outreach numérique"),
                ),
                f.item("health.nurse.screenings", ("dépistage réalisé", "dépistages réalisés")),
            ]
        if line["slug"] == "midwife":
            line["rows"].append(
                f.item("health.midwife.smears", ("frottis réalisé", "frottis réalisés"))
            )
    partners = [
        _line(f, slug, label)
        for slug, label in lines.items()
        if slug not in MAIN_LINES and (slug in PARTNER_LINES or f.get(f"health.{slug}.sessions"))
    ]
    return {
        "main": main,
        "partners": [p for p in partners if any(r.value or r.previous for r in p["rows"])],
        "workshops": f.item(
            "health.workshops", ("atelier santé collectif", "ateliers santé collectifs")
        ),
        "workshop_list": _dated(records.get("workshops", []), "date"),
    }


def _rights(f: Figures) -> dict:
    themes = []
    for slug, label in list_labels("procedure_theme").items():
        opened = f.item(f"rights.procedures.{slug}.opened", label)
        completed = f.item(f"rights.procedures.{slug}.completed", label)
        if opened.value or completed.value or opened.previous or completed.previous:
            themes.append({"label": label, "opened": opened, "completed": completed})
    total_opened = sum(t["opened"].value or 0 for t in themes)
    total_completed = sum(t["completed"].value or 0 for t in themes)
    return {
        "themes": themes,
        "opened": total_opened,
        "completed": total_completed,
        "psp": [
            f.item(
                "rights.psp.first_requests",
                ("dossier de première demande déposé", "dossiers de première demande déposés"),
            ),
            f.item(
                "rights.psp.renewals",
                ("dossier de renouvellement déposé", "dossiers de renouvellement déposés"),
            ),
            f.item("rights.psp.favourable", ("avis favorable", "avis favorables")),
        ],
    }


def _mediation(f: Figures) -> dict:
    return {
        "events": f.item("mediation.events", ("médiation réalisée", "médiations réalisées")),
        "parties": f.family("mediation.contacts.{}", "party"),
        "themes": f.family("mediation.themes.{}", "mediation_theme"),
    }


def _online(f: Figures) -> dict:
    networks = []
    for slug, label in list_labels("network").items():
        followers = f.item(f"social.{slug}.followers", label)
        contacts = f.item(f"social.{slug}.contacts", label)
        if f"social.{slug}.followers" in f.values:
            networks.append({"label": label, "followers": followers, "contacts": contacts})
    return {
        "cards": [
            f.item(
                "digital.messages_sent",
                (
                    "message envoyé sur les sites d'annonces",
                    "messages envoyés sur les sites d'annonces",
                ),
            ),
            f.item("digital.reply_rate", "de réponses reçues", "share"),
            f.item("digital.parcels", ("« colis du net » expédié", "« colis du net » expédiés")),
            f.item(
                "digital.new_people_at_drop_in",
                (
                    "nouvelle personne accueillie au local",
                    "nouvelles personnes accueillies au local",
                ),
            ),
            f.item("digital.hiv_selftests_sent", ("autotest VIH envoyé", "autotests VIH envoyés")),
        ],
        "themes": f.family("digital.themes.{}", "theme", skip_zero=True),
        "networks": networks,
        "people": f.item(
            "social.people",
            ("personne différente", "personnes différentes"),
            parts=[f.item("social.people_minors", ("mineur·e", "mineur·e·s"))],
        ),
    }


def _table(
    f: Figures, template: str, rows_name: str, columns_name: str, *, rows=None, columns=None
):
    """A table of a two-slug family: one row per item of ``rows_name``, one column per
    item of ``columns_name`` (``template`` takes the row's slug, then the column's)."""
    row_labels = list_labels(rows_name)
    column_labels = list_labels(columns_name)
    row_slugs = [s for s in row_labels if rows is None or s in rows]
    column_slugs = [
        c
        for c in column_labels
        if (columns is None or c in columns)
        and any(f.values.get(template.format(r, c)) for r in row_slugs)
    ]
    return {
        "columns": [column_labels[c] for c in column_slugs],
        "rows": [
            {
                "label": row_labels[r],
                "cells": [f.item(template.format(r, c), column_labels[c]) for c in column_slugs],
            }
            for r in row_slugs
        ],
    }


def _minors(f: Figures) -> dict:
    categories = list_labels("category")
    genders = {
        "girl": ("fille", "filles"),
        "boy": ("garçon", "garçons"),
        "trans": ("personne transgenre", "personnes transgenres"),
    }
    measures = {
        "single": ("mesure simple", "mesures simples"),
        "double": ("double mesure", "doubles mesures"),
        "none": ("sans mesure", "sans mesure"),
        "to_assess": ("diagnostic à affiner", "diagnostics à affiner"),
    }
    people = f.item(
        "minors.people",
        ("mineur·e ou jeune majeur·e rencontré·e", "mineur·e·s et jeunes majeur·e·s rencontré·e·s"),
        parts=[
            f.item(
                "minors.people.minor",
                ("jeune dont la minorité est avérée", "jeunes dont la minorité est avérée"),
            ),
            f.item(
                "minors.people.young_adult",
                ("jeune majeur·e (moins de 21 ans)", "jeunes majeur·e·s (moins de 21 ans)"),
            ),
            f.item(
                "minors.people.age_unknown",
                ("jeune dont l'âge reste à déterminer", "jeunes dont l'âge reste à déterminer"),
            ),
        ],
    )
    consumers = [f.item(f"minors.consumers.{c}", label) for c, label in categories.items()]
    return {
        "people": people,
        "reported": f.item(
            "minors.reported_not_met",
            (
                "mineur·e signalé·e sans avoir été rencontré·e",
                "mineur·e·s signalé·e·s sans avoir été rencontré·e·s",
            ),
        ),
        "ages": [f.item(f"minors.age.{n}", f"{n} ans") for n in range(10, 18)],
        "genders": [f.item(f"minors.gender.{g}", forms) for g, forms in genders.items()],
        "measures": [f.item(f"minors.measures.{m}", forms) for m, forms in measures.items()],
        "runaways": f.item("minors.runaways.people", ("mineur·e", "mineur·e·s")),
        "runaways_base": f.item("minors.runaways.base", "mineur·e·s"),
        "housed_by": f.family("minors.runaways.housed_by.{}", "housed_by"),
        "housed_where": f.family("minors.runaways.housed_where.{}", "housed_where"),
        "consumers": consumers,
        "consumers_total": sum(c.value or 0 for c in consumers),
        "products": _table(f, "minors.products.{}.{}", "category", "minor_product"),
        "tobacco": [f.item(f"minors.tobacco.{c}", label) for c, label in categories.items()],
        "first_meeting": _table(
            f, "minors.first_meeting.{}.{}", "category", "place", rows=("minor", "young_adult")
        ),
        "modes": _table(
            f, "minors.prostitution_modes.{}.{}", "category", "mode", rows=("minor", "young_adult")
        ),
    }


def _training(f: Figures, records: dict) -> dict:
    return {
        "cycles": f.item("training.cycles", ("cycle de formation", "cycles de formation")),
        "days": f.item("training.days", ("jour de formation", "jours de formation"), "days"),
        "trainees": f.item(
            "training.trainees", ("professionnel·le formé·e", "professionnel·le·s formé·e·s")
        ),
        "departement": f.item(
            "training.trainees_departement_share", "en fonction au Département", "share"
        ),
        "satisfaction": f.item("training.satisfaction", "satisfait·e·s", "share"),
        "awareness": f.item(
            "awareness.sessions", ("session de sensibilisation", "sessions de sensibilisation")
        ),
        "schools": f.item("schools.sessions", ("session d'animation", "sessions d'animations")),
        "pupils": f.item(
            "schools.pupils", ("adolescent·e rencontré·e", "adolescent·e·s rencontré·e·s")
        ),
        "boys": f.item("schools.boys", ("garçon", "garçons")),
        "girls": f.item("schools.girls", ("fille", "filles")),
        "school_satisfaction": f.item("schools.satisfaction", "des jeunes satisfait·e·s", "share"),
        "school_interest": f.item(
            "schools.interest", "ont trouvé les thèmes intéressants", "share"
        ),
        "cycle_list": _dated(records.get("training", []), "start", "end"),
        "awareness_list": _dated(records.get("awareness", []), "date"),
        "school_list": records.get("schools", []),
    }

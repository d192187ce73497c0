"""The yearly extract in the shape of the national CAARUD activity report.

Each line of the national report is declared here as the figure keys it adds up (the
keys of ``../spec/annual-report.md``, computed by the apps' figure declarations); the
modes of intervention come from one more declared family, the CAARUD contacts by kind
of channel (``contacts.figures.caarud_modes``). Nothing is counted here: a line is the
sum of its keys. ``docs/caarud-extract.md`` documents the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import translation

from contacts import figures as contacts_figures
from contacts.models import Channel
from entractes.lib.exports import to_csv
from entractes.lib.figures import Value
from reporting import descriptions
from reporting.figures import kept_figures

# The national report's sections, in its order.
SECTIONS = {
    "file_active": "File active",
    "contacts": "Contacts",
    "modes": "Modes d'intervention",
    "materiel": "Matériel de réduction des risques distribué",
    "actes": "Actes et prestations",
    "mediation": "Médiation",
}


@dataclass(frozen=True)
class Line:
    section: str
    code: str
    label: str
    keys: tuple[str, ...]

    def value(self, values: dict[str, Value]) -> int:
        return sum(int(values.get(key) or 0) for key in self.keys)


FIXED = [
    Line(
        "file_active", "personnes", "Personnes différentes (file active CAARUD)", ("caarud.people",)
    ),
    Line(
        "file_active",
        "nouvelles_personnes",
        "dont rencontrées pour la première fois",
        ("caarud.new_people",),
    ),
    Line("file_active", "mineurs", "dont mineur·es", ("caarud.people_minors",)),
    Line("file_active", "femmes", "Femmes", ("caarud.gender.female",)),
    Line("file_active", "hommes", "Hommes", ("caarud.gender.male",)),
    Line(
        "file_active",
        "personnes_trans_non_binaires",
        "Personnes trans et non binaires",
        ("caarud.gender.trans_woman", "caarud.gender.trans_man", "caarud.gender.non_binary"),
    ),
    Line("file_active", "genre_inconnu", "Genre non renseigné", ("caarud.gender.unknown",)),
    Line("contacts", "contacts", "Contacts liés à l'usage de drogues", ("caarud.contacts",)),
    Line(
        "contacts", "contacts_toute_activite", "Contacts, toute activité", ("attendance.contacts",)
    ),
    Line("modes", "locaux", "Accueil dans les locaux", ("national.modes.drop_in",)),
    Line("modes", "aller_vers", "Aller-vers : rue, unité mobile", ("national.modes.outreach",)),
    Line("modes", "domicile", "Visites à domicile", ("national.modes.home",)),
    Line("modes", "partenaires", "Chez un partenaire", ("national.modes.partner",)),
    Line("modes", "telephone", "Téléphone", ("national.modes.phone",)),
    Line("modes", "envoi_postal", "Envoi postal de matériel", ("national.modes.post",)),
    Line(
        "modes",
        "en_ligne",
        "En ligne : sites d'annonces, réseaux sociaux",
        tuple(f"national.modes.{kind}" for kind in Channel.ONLINE),
    ),
    Line("actes", "soins_infirmiers", "Consultations infirmières", ("health.nurse.consultations",)),
    Line("actes", "depistages", "Dépistages rapides (TROD)", ("health.nurse.screenings",)),
    Line(
        "actes",
        "consultations_medicales",
        "Consultations médicales",
        ("health.doctor.consultations",),
    ),
    Line("mediation", "evenements", "Actions de médiation", ("mediation.events",)),
]

# Lines of a reference list, one per slug: (section, prefix of the keys, code prefix).
LISTED = [
    ("materiel", "rdr.material.", "materiel_"),
    ("actes", "services.", "prestation_"),
    ("mediation", "mediation.contacts.", "personnes_rencontrees_"),
]


def lines(values: dict[str, Value]) -> list[Line]:
    """The extract's lines for a year's keys: the fixed ones, one per material, service
    and mediation party found among the keys, and the procedures opened in all."""
    found = list(FIXED)
    with translation.override("fr"):
        labels = descriptions.labels(sorted(values))
    for section, prefix, code in LISTED:
        for key in sorted(k for k in values if k.startswith(prefix)):
            slug = key.removeprefix(prefix)
            found.append(Line(section, code + slug, labels[key], (key,)))
    opened = tuple(
        sorted(k for k in values if k.startswith("rights.procedures.") and k.endswith(".opened"))
    )
    found.append(
        Line("actes", "demarches_acces_droits", "Démarches d'accès aux droits ouvertes", opened)
    )
    order = list(SECTIONS)
    return sorted(found, key=lambda line: order.index(line.section))


def extract(year: int) -> Iterator[tuple[str, str, str, int, str]]:
    """(section, code, label, value, source keys) of every line of the year."""
    values = dict(kept_figures(year))
    values.update(contacts_figures.caarud_modes(year))
    for line in lines(values):
        yield (
            SECTIONS[line.section],
            line.code,
            line.label,
            line.value(values),
            "+".join(line.keys),
        )


def extract_csv(year: int) -> bytes:
    return to_csv(["section", "code", "libelle", str(year), "cles"], list(extract(year))).encode(
        "utf-8"
    )

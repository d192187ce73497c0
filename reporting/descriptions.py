"""One description of every figure of the report: its French label as the 2023 report
words it, an English label, its definition in plain words (the specification's) in
French and in English, its unit and its section.

Keys of the families generated from reference lists (``rdr.material.<material>``,
``rights.procedures.<theme>.opened``...) are described by pattern: the item's label
comes from its list, so an item an administrator adds gets its description with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import translation

from contacts.models import (
    PARTIES,
    Channel,
    Gender,
    Material,
    MediationTheme,
    Product,
    ProstitutionMode,
    Service,
    Theme,
)
from health.models import ServiceLine
from minors import figures as minors_figures
from minors.models import MinorFile, Runaway
from reporting.figures import SECTIONS
from rights.models import ProcedureTheme

# Units: how a value reads (and prints: a share as a percentage).
UNITS = {
    "count": ("nombre", "count"),
    "quantity": ("quantité distribuée", "quantity handed out"),
    "share": ("part (en %)", "share (in %)"),
    "days": ("jours", "days"),
    "euros": ("montant en euros", "amount in euros"),
}


@dataclass(frozen=True)
class Description:
    key: str
    label: str
    label_en: str
    definition: str
    definition_en: str
    unit: str
    section: str

    @property
    def section_title(self) -> str:
        return next(title for slug, title, _p in SECTIONS if slug == self.section)

    @property
    def unit_label(self) -> str:
        french, english = UNITS[self.unit]
        return english if _english() else french

    @property
    def label_here(self) -> str:
        """The label in the active language."""
        return self.label_en if _english() else self.label

    @property
    def definition_here(self) -> str:
        """The definition in the active language."""
        return self.definition_en if _english() else self.definition

    @property
    def search_text(self) -> str:
        return folded(f"{self.key} {self.label} {self.label_en}")


def _english() -> bool:
    return (translation.get_language() or "fr").startswith("en")


def folded(text: str) -> str:
    """Lower case without accents, for a search that forgives them."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def section_of(key: str) -> str:
    return next((slug for slug, _t, prefixes in SECTIONS if key.startswith(prefixes)), "")


# Keys with no slug in them: label, English label, definition, English definition, unit.
FIXED: dict[str, tuple[str, str, str, str, str]] = {
    "attendance.contacts": (
        "Contacts",
        "Contacts",
        "Contacts de l'année, tous canaux, personnes identifiées ou anonymes.",
        "Contacts of the year, every channel, identified or anonymous persons.",
        "count",
    ),
    "attendance.people": (
        "Personnes accueillies ou rencontrées",
        "People welcomed or met",
        "Personnes différentes rencontrées dans l'année (file active) : au moins un "
        "contact ou une consultation dans l'année, doublons fusionnés comptés une fois.",
        "Distinct persons met in the year (active list): at least one contact or one consultation "
        "in the year, merged duplicates counted once.",
        "count",
    ),
    "attendance.people_minors": (
        "dont mineur·es avéré·es",
        "of whom minors",
        "Personnes de la file active âgées de moins de 18 ans à leur première rencontre "
        "de l'année.",
        "Persons of the active list under 18 at their first meeting of the year.",
        "count",
    ),
    "attendance.people_young_adults": (
        "dont jeunes majeur·es (18-20 ans)",
        "of whom young adults (18-20)",
        "Personnes de la file active âgées de 18, 19 ou 20 ans à leur première rencontre "
        "de l'année.",
        "Persons of the active list aged 18, 19 or 20 at their first meeting of the year.",
        "count",
    ),
    "caarud.contacts": (
        "Contacts CAARUD",
        "CAARUD contacts",
        "Contacts de l'année marqués comme liés à l'usage de drogues (activité CAARUD).",
        "Contacts of the year flagged as drug-use related (CAARUD activity).",
        "count",
    ),
    "caarud.people": (
        "Personnes usagères de drogues",
        "People who use drugs",
        "Personnes rencontrées dans l'année dont le profil indique un usage de drogues.",
        "Persons met in the year whose profile says they use drugs.",
        "count",
    ),
    "caarud.people_minors": (
        "Personnes usagères de drogues, dont mineur·es",
        "People who use drugs, of whom minors",
        "Personnes usagères de drogues de moins de 18 ans à leur première rencontre de l'année.",
        "People who use drugs under 18 at their first meeting of the year.",
        "count",
    ),
    "caarud.new_people": (
        "Nouvelles personnes usagères de drogues",
        "New people who use drugs",
        "Personnes usagères de drogues dont la toute première rencontre a eu lieu dans l'année.",
        "People who use drugs whose first meeting ever is in the year.",
        "count",
    ),
    "caarud.share_of_people": (
        "Part des personnes usagères de drogues dans la file active",
        "Share of people who use drugs in the active list",
        "Personnes usagères de drogues divisées par les personnes rencontrées dans l'année.",
        "People who use drugs divided by the persons met in the year.",
        "share",
    ),
    "health.midwife.smears": (
        "Frottis réalisés",
        "Cervical smears",
        "Actes de frottis cervico-vaginal de l'année, quelle que soit la ligne de soin.",
        "Cervical-smear acts of the year, whatever the line.",
        "count",
    ),
    "health.nurse.screenings": (
        "Dépistages réalisés (infirmière)",
        "Screenings (nurse)",
        "Actes de dépistage (tests rapides VIH, VHC, syphilis...) lors des consultations "
        "infirmières de l'année.",
        "Screening acts (rapid tests: HIV, HCV, syphilis...) in nurse consultations of the year.",
        "count",
    ),
    "health.nurse.people_drug_users": (
        "Personnes usagères de drogues vues par l'infirmière",
        "People who use drugs seen by the nurse",
        "Personnes vues en consultation infirmière dans l'année dont le profil indique "
        "un usage de drogues.",
        "Persons seen in a nurse consultation in the year whose profile says they use drugs.",
        "count",
    ),
    "health.nurse.consultations_drug_users": (
        "Consultations infirmières dédiées aux personnes usagères de drogues",
        "Nurse consultations of people who use drugs",
        "Consultations infirmières de l'année des personnes dont le profil indique un "
        "usage de drogues.",
        "Nurse consultations of the year of persons whose profile says they use drugs.",
        "count",
    ),
    "health.nurse.digital_outreach": (
        "Consultations outreach numérique",
        "Digital outreach consultations",
        "Consultations infirmières de l'année en modalité « outreach numérique ».",
        "Nurse consultations of the year with the modality “online outreach”.",
        "count",
    ),
    "health.workshops": (
        "Ateliers collectifs santé",
        "Collective health workshops",
        "Ateliers collectifs de santé de l'année (titres, dates et participant·es dans "
        "le rapport).",
        "Collective health workshops of the year (titles, dates and participants in the report).",
        "count",
    ),
    "rights.psp.first_requests": (
        "PSP : dossiers de première demande déposés",
        "Exit programme (PSP): first requests filed",
        "Dossiers de Parcours de Sortie de Prostitution de type « première demande » "
        "déposés dans l'année.",
        "Prostitution exit programme (PSP) files of kind “first request” filed in the year.",
        "count",
    ),
    "rights.psp.renewals": (
        "PSP : dossiers de renouvellement déposés",
        "Exit programme (PSP): renewals filed",
        "Dossiers PSP de renouvellement déposés dans l'année.",
        "PSP renewal files filed in the year.",
        "count",
    ),
    "rights.psp.favourable": (
        "PSP : avis favorables",
        "Exit programme (PSP): favourable decisions",
        "Dossiers PSP déposés dans l'année dont la dernière décision (après un éventuel "
        "recours) est favorable.",
        "PSP files filed in the year whose last decision (after any review) is favourable.",
        "count",
    ),
    "mediation.events": (
        "Médiations réalisées",
        "Mediation events",
        "Évènements de médiation sociale de l'année.",
        "Social mediation events of the year.",
        "count",
    ),
    "digital.messages_sent": (
        "Messages envoyés sur les sites d'annonces",
        "Messages sent on ad sites",
        "Messages envoyés sur les sites d'annonces pendant les maraudes numériques de l'année.",
        "Messages sent on ad sites during the year's online rounds.",
        "count",
    ),
    "digital.replies": (
        "Réponses reçues",
        "Replies received",
        "Réponses reçues à ces messages.",
        "Replies received to those messages.",
        "count",
    ),
    "digital.reply_rate": (
        "Taux de réponse",
        "Reply rate",
        "Réponses reçues divisées par les messages envoyés.",
        "Replies received divided by messages sent.",
        "share",
    ),
    "digital.parcels": (
        "« Colis du net » expédiés",
        "Parcels sent",
        "Contacts de l'année par envoi postal.",
        "Contacts of the year by post.",
        "count",
    ),
    "digital.hiv_selftests_sent": (
        "Autotests VIH envoyés",
        "HIV self-tests sent",
        "Autotests VIH remis sur les contacts par envoi postal de l'année.",
        "HIV self-tests handed out on the year's contacts by post.",
        "quantity",
    ),
    "digital.new_people_at_drop_in": (
        "Nouvelles personnes accueillies au local",
        "New people at the drop-in",
        "Personnes dont le tout premier contact a eu lieu en ligne et le premier contact "
        "au local dans l'année.",
        "Persons whose first contact ever was online and whose first drop-in contact is in the "
        "year.",
        "count",
    ),
    "social.people": (
        "Réseaux sociaux : personnes différentes",
        "Social networks: distinct people",
        "Personnes différentes ayant eu un contact sur un réseau social dans l'année.",
        "Distinct persons with a contact on a social network in the year.",
        "count",
    ),
    "social.people_minors": (
        "Réseaux sociaux : dont mineur·es",
        "Social networks: of whom minors",
        "Parmi elles, personnes de moins de 18 ans à leur première rencontre de l'année.",
        "Of those, persons under 18 at their first meeting of the year.",
        "count",
    ),
    "minors.people": (
        "Mineur·es et jeunes majeur·es rencontré·es",
        "Minors and young adults met",
        "Personnes suivies dans l'année (dossier mineur·e ouvert au moins un jour de "
        "l'année) : mineur·es, jeunes majeur·es et âge à déterminer.",
        "Persons followed in the year (minors' file open on at least one day of the year): "
        "minors, young adults and age unknown.",
        "count",
    ),
    "minors.reported_not_met": (
        "Mineur·es signalé·es non rencontré·es",
        "Minors reported, not met",
        "Signalements de partenaires reçus dans l'année au sujet d'un·e mineur·e et non "
        "rattachés à une personne au 31 décembre.",
        "Partners' reports received in the year about a minor and not linked to a person by 31 "
        "December.",
        "count",
    ),
    "minors.measures.single": (
        "Mesures simples",
        "Single measures",
        "Mineur·es suivi·es ayant au plus une mesure éducative en cours un même jour de l'année.",
        "Followed minors with at most one educational measure in force on one same day of the "
        "year.",
        "count",
    ),
    "minors.measures.double": (
        "Doubles mesures",
        "Double measures",
        "Mineur·es suivi·es ayant deux mesures éducatives ou plus en cours un même jour "
        "de l'année.",
        "Followed minors with two or more educational measures in force on one same day of the "
        "year.",
        "count",
    ),
    "minors.measures.none": (
        "Sans mesure",
        "No measure",
        "Mineur·es suivi·es sans mesure éducative dans l'année.",
        "Followed minors with no educational measure in the year.",
        "count",
    ),
    "minors.measures.to_assess": (
        "Diagnostics à affiner",
        "To assess",
        "Mineur·es suivi·es sans mesure éducative dont le dossier est marqué « à évaluer ».",
        "Followed minors with no educational measure whose file is flagged “to assess”.",
        "count",
    ),
    "minors.runaways.base": (
        "Mineur·es de moins de 18 ans dans l'année",
        "Under 18 during the year",
        "Personnes suivies âgées de moins de 18 ans au moins un jour de l'année (base des fugues).",
        "Followed persons under 18 on at least one day of the year (base of the runaways).",
        "count",
    ),
    "minors.runaways.people": (
        "Mineur·es ayant fugué au moins une fois",
        "Minors who ran away at least once",
        "Parmi elles, personnes ayant une fugue qui chevauche l'année.",
        "Of those, persons with a runaway episode overlapping the year.",
        "count",
    ),
    "training.cycles": (
        "Cycles de formation",
        "Training cycles",
        "Cycles de formation commençant dans l'année.",
        "Training cycles starting in the year.",
        "count",
    ),
    "training.days": (
        "Jours de formation",
        "Training days",
        "Total des jours de ces cycles.",
        "Total days of those cycles.",
        "days",
    ),
    "training.trainees": (
        "Professionnel·les formé·es",
        "Trainees",
        "Total des stagiaires de ces cycles.",
        "Total trainees of those cycles.",
        "count",
    ),
    "training.trainees_departement_share": (
        "Part des stagiaires en fonction au Département",
        "Share of trainees from the Département",
        "Stagiaires venant du Département divisés par le total des stagiaires.",
        "Trainees from the Département divided by the total trainees.",
        "share",
    ),
    "training.satisfaction": (
        "Taux de satisfaction des stagiaires",
        "Trainees' satisfaction",
        "Taux de satisfaction des stagiaires, pondéré par le nombre de stagiaires.",
        "Trainees' satisfaction rate, weighted by the number of trainees.",
        "share",
    ),
    "awareness.sessions": (
        "Journées de sensibilisation",
        "Awareness sessions",
        "Sessions de sensibilisation de l'année (établissements d'accueil dans le rapport).",
        "Awareness sessions of the year (host institutions in the report).",
        "count",
    ),
    "schools.sessions": (
        "Sessions d'animations scolaires",
        "School sessions",
        "Sessions d'animation en milieu scolaire de l'année.",
        "School sessions of the year.",
        "count",
    ),
    "schools.pupils": (
        "Adolescent·es rencontré·es en milieu scolaire",
        "Pupils met",
        "Total des élèves de ces sessions.",
        "Total pupils of those sessions.",
        "count",
    ),
    "schools.boys": (
        "dont garçons",
        "of whom boys",
        "Total des garçons de ces sessions.",
        "Total boys of those sessions.",
        "count",
    ),
    "schools.girls": (
        "dont filles",
        "of whom girls",
        "Total des filles de ces sessions.",
        "Total girls of those sessions.",
        "count",
    ),
    "schools.satisfaction": (
        "Jeunes satisfait·es de l'intervention",
        "Pupils satisfied",
        "Taux tiré du questionnaire des élèves, pondéré par le nombre d'élèves.",
        "Rate from the pupils' questionnaire, weighted by the number of pupils.",
        "share",
    ),
    "schools.interest": (
        "Jeunes ayant trouvé les thématiques intéressantes",
        "Pupils who found the themes interesting",
        "Taux tiré du questionnaire des élèves, pondéré par le nombre d'élèves.",
        "Rate from the pupils' questionnaire, weighted by the number of pupils.",
        "share",
    ),
}

# Items of the lists the families are generated from: slug -> (French, English).
Items = dict[str, tuple[str, str]]


def _humanised(slug: str) -> str:
    return slug.replace("_", " ")


def _listed(model, **filters) -> Callable[[], Items]:
    def items() -> Items:
        rows = model.objects.filter(**filters).order_by("position", "slug")
        return {
            slug: (label, english or _humanised(slug))
            for slug, label, english in rows.values_list("slug", "label", "label_en")
        }

    return items


def _choices(pairs, only: Iterable[str] | None = None) -> Callable[[], Items]:
    def items() -> Items:
        kept = set(only) if only is not None else None
        result = {}
        for slug, label in pairs:
            if kept is None or slug in kept:
                with translation.override("en"):
                    english = str(label)
                with translation.override("fr"):
                    result[slug] = (str(label), english)
        return result

    return items


def _fixed(items: Items) -> Callable[[], Items]:
    return lambda: items


CATEGORIES: Items = {
    "minor": ("mineur·es", "minors"),
    "young_adult": ("jeunes majeur·es", "young adults"),
    "age_unknown": ("âge à déterminer", "age unknown"),
}
MINOR_GENDERS: Items = {
    "girl": ("filles", "girls"),
    "boy": ("garçons", "boys"),
    "trans": ("trans", "trans"),
}

# Where each placeholder of a pattern takes its slugs and labels.
SOURCES: dict[str, Callable[[], Items]] = {
    "gender": _choices(Gender.choices),
    "product": _listed(Product),
    "material": _listed(Material),
    "service": _listed(Service),
    "line": _listed(ServiceLine),
    "procedure_theme": _listed(ProcedureTheme),
    "party": _choices(PARTIES),
    "mediation_theme": _listed(MediationTheme),
    "theme": _listed(Theme),
    "network": _listed(Channel, kind=Channel.Kind.SOCIAL_NETWORK),
    "category": _fixed(CATEGORIES),
    "age": _fixed({str(n): (f"{n} ans", f"{n} years old") for n in range(10, 18)}),
    "minor_gender": _fixed(MINOR_GENDERS),
    "housed_by": _choices(Runaway.HousedBy.choices, minors_figures.HOUSED_BY),
    "housed_where": _choices(Runaway.HousedWhere.choices, minors_figures.HOUSED_WHERE),
    "minor_product": lambda: {
        slug: names for slug, names in _listed(Product)().items() if slug != minors_figures.TOBACCO
    },
    "place": _choices(MinorFile.Place.choices),
    "mode": _listed(ProstitutionMode),
}


@dataclass(frozen=True)
class Family:
    """Keys generated from reference lists: ``template`` names its placeholders
    (``{material}``), which the labels and the definitions use too."""

    template: str
    label: str
    label_en: str
    definition: str
    definition_en: str
    unit: str = "count"

    @property
    def names(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.template)

    def describe(self, slugs: dict[str, str], items: dict[str, Items]) -> Description:
        french = {name: items[name][slug][0] for name, slug in slugs.items()}
        english = {name: items[name][slug][1] for name, slug in slugs.items()}
        key = self.template.format(**slugs)
        return Description(
            key=key,
            label=_capitalised(self.label.format(**french)),
            label_en=_capitalised(self.label_en.format(**english)),
            definition=self.definition.format(**french),
            definition_en=self.definition_en.format(**english),
            unit=self.unit,
            section=section_of(key),
        )


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


FAMILIES = [
    Family(
        "caarud.gender.{gender}",
        "Personnes usagères de drogues : {gender}",
        "People who use drugs: {gender}",
        "Personnes usagères de drogues rencontrées dans l'année dont le genre est « {gender} ».",
        "People who use drugs met in the year whose gender is “{gender}”.",
    ),
    Family(
        "caarud.products.{product}",
        "Personnes usagères de drogues consommant : {product}",
        "People who use drugs using: {product}",
        "Personnes usagères de drogues rencontrées dans l'année dont le profil mentionne "
        "le produit « {product} » (plusieurs produits possibles par personne).",
        "People who use drugs met in the year whose profile names the product “{product}” "
        "(several products per person possible).",
    ),
    Family(
        "rdr.material.{material}",
        "Matériel distribué : {material}",
        "Material handed out: {material}",
        "Quantités de « {material} » remises dans l'année : sur les contacts (colis "
        "compris) et sur les sessions (libre-service, stock laissé chez un partenaire).",
        "Quantities of “{material}” handed out in the year: on contacts (parcels included) and on "
        "sessions (self-service, stock left with a partner).",
        "quantity",
    ),
    Family(
        "services.{service}",
        "Prestation : {service}",
        "Service: {service}",
        "Contacts de l'année où la prestation « {service} » a été rendue.",
        "Contacts of the year where the service “{service}” was given.",
    ),
    Family(
        "health.{line}.sessions",
        "{line} : permanences réalisées",
        "{line}: sessions",
        "Permanences et ateliers de la ligne « {line} » datés de l'année.",
        "Sessions and workshops of the line “{line}” dated in the year.",
    ),
    Family(
        "health.{line}.people",
        "{line} : personnes différentes vues",
        "{line}: distinct people seen",
        "Personnes différentes ayant eu une consultation de la ligne « {line} » dans "
        "l'année (chaque participant·e d'une séance collective compte).",
        "Distinct persons with a consultation of the line “{line}” in the year (each participant "
        "of a group session counts).",
    ),
    Family(
        "health.{line}.consultations",
        "{line} : consultations réalisées",
        "{line}: consultations",
        "Consultations (soins, examens) de la ligne « {line} » dans l'année ; une séance "
        "collective compte une fois.",
        "Consultations (care sessions, exams) of the line “{line}” in the year; a group session "
        "counts once.",
    ),
    Family(
        "rights.procedures.{procedure_theme}.opened",
        "Démarches ouvertes : {procedure_theme}",
        "Procedures opened: {procedure_theme}",
        "Démarches d'accès aux droits du thème « {procedure_theme} » ouvertes dans l'année.",
        "Access-to-rights procedures of the theme “{procedure_theme}” opened in the year.",
    ),
    Family(
        "rights.procedures.{procedure_theme}.completed",
        "Démarches abouties : {procedure_theme}",
        "Procedures completed: {procedure_theme}",
        "Démarches du thème « {procedure_theme} » passées à « abouti » dans l'année.",
        "Procedures of the theme “{procedure_theme}” that reached “completed” in the year.",
    ),
    Family(
        "mediation.contacts.{party}",
        "Personnes rencontrées en médiation : {party}",
        "People met in mediation: {party}",
        "Somme, sur les médiations de l'année, des personnes rencontrées : {party}.",
        "Sum, over the year's mediation events, of the people met: {party}.",
    ),
    Family(
        "mediation.themes.{mediation_theme}",
        "Médiations sur le thème : {mediation_theme}",
        "Mediation events on: {mediation_theme}",
        "Médiations de l'année où le thème « {mediation_theme} » a été abordé.",
        "Mediation events of the year where the theme “{mediation_theme}” was dealt with.",
    ),
    Family(
        "digital.themes.{theme}",
        "Contacts en ligne sur le thème : {theme}",
        "Online contacts on: {theme}",
        "Contacts de l'année sur un canal en ligne où le thème « {theme} » a été abordé.",
        "Contacts of the year on an online channel where the theme “{theme}” was discussed.",
    ),
    Family(
        "social.{network}.followers",
        "{network} : nombre d'abonnés",
        "{network}: followers",
        "Dernier relevé d'abonnés de l'année sur {network} (vide sans relevé).",
        "The year's last follower count on {network} (empty with no count).",
    ),
    Family(
        "social.{network}.contacts",
        "{network} : contacts réalisés",
        "{network}: contacts",
        "Contacts de l'année passés par {network}.",
        "Contacts of the year through {network}.",
    ),
    Family(
        "minors.people.{category}",
        "File active mineur·es : {category}",
        "Minors' active list: {category}",
        "Personnes suivies dans l'année de la catégorie « {category} ».",
        "Persons followed in the year of the category “{category}”.",
    ),
    Family(
        "minors.age.{age}",
        "Mineur·es de {age}",
        "Minors aged {age}",
        "Mineur·es suivi·es dans l'année âgé·es de {age}.",
        "Minors followed in the year aged {age}.",
    ),
    Family(
        "minors.gender.{minor_gender}",
        "Mineur·es : {minor_gender}",
        "Minors: {minor_gender}",
        "Mineur·es suivi·es dans l'année, {minor_gender} (trans : femmes et hommes trans, "
        "personnes non binaires).",
        "Minors followed in the year, {minor_gender} (trans: trans women and men, non-binary "
        "persons).",
    ),
    Family(
        "minors.runaways.housed_by.{housed_by}",
        "Fugues, hébergé·es par : {housed_by}",
        "Runaways, housed by: {housed_by}",
        "Fugues qui chevauchent l'année où le ou la jeune a été hébergé·e par : {housed_by}.",
        "Runaway episodes overlapping the year where the young person was housed by: {housed_by}.",
    ),
    Family(
        "minors.runaways.housed_where.{housed_where}",
        "Fugues, hébergé·es où : {housed_where}",
        "Runaways, housed where: {housed_where}",
        "Les mêmes fugues, lieu d'hébergement : {housed_where}.",
        "The same runaway episodes, place of housing: {housed_where}.",
    ),
    Family(
        "minors.consumers.{category}",
        "Jeunes consommateur·rices : {category}",
        "Young people using products: {category}",
        "Personnes suivies ({category}) consommant au moins un produit autre que le tabac "
        "dans l'année.",
        "Followed persons ({category}) using at least one product other than tobacco in the year.",
    ),
    Family(
        "minors.products.{category}.{minor_product}",
        "Produits consommés, {category} : {minor_product}",
        "Products used, {category}: {minor_product}",
        "Personnes suivies ({category}) consommant « {minor_product} » dans l'année.",
        "Followed persons ({category}) using “{minor_product}” in the year.",
    ),
    Family(
        "minors.tobacco.{category}",
        "Consommation de tabac : {category}",
        "Tobacco use: {category}",
        "Personnes suivies ({category}) consommant du tabac dans l'année.",
        "Followed persons ({category}) using tobacco in the year.",
    ),
    Family(
        "minors.first_meeting.{category}.{place}",
        "Première rencontre, {category} : {place}",
        "First meeting, {category}: {place}",
        "Personnes suivies ({category}) dont le dossier indique comme lieu de première "
        "rencontre : {place}.",
        "Followed persons ({category}) whose file gives as place of first meeting: {place}.",
    ),
    Family(
        "minors.prostitution_modes.{category}.{mode}",
        "Modes de prostitution, {category} : {mode}",
        "Ways of prostitution, {category}: {mode}",
        "Personnes suivies ({category}) dont le profil mentionne : {mode} (plusieurs "
        "modes possibles par personne).",
        "Followed persons ({category}) whose profile names: {mode} (several ways per person "
        "possible).",
    ),
]


def _items(names: Iterable[str]) -> dict[str, Items]:
    return {name: SOURCES[name]() for name in set(names)}


def _fixed_description(key: str) -> Description:
    label, label_en, definition, definition_en, unit = FIXED[key]
    return Description(key, label, label_en, definition, definition_en, unit, section_of(key))


def all_descriptions() -> dict[str, Description]:
    """Every key the report can give, described (one query per reference list)."""
    items = _items(name for family in FAMILIES for name in family.names)
    found = {key: _fixed_description(key) for key in FIXED}
    for family in FAMILIES:
        names = family.names
        combinations: list[dict[str, str]] = [{}]
        for name in names:
            combinations = [{**c, name: slug} for c in combinations for slug in items[name]]
        for slugs in combinations:
            description = family.describe(slugs, items)
            found[description.key] = description
    return dict(sorted(found.items()))


def describe(keys: Iterable[str]) -> dict[str, Description]:
    """The descriptions of ``keys`` (a key with none is left out)."""
    every = all_descriptions()
    return {key: every[key] for key in keys if key in every}


def labels(keys: Iterable[str]) -> dict[str, str]:
    """Each key's label in the active language (the key itself when it has none)."""
    found = describe(keys := list(keys))
    return {key: found[key].label_here if key in found else key for key in keys}

"""The demo's partner directory (what each partner offers, how to reach it: invented,
with numbers of the range kept for fiction) and a few recent place observations."""

from __future__ import annotations

import datetime
import random

from contacts.models import Partner, PlaceObservation, Zone
from entractes.models import User

# By the names the reference lists give the partners.
PARTNERS = {
    "CAARUD partenaire": (
        "Accueil, matériel de réduction des risques, analyse de produits.",
        "Du lundi au vendredi, 13h-17h",
    ),
    "CeGIDD": (
        "Dépistage VIH, hépatites et IST, anonyme et gratuit ; PrEP et TPE.",
        "Lundi, mercredi 9h-12h ; jeudi 14h-18h",
    ),
    "CMP de secteur": ("Consultations de psychiatrie adulte, sur rendez-vous.", "9h-17h"),
    "CSAPA": (
        "Soins en addictologie, traitements de substitution, accompagnement social.",
        "Du lundi au vendredi, 9h-18h",
    ),
    "Hôpital": ("Urgences, consultations, IVG, maternité.", "Urgences jour et nuit"),
    "Hébergement d'urgence (115)": (
        "Mise à l'abri et hébergement d'urgence : appeler le 115.",
        "Jour et nuit",
    ),
    "CPAM": ("Ouverture des droits, complémentaire santé solidaire, AME.", "Sur rendez-vous"),
}

NOTES = {
    PlaceObservation.Kind.MATERIAL_FOUND: "Seringues usagées au pied de l'escalier, ramassées.",
    PlaceObservation.Kind.TENSION: "Altercation entre deux groupes en début de soirée.",
    PlaceObservation.Kind.NEW_SQUAT: "Tentes installées derrière le square.",
    PlaceObservation.Kind.POLICE: "Contrôles répétés, les personnes se déplacent plus loin.",
}


def partners() -> None:
    for number, (name, (offer, hours)) in enumerate(sorted(PARTNERS.items()), start=10):
        Partner.objects.filter(name=name, offer="").update(
            offer=offer, hours=hours, phone=f"01 99 00 {number:02d} {number + 20:02d}"
        )


def places(seed: int, until: datetime.date, author: User) -> None:
    """Observations over the last four weeks before ``until``, from a random generator
    of their own (the records' generator is left as it is)."""
    rng = random.Random(seed + 1)
    zones = list(Zone.objects.filter(active=True))
    if not zones:
        return
    kinds = list(NOTES)
    PlaceObservation.objects.bulk_create(
        PlaceObservation(
            date=until - datetime.timedelta(days=rng.randrange(28)),
            zone=rng.choice(zones),
            kind=(kind := rng.choice(kinds)),
            note=NOTES[kind],
            author=author,
        )
        for _ in range(8)
    )

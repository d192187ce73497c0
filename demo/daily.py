"""The demo's daily work: a few actions around today and the last shifts' handover,
from a random generator of their own (the records' generator is left as it is)."""

from __future__ import annotations

import datetime
import random

from contacts.models import Action, HandoverNote, Person, Shift
from entractes.models import User

ACTIONS = [
    ("Accompagner au CeGIDD pour le dépistage", Action.Category.APPOINTMENT, "outreach", True),
    ("Rappeler la CPAM pour l'AME", Action.Category.CALL, "outreach", False),
    ("Apporter des kits base et des pipes à crack", Action.Category.MATERIAL, "all", False),
    ("Orienter vers le CSAPA pour un rendez-vous", Action.Category.REFERRAL, "outreach", False),
    ("Passer voir au squat du canal", Action.Category.VISIT, "outreach", True),
    ("Préparer la domiciliation", Action.Category.PROCEDURE, "outreach", False),
]
HANDOVER = [
    (
        Shift.EVENING,
        "Maraude calme rue de Béthune ; beaucoup de demandes de préservatifs et de gel.",
        "Une jeune femme nouvelle sur le secteur gare, à revoir : pas encore de fiche.",
    ),
    (
        Shift.NIGHT,
        "Antenne mobile : 25 passages, tension entre deux groupes vers 23 h, calmée.",
        "Une personne très amaigrie au parking relais : proposer l'infirmière demain.",
    ),
    (
        Shift.DAY,
        "Accueil du matin : petit-déjeuner, douches, deux demandes de domiciliation.",
        "Le stock de pipes à crack est bas pour la tournée de ce soir.",
    ),
]


def daily(seed: int, until: datetime.date, staff: dict[str, User]) -> None:
    rng = random.Random(seed + 2)
    # Adults met in the last months: those the team is following now.
    recent = until - datetime.timedelta(days=120)
    persons = list(
        Person.objects.in_active_file()
        .filter(birth_year__lt=until.year - 21, contacts__day__gte=recent)
        .distinct()
        .order_by("pk")[:40]
    )
    if not persons:
        return
    holders = [staff["educatrice"], staff["animatrice"], None]
    actions = []
    for title, category, team, urgent in ACTIONS:
        actions.append(
            Action(
                person=rng.choice(persons) if category != Action.Category.MATERIAL else None,
                title=title,
                category=category,
                team=team,
                urgent=urgent,
                due_on=until + datetime.timedelta(days=rng.randrange(-2, 6)),
                assignee=rng.choice(holders),
                author=staff["educatrice"],
            )
        )
    Action.objects.bulk_create(actions)
    yesterday = until - datetime.timedelta(days=1)
    HandoverNote.objects.bulk_create(
        HandoverNote(
            date=yesterday if shift != Shift.DAY else until,
            shift=shift,
            happened=happened,
            to_watch=to_watch,
            author=staff["educatrice"] if shift != Shift.NIGHT else staff["animatrice"],
        )
        for shift, happened, to_watch in HANDOVER
    )

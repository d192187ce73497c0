"""The demo's health unit: practitioners' sessions, consultations with acts, group
sessions with their participants, a workshop."""

from __future__ import annotations

import datetime
import random

from demo import targets as T
from demo.population import Demo
from demo.tools import days_of, insert, moment, partition
from health.models import Act, Consultation, ConsultationAct, HealthSession, ServiceLine, Workshop

PLACES = {"doctor": "mobile_unit", "nurse": "drop_in"}
MODALITY = {"doctor": "mobile_unit"}


def _eligible(demos: list[Demo], year: int) -> list[Demo]:
    # Followed young people are seen from January to November, and never before their
    # first meeting of the year is settled (see the field work).
    return [d for d in demos if year in d.years and not d.special_young_adult]


def _day(
    rng: random.Random, sessions: list[HealthSession], demo: Demo
) -> tuple[datetime.date, HealthSession | None]:
    choices = [s for s in sessions if demo.category is None or s.date.month < 12]
    session = rng.choice(choices)
    return session.date, session


def _participants(
    rng: random.Random, sessions: list[HealthSession], held: int, pool: list[Demo], people: int
) -> None:
    """``people`` adults coming to ``held`` of the sessions: each of those sessions has
    somebody, each person comes once or more; nobody came to the others."""
    chosen = rng.sample(sorted(sessions, key=lambda s: s.date), min(held, len(sessions)))
    adults = rng.sample([d for d in pool if d.category is None], people)
    came: dict[HealthSession, set[int]] = {s: set() for s in chosen}
    for index, demo in enumerate(adults):
        session = chosen[index] if index < held else rng.choice(chosen)
        came[session].add(demo.person.pk)
    for demo in rng.sample(adults, people // 2):  # some come back another time
        came[rng.choice(chosen)].add(demo.person.pk)
    through = HealthSession.participants.through
    through.objects.bulk_create(
        through(healthsession_id=session.pk, person_id=pk)
        for session, pks in came.items()
        for pk in sorted(pks)
    )


# The acts of an ordinary consultation, by line (never a screening or a smear: those
# are counted by the report and drawn to the seed above).
EVERYDAY_ACTS = {
    "nurse": [
        "wound_care",
        "lab_screening",
        "specialist_referral",
        "pregnancy_test",
        "contraception",
        "vaccination",
    ],
    "doctor": ["prescription_renewal", "specialist_referral"],
    "midwife": ["gynaecological_exam", "contraception", "pregnancy_test"],
    "fibroscan": ["fibroscan_exam"],
    "health_insurance_desk": ["rights_interview"],
}
# What can be done without meeting (online outreach).
AT_A_DISTANCE = ["lab_screening", "specialist_referral"]
WELLBEING = "wellbeing_care"
FEMALE_ONLY = {"pregnancy_test", "gynaecological_exam"}
DETAILS = {
    "vaccination": ["Hépatite B", "HPV", "Grippe", "Covid-19", "DTP"],
    "contraception": ["Préservatifs", "Pilule", "Implant", "Contraception d'urgence"],
    "specialist_referral": ["Dermatologie", "Addictologie", "Psychiatrie", "Dentiste", "CeGIDD"],
}
# A few consultations of each year are left with no act, as in real records.
BARE = (3, 8)


def _everyday_acts(
    rng: random.Random,
    consultations: list[Consultation],
    rows: list[ConsultationAct],
    acts: dict[str, Act],
) -> list[ConsultationAct]:
    """One ordinary act for every consultation that has none yet, but a few."""
    done = {id(row.consultation) for row in rows}
    pending = [c for c in consultations if id(c) not in done]
    bare = {id(c) for c in rng.sample(pending, min(len(pending), rng.randint(*BARE)))}
    added = []
    for consultation in pending:
        if id(consultation) in bare:
            continue
        if consultation.modality == "online_outreach":
            slugs = AT_A_DISTANCE
        else:
            slugs = EVERYDAY_ACTS.get(consultation.line.slug, [WELLBEING])
        if consultation.person.gender == "male":
            slugs = [slug for slug in slugs if slug not in FEMALE_ONLY] or slugs
        act = acts[rng.choice(slugs)]
        added.append(
            ConsultationAct(
                consultation=consultation,
                act=act,
                detail=rng.choice(DETAILS[act.slug]) if act.needs_detail else "",
                result=rng.choices(["negative", "positive"], [92, 8])[0]
                if act.needs_result
                else "",
            )
        )
    return added


def health(
    rng: random.Random,
    year: int,
    demos: list[Demo],
    staff: dict,
    end: datetime.date | None = None,
) -> None:
    lines = {line.slug: line for line in ServiceLine.objects.all()}
    acts = {act.slug: act for act in Act.objects.all()}
    pool = _eligible(demos, year)
    consultations: list[Consultation] = []
    sessions: list[HealthSession] = []
    for slug, (n_sessions, _people, _consultations) in T.HEALTH[year].items():
        days = list(days_of(year, {1, 3, 4}, end=end))
        for day in sorted(rng.sample(days, min(n_sessions, len(days)))):
            sessions.append(
                HealthSession(
                    line=lines[slug],
                    kind="workshop" if slug in T.GROUP_LINES else "permanence",
                    date=day,
                    start_time=datetime.time(15 if slug != "doctor" else 19),
                    place=PLACES.get(slug, "drop_in"),
                    created_by=staff["nurse"],
                    practitioner=staff.get(slug),
                    partner_name="" if slug in staff else "Intervenant·e partenaire",
                )
            )
    HealthSession.objects.bulk_create(sessions)
    by_line: dict[str, list[HealthSession]] = {}
    for session in sessions:
        by_line.setdefault(session.line.slug, []).append(session)

    for slug, (_s, n_people, n_consultations) in T.HEALTH[year].items():
        if slug in T.GROUP_LINES:
            _participants(rng, by_line[slug], n_consultations, pool, n_people)
            continue
        if slug == "nurse":
            users = [d for d in pool if d.person.uses_drugs]
            others = [d for d in pool if not d.person.uses_drugs]
            people_users = rng.sample(users, T.NURSE_DRUG_USERS[year])
            people_others = rng.sample(others, n_people - T.NURSE_DRUG_USERS[year])
            counts = partition(
                rng, T.NURSE_DRUG_USER_CONSULTATIONS[year], len(people_users), 1
            ) + partition(
                rng, n_consultations - T.NURSE_DRUG_USER_CONSULTATIONS[year], len(people_others), 1
            )
            people = people_users + people_others
        else:
            people = rng.sample(pool, n_people)
            counts = partition(rng, n_consultations, n_people, 1)
        for demo, count in zip(people, counts, strict=True):
            for _ in range(count):
                day, session = _day(rng, by_line[slug], demo)
                consultations.append(
                    Consultation(
                        person=demo.person,
                        at=moment(day, 15 if slug != "doctor" else 20, rng.randint(0, 59)),
                        line=lines[slug],
                        session=session,
                        modality=MODALITY.get(slug, "drop_in"),
                        author=staff.get(slug, staff["nurse"]),
                    )
                )
    nurse = [c for c in consultations if c.line.slug == "nurse"]
    for consultation in rng.sample(nurse, T.NURSE_ONLINE[year]):
        consultation.modality, consultation.session = "online_outreach", None
    for consultation in consultations:
        consultation.fill_derived()
    Consultation.objects.bulk_create(consultations, batch_size=1000)

    rows = []
    screenings = ["trod_hiv", "trod_hcv", "trod_syphilis"]
    for consultation in rng.sample(
        [c for c in nurse if c.modality != "online_outreach"], T.SCREENINGS[year]
    ):
        rows.append(
            ConsultationAct(
                consultation=consultation,
                act=acts[rng.choice(screenings)],
                result=rng.choices(["negative", "positive", "pending"], [90, 3, 7])[0],
            )
        )
    midwife = [c for c in consultations if c.line.slug == "midwife"]
    for consultation in rng.sample(midwife, T.SMEARS[year]):
        rows.append(
            ConsultationAct(
                consultation=consultation,
                act=acts["cervical_smear"],
                result=rng.choice(["negative", "pending"]),
            )
        )
    for consultation in rng.sample(nurse, 60):
        rows.append(
            ConsultationAct(consultation=consultation, act=acts["vaccination"], detail="Hépatite B")
        )
    for consultation in [c for c in consultations if c.line.slug == "fibroscan"]:
        rows.append(
            ConsultationAct(
                consultation=consultation, act=acts["fibroscan_exam"], result="negative"
            )
        )
    rows += _everyday_acts(rng, consultations, rows, acts)
    insert(rows)

    if year == 2023:
        workshop = Workshop.objects.create(
            title="Octobre rose : dépistage du cancer du sein",
            date=datetime.date(2023, 10, 26),
            line=lines["midwife"],
            animators="Infirmière et sage-femme",
            participants_count=12,
            outcomes="Trois rendez-vous de mammographie pris.",
            appointments_booked=3,
            created_by=staff["nurse"],
        )
        workshop.participants.set([d.person for d in rng.sample(pool, 5)])

"""The demo's other years: 2021 (the year before, the one the 2023 report compares
with for a few figures), what 2022 lacked (the minors' follow-up, the first training
actions...) and every year after 2023 up to a given day.

Everything here runs after 2022 and 2023 are built, with random streams of its own
derived from the seed: 2022 and 2023 come out the same whatever the last day is. The
volumes of a later year drift a little from the year before; the current year stops
on the last day, with what is naturally planned ahead (PSP commissions, next actions
of procedures).
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db.models import Q

from contacts.models import (
    CODE_ALPHABET,
    Contact,
    Language,
    LegalIdentity,
    Partner,
    Person,
    Product,
    ProstitutionMode,
    Theme,
)
from demo import care, fieldwork
from demo import targets as T
from demo.population import FIRST, MEN, Demo
from demo.tools import birth_in_december, insert
from health.models import ServiceLine, Workshop
from minors.models import (
    AwarenessSession,
    EducationalMeasure,
    MinorFile,
    PartnerExchange,
    ProductUse,
    ReceivedReport,
    Runaway,
    SafeguardingReport,
    SchoolSession,
    TrainingCycle,
)
from rights.models import Procedure, ProcedureStep, ProcedureTheme, PSPDocumentKind, PSPFile

D = datetime.date
DAY = datetime.timedelta(days=1)
BUILT = (2022, 2023)  # the years built from the seed's figures (demo.generator)
# The targets keyed by year that the other years fill in (and forget afterwards).
YEARLY = (
    "PEOPLE",
    "CONTACTS",
    "CAARUD_CONTACTS",
    "MATERIAL",
    "PARCELS",
    "HIV_SELFTESTS_BY_POST",
    "SOCIAL_CONTACTS",
    "SOCIAL_PEOPLE",
    "FOLLOWERS",
    "MESSAGES",
    "REPLIES",
    "HEALTH",
    "NURSE_DRUG_USERS",
    "NURSE_DRUG_USER_CONSULTATIONS",
    "NURSE_ONLINE",
    "SCREENINGS",
    "SMEARS",
    "NEW_AT_DROP_IN",
    "MEDIATION_SCALE",
)
# 2021 as the 2023 report quotes it.
MEN_AMONG_DRUG_USERS_2021 = 0.26
RUNAWAYS_2021 = 32  # of the 38 followed minors
FLATS_2021 = 4
# 2022 as the 2023 report quotes it.
FOLLOWED_2022_ONLY = {"minor": 17, "young_adult": 20, "age_unknown": 9}
WITHOUT_MEASURE_2022 = 7
FLATS_2022 = 17
SOCIAL_MINORS_2022 = 14
RUNAWAYS_2022 = 27  # between 32 of 38 (2021) and 22 of 39 (2023): "a second drop"
HOUSED_BY = dict(T.RUNAWAYS_HOUSED_BY)
HOUSED_WHERE = {"squat": 5, "hotel": 8, "street": 3, "unknown": 4}
WORKERS = ["CAF", "CPAM", "Préfecture", "Mairie", "Banque", "Tribunal"]
NEXT_ACTIONS = [
    "Rappeler l'organisme",
    "Rendez-vous pour compléter le dossier",
    "Déposer les pièces manquantes",
    "Accompagner au guichet",
]


def forget() -> None:
    """Drop the targets of the other years (set by a previous run)."""
    for name in YEARLY:
        table = getattr(T, name)
        for year in [y for y in table if y not in BUILT]:
            del table[year]


def build(seed: int, demos: list[Demo], staff: dict, until: datetime.date) -> list[int]:
    """2021, the rest of 2022, then 2024 up to ``until``; the years built."""
    forget()
    try:
        context = _Context(demos, staff)
        _year_2021(random.Random(f"{seed}:2021"), context)
        _rest_of_2022(random.Random(f"{seed}:2022"), context)
        later = list(range(2024, until.year + 1))
        for year in later:
            _later_year(random.Random(f"{seed}:{year}"), context, year, until)
        return [2021, *BUILT, *later]
    finally:
        forget()


class _Context:
    def __init__(self, demos: list[Demo], staff: dict):
        self.demos = demos
        self.staff = staff
        self.field_staff = [staff["educatrice"], staff["educateur-mineurs"], staff["animatrice"]]
        self.codes = {d.person.code for d in demos} | set(
            Person.all_objects.values_list("code", flat=True)
        )
        self.files: dict[int, MinorFile] = {
            f.person_id: f for f in MinorFile.objects.all()
        }  # the open follow-up of each person
        self.followed: dict[int, str] = {}  # person pk -> category when followed
        self.themes = {t.slug: t for t in ProcedureTheme.objects.all()}
        self.documents = list(PSPDocumentKind.objects.all())
        self.products = {p.slug: p for p in Product.objects.all()}
        self.partners = list(Partner.objects.all())
        self.languages = list(Language.objects.all())
        self.modes = {m.slug: m for m in ProstitutionMode.objects.all()}
        self.lines = {line.slug: line for line in ServiceLine.objects.all()}
        self.met_2022 = {d.person.pk for d in demos if 2022 in d.years}

    def code(self, rng: random.Random) -> str:
        while True:
            raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
            code = f"{raw[:3]}-{raw[3:]}"
            if code not in self.codes:
                self.codes.add(code)
                return code


# --- Volumes ------------------------------------------------------------------------------


def _targets(rng: random.Random, year: int, base: int, factor: float, growth: float) -> None:
    """The year's volumes: those of ``base`` times ``factor`` (drift and, for the current
    year, the part of the year elapsed); followers grow by ``growth``."""

    def scaled(value: float, low: int = 0) -> int:
        return max(low, round(value * factor * rng.uniform(0.96, 1.04)))

    T.CONTACTS[year] = scaled(T.CONTACTS[base])
    T.CAARUD_CONTACTS[year] = min(scaled(T.CAARUD_CONTACTS[base]), T.CONTACTS[year] // 2)
    T.MATERIAL[year] = {slug: scaled(q, 40) for slug, q in T.MATERIAL[base].items()}
    T.PARCELS[year] = scaled(T.PARCELS[base], 12)
    T.HIV_SELFTESTS_BY_POST[year] = max(T.PARCELS[year], scaled(T.HIV_SELFTESTS_BY_POST[base]))
    T.SOCIAL_CONTACTS[year] = {n: scaled(c, 1) for n, c in T.SOCIAL_CONTACTS[base].items()}
    T.SOCIAL_PEOPLE[year] = min(
        scaled(T.SOCIAL_PEOPLE[base]), sum(T.SOCIAL_CONTACTS[year].values())
    )
    previous = T.FOLLOWERS.get(year - 1)
    T.FOLLOWERS[year] = {
        n: round((previous[n] if previous else c) * growth * rng.uniform(0.95, 1.05))
        for n, c in T.FOLLOWERS[base].items()
    }
    T.MESSAGES[year] = scaled(T.MESSAGES[base], 400)
    T.REPLIES[year] = min(scaled(T.REPLIES[base]), T.MESSAGES[year] // 5)
    health = {}
    for line, (sessions, people, consultations) in T.HEALTH[base].items():
        n_sessions = scaled(sessions, 2)
        if line in T.GROUP_LINES:
            health[line] = (
                n_sessions,
                scaled(people, 2),
                min(n_sessions, scaled(consultations, 1)),
            )
        else:
            n_people = scaled(people, 2)
            health[line] = (n_sessions, n_people, max(n_people, scaled(consultations)))
    T.HEALTH[year] = health
    nurse_people, nurse_consultations = health["nurse"][1], health["nurse"][2]
    users = min(scaled(T.NURSE_DRUG_USERS[base]), nurse_people - 10)
    T.NURSE_DRUG_USERS[year] = users
    T.NURSE_DRUG_USER_CONSULTATIONS[year] = max(
        users, min(scaled(T.NURSE_DRUG_USER_CONSULTATIONS[base]), nurse_consultations // 2)
    )
    T.NURSE_ONLINE[year] = min(scaled(T.NURSE_ONLINE[base]), nurse_consultations // 4)
    T.SCREENINGS[year] = min(scaled(T.SCREENINGS[base]), nurse_consultations // 4)
    T.SMEARS[year] = min(scaled(T.SMEARS[base]), health["midwife"][2] // 2)
    T.MEDIATION_SCALE[year] = T.MEDIATION_SCALE[base] * factor
    if base in T.NEW_AT_DROP_IN:
        T.NEW_AT_DROP_IN[year] = scaled(T.NEW_AT_DROP_IN[base], 5)


def _elapsed(year: int, until: datetime.date) -> tuple[datetime.date | None, float]:
    """The last day of ``year`` to build (None: all of it) and the share of the year."""
    if until.year > year:
        return None, 1.0
    return until, ((until - D(year, 1, 1)).days + 1) / 365


# --- Persons ------------------------------------------------------------------------------


def _new_person(rng: random.Random, context: _Context, index: int, *, drug_share: float) -> Person:
    gender = rng.choices(["female", "trans_woman", "male"], [80, 12, 8])[0]
    person = Person(
        code=context.code(rng),
        gender=gender,
        uses_drugs=gender == "male" or rng.random() < drug_share,
        country_of_origin=rng.choice(["", "", "France", "Nigeria", "Roumanie", "Bulgarie"]),
        referral_source=rng.choice(["outreach", "peer", "online", "partner", "self"]),
        created_by=context.staff["educatrice"],
    )
    if rng.random() < 0.5:
        person.birth_date = D(rng.randint(1960, 2002), rng.randint(1, 12), rng.randint(1, 28))
    elif rng.random() < 0.9:
        person.birth_year = rng.randint(1960, 2002)
    _name(person, index)
    return person


def _name(person: Person, index: int) -> None:
    pool = MEN if person.gender == "male" else FIRST
    person.nickname = f"{pool[index % len(pool)]} {index // len(pool)}"
    person.sex_work = person.gender != "male" or index % 3 == 0


def _young(rng: random.Random, context: _Context, index: int, category: str, year: int) -> Person:
    """A young person first met in ``year``, of ``category`` then."""
    person = Person(
        code=context.code(rng),
        gender=rng.choices(["female", "trans_woman", "male"], [92, 6, 2])[0],
        referral_source=rng.choice(["outreach", "online", "partner"]),
        created_by=context.staff["educateur-mineurs"],
    )
    person.uses_drugs = rng.random() < 0.45
    _age(rng, person, category, year)
    _name(person, index)
    person.sex_work = True
    return person


def _age(rng: random.Random, person: Person, category: str, year: int) -> None:
    person.birth_date, person.birth_year, person.age_to_establish = None, None, False
    if category == "minor":
        person.birth_date = birth_in_december(rng, year - rng.choice([14, 15, 16, 16, 17, 17]) - 1)
    elif category == "young_adult":
        # 19 or 20: not a minor on any day of the year before either.
        person.birth_date = birth_in_december(rng, year - rng.choice([19, 20]) - 1)
    else:
        person.age_to_establish = True


def _create(context: _Context, rng: random.Random, demos: list[Demo]) -> None:
    persons = [d.person for d in demos]
    for person in persons:
        person.fill_derived()
    Person.objects.bulk_create(persons, batch_size=500)
    context.demos.extend(demos)
    rows_l, rows_p, rows_m = [], [], []
    common = ["crack", "cocaine", "heroin", "alcohol", "cannabis", "opioid_substitution"]
    for person in persons:
        for language in rng.sample(context.languages, rng.choice([1, 1, 2])):
            rows_l.append(Person.languages.through(person_id=person.pk, language_id=language.pk))
        if person.uses_drugs:
            for slug in rng.sample(common, rng.choice([1, 1, 2])):
                rows_p.append(
                    Person.products.through(
                        person_id=person.pk, product_id=context.products[slug].pk
                    )
                )
        if person.sex_work:
            for slug in rng.sample(["street", "internet", "social_networks"], rng.choice([1, 2])):
                rows_m.append(
                    Person.prostitution_modes.through(
                        person_id=person.pk, prostitutionmode_id=context.modes[slug].pk
                    )
                )
    insert(rows_l)
    insert(rows_p)
    insert(rows_m)


# --- A year of field work and health ------------------------------------------------------


def _fieldwork(rng: random.Random, context: _Context, year: int, end: datetime.date | None):
    """Sessions up to ``end`` (today's included), contacts and consultations until the
    day before."""
    staff = context.staff
    plan = fieldwork.sessions(rng, year, context.field_staff, end)
    before = end - DAY if end else None
    past = {k: [s for s in v if before is None or s.date <= before] for k, v in plan.items()}
    built = fieldwork.contacts(rng, year, context.demos, past, context.field_staff, before)
    fieldwork.material(rng, year, built, past)
    fieldwork.topics(rng, built)
    fieldwork.online(rng, year, past, staff["animatrice"], before)
    fieldwork.mediation(rng, year, staff["educatrice"], before)
    practitioners = {
        "nurse": staff["infirmiere"],
        "doctor": staff["medecin"],
        "midwife": staff["sagefemme"],
    }
    if before is None or before >= D(year, 1, 21):  # a few weeks of sessions at least
        care.health(rng, year, context.demos, practitioners, before)
    workshop_day = D(year, 10, 20)
    if before is None or workshop_day <= before:
        pool = [d for d in context.demos if year in d.years]
        workshop = Workshop.objects.create(
            title="Octobre rose : dépistage du cancer du sein",
            date=workshop_day,
            line=context.lines["midwife"],
            animators="Infirmière et sage-femme",
            participants_count=rng.randint(8, 14),
            outcomes="Des rendez-vous de mammographie pris.",
            appointments_booked=rng.randint(1, 4),
            created_by=staff["infirmiere"],
        )
        workshop.participants.set([d.person for d in rng.sample(pool, 5)])


# --- Minors' follow-up ---------------------------------------------------------------------


def _open_files(context, rng, year, people, *, opened, closed=None) -> list[MinorFile]:
    worker = context.staff["educateur-mineurs"]
    files = []
    for person, category in people:
        day = opened(rng)
        files.append(
            MinorFile(
                person=person,
                opened_on=day,
                closed_on=closed(rng) if closed else None,
                close_reason=rng.choice(["lost_touch", "moved", "partner"]) if closed else "",
                worker=worker,
                created_by=worker,
                first_meeting_on=day,
                first_meeting_place=rng.choices(
                    ["outreach", "drop_in", "online", "partner"], [50, 13, 20, 17]
                )[0],
                to_assess=category == "minor" and rng.random() < 0.12,
            )
        )
        context.followed[person.pk] = category
    MinorFile.objects.bulk_create(files)
    for file in files:
        context.files[file.person_id] = file
    return files


def _measures(rng, files, year, *, without=None, until=None) -> None:
    """Educational measures of the year's minors (ending on ``until`` if given):
    ``without`` of them none at all."""
    rows = []
    order = list(files)
    rng.shuffle(order)
    for index, file in enumerate(order):
        if without is not None and index < without:
            file.to_assess = False
            continue
        if file.to_assess:
            continue
        if without is None and rng.random() < 0.24:
            continue
        start = max(file.opened_on, D(year, 1, 1)) + datetime.timedelta(days=rng.randint(0, 40))
        rows.append(
            EducationalMeasure(file=file, kind=rng.choice(["ase", "aemo"]), start=start, end=until)
        )
        if rng.random() < 0.25:
            rows.append(
                EducationalMeasure(
                    file=file, kind="pjj", start=start + datetime.timedelta(days=20), end=until
                )
            )
    MinorFile.objects.bulk_update(files, ["to_assess"])
    EducationalMeasure.objects.bulk_create(rows)


def _runaways(rng, files, year, *, people, flats, last=None) -> None:
    """Episodes within the year for ``people`` of the files, ``flats`` of them in a flat."""
    last = last or D(year, 12, 31)
    runners = rng.sample(files, min(people, len(files)))
    owners = runners + [rng.choice(runners) for _ in range(len(runners) // 3)] if runners else []
    where = ["flat"] * min(flats, len(owners))
    others = [w for w, n in HOUSED_WHERE.items() for _ in range(n)]
    while len(where) < len(owners):
        where.append(rng.choice(others))
    rng.shuffle(where)
    by = [b for b, n in HOUSED_BY.items() for _ in range(n)]
    rows = []
    for file, place in zip(owners, where, strict=True):
        first = max(file.opened_on, D(year, 1, 1))
        latest = max(first, last - datetime.timedelta(days=20))
        start = first + datetime.timedelta(days=rng.randint(0, (latest - first).days))
        stop = max(start, min(last, start + datetime.timedelta(days=rng.randint(5, 40))))
        rows.append(
            Runaway(file=file, start=start, end=stop, housed_by=rng.choice(by), housed_where=place)
        )
    Runaway.objects.bulk_create(rows)


def _uses(rng, context, files, year) -> None:
    products = ["alcohol", "cannabis", "cannabis", "cocaine", "crack", "nitrous_oxide", "mdma"]
    rows = []
    for file in files:
        start = max(file.opened_on, D(year, 1, 1))
        slugs = set(rng.sample(products, rng.choice([0, 1, 1, 2]))) if rng.random() < 0.6 else set()
        if rng.random() < 0.7:
            slugs.add("tobacco")
        rows += [
            ProductUse(file=file, product=context.products[slug], start=start)
            for slug in sorted(slugs)
        ]
    ProductUse.objects.bulk_create(rows)


def _exchanges(rng, context, files, year, last) -> None:
    author = context.staff["educateur-mineurs"]
    days = max(1, (last - D(year, 1, 1)).days)

    def day() -> datetime.date:
        return D(year, 1, 1) + datetime.timedelta(days=rng.randint(0, days))

    PartnerExchange.objects.bulk_create(
        PartnerExchange(
            file=file,
            partner=rng.choice(context.partners),
            date=max(day(), file.opened_on),
            note="Point sur la situation avec la référente.",
            author=author,
        )
        for file in rng.sample(files, min(len(files), 25))
    )
    SafeguardingReport.objects.bulk_create(
        SafeguardingReport(
            file=file,
            kind=rng.choice(["information", "signalement"]),
            date=max(day(), file.opened_on),
            to_whom="CRIP du Nord",
            grounds="Mise en danger liée à l'activité prostitutionnelle.",
            author=author,
        )
        for file in rng.sample(files, min(len(files), 5))
    )
    ReceivedReport.objects.bulk_create(
        ReceivedReport(
            received_on=day(),
            partner=rng.choice(context.partners),
            description="Jeune fille signalée par une MECS, vue aux abords de la gare.",
            author=author,
        )
        for _ in range(rng.randint(18, 28) * days // 365)
    )


def _followed_in(year: int) -> Q:
    return Q(opened_on__lte=D(year, 12, 31)) & (
        Q(closed_on__isnull=True) | Q(closed_on__gte=D(year, 1, 1))
    )


# --- Rights, training ---------------------------------------------------------------------


def _procedures(rng, context, year, adults, factor, last, *, ongoing: bool) -> None:
    """Procedures opened in the year, by theme; completed within the year (in progress with
    a next action in the coming weeks when the year is the current one)."""
    worker = context.staff["educatrice"]
    rows = []
    span = (last - D(year, 1, 1)).days
    for slug, (opened, completed) in T.PROCEDURES.items():
        n_opened = max(2, round(opened * factor * rng.uniform(0.9, 1.1)))
        n_completed = min(n_opened, round(completed * factor * rng.uniform(0.9, 1.1)))
        for index in range(n_opened):
            opened_on = D(year, 1, 1) + datetime.timedelta(days=rng.randint(0, max(0, span - 15)))
            done = index < n_completed
            procedure = Procedure(
                person=rng.choice(adults).person,
                theme=context.themes[slug],
                request=context.themes[slug].label,
                body=rng.choice(WORKERS),
                worker=worker,
                opened_on=opened_on,
                status="completed" if done else "in_progress",
                status_on=min(opened_on + datetime.timedelta(days=rng.randint(10, 60)), last)
                if done
                else opened_on,
                created_by=worker,
            )
            if not done and ongoing:
                procedure.next_action = rng.choice(NEXT_ACTIONS)
                procedure.next_action_due = last + datetime.timedelta(days=rng.randint(0, 20))
            elif not done:
                procedure.status, procedure.status_on = (
                    "abandoned",
                    min(opened_on + datetime.timedelta(days=90), last),
                )
            rows.append(procedure)
    Procedure.objects.bulk_create(rows)
    ProcedureStep.objects.bulk_create(
        ProcedureStep(
            procedure=p,
            date=p.opened_on,
            note="Premier rendez-vous, dossier constitué.",
            author=worker,
        )
        for p in rows
    )


def _psp(context, rng, person, kind, filed, decided, previous=None, *, state="path") -> PSPFile:
    worker = context.staff["educatrice"]
    psp = PSPFile(
        person=person,
        kind=kind,
        previous=previous,
        worker=worker,
        created_by=worker,
        filed_on=filed,
        commission_date=decided,
        state=state,
        dependants=rng.choice([0, 0, 1]),
    )
    if state != "filed":
        psp.decision, psp.decision_on = "favourable", decided
        psp.path_start = decided
        psp.path_end = psp.default_path_end(decided)
    psp.save()
    psp.documents.set(context.documents)
    return psp


def _identity(rng, person) -> None:
    if not LegalIdentity.objects.filter(person=person).exists():
        LegalIdentity.objects.create(
            person=person,
            last_name=rng.choice(["Okafor", "Popescu", "Ivanova", "Eze", "Stoica", "Nwosu"]),
            first_names=person.nickname.split()[0],
            birth_place=rng.choice(["Benin City", "Lagos", "Constanța", "Sofia"]),
            nationality=rng.choice(["nigériane", "roumaine", "bulgare"]),
        )


def _training(rng, context, year, last, factor) -> None:
    author = context.staff["educateur-mineurs"]
    cycles = [(D(year, 3, 10), D(year, 5, 20)), (D(year, 9, 15), D(year, 11, 24))]
    for index, (start, stop) in enumerate(cycles):
        if start > last:
            continue
        trainees = rng.randint(9, 14)
        TrainingCycle.objects.create(
            title="Prévenir et prendre en compte les conduites prostitutionnelles des mineur·es",
            institute=["IRTS (Loos)", "IRTS (Anzin)"][index],
            start_date=start,
            end_date=min(stop, last),
            days=Decimal("4.5"),
            trainees=trainees,
            trainees_departement=round(trainees * 0.7),
            satisfaction=rng.choice([95, 100, 100]),
            created_by=author,
        )
    _awareness_and_schools(rng, context, year, last, awareness=6, schools=round(11 * factor))


def _awareness_and_schools(rng, context, year, last, *, awareness, schools, first_month=1) -> None:
    author = context.staff["educateur-mineurs"]
    months = 12 - first_month + 1

    def day(index: int, count: int) -> datetime.date:
        month = first_month + index * months // max(1, count)
        return D(year, month, rng.randint(3, 25))

    AwarenessSession.objects.bulk_create(
        AwarenessSession(
            host=rng.choice(T.AWARENESS),
            date=day(i, awareness),
            audience="Professionnel·les",
            people=rng.randint(12, 40),
            created_by=author,
        )
        for i in range(awareness)
        if day(i, awareness) <= last
    )
    rows = []
    for index in range(schools):
        date = day(index, schools)
        if date > last:
            continue
        pupils = rng.randint(20, 32)
        boys = pupils // 2 + rng.randint(-2, 3)
        rows.append(
            SchoolSession(
                school=f"Collège {'ABCDE'[index % 5]}",
                date=date,
                levels="4e, 3e",
                pupils=pupils,
                boys=boys,
                girls=pupils - boys,
                satisfaction=rng.randint(88, 97),
                interest=rng.randint(80, 90),
                created_by=author,
            )
        )
    SchoolSession.objects.bulk_create(rows)


# --- 2021 ---------------------------------------------------------------------------------


def _year_2021(rng: random.Random, context: _Context) -> None:
    """A year of records quoted by the 2023 report: 26 % men among the drug users,
    32 of 38 followed minors who ran away, 4 of them housed in a flat. Part of the
    2022 persons were met already, the 2022-only young people of the minors' team
    among them."""
    year, factor = 2021, 0.93
    _targets(rng, year, 2022, factor, 0.7)
    T.SOCIAL_CONTACTS[year] = {n: max(1, c // 2) for n, c in T.SOCIAL_CONTACTS[year].items()}
    T.SOCIAL_PEOPLE[year] = T.SOCIAL_PEOPLE[year] // 2
    T.MEDIATION_SCALE[year] = 0.7
    only_2022 = [d for d in context.demos if d.years == {2022} and d.category is None]
    # The 2022-only young people, followed since 2021 (the minors' files of 2022).
    young = rng.sample([d for d in only_2022 if d.person.gender != "male"], 46)
    changed, index = [], 0
    for category, count in FOLLOWED_2022_ONLY.items():
        for demo in young[index : index + count]:
            _age(rng, demo.person, category, 2022)
            demo.person.fill_derived()
            demo.tags.add(f"followed_2022:{category}")
            changed.append(demo.person)
        index += count
    Person.objects.bulk_update(
        changed, ["birth_date", "birth_year", "age_to_establish", "turns_18_on", "turns_21_on"]
    )
    for demo in young:
        demo.years.add(year)
    # Adults of 2022 met already in 2021: a fixed number of the drug-using men.
    adults = [d for d in context.demos if 2022 in d.years and d.category is None and d not in young]
    men = [d for d in adults if d.person.gender == "male"]
    women = [d for d in adults if d.person.gender != "male"]
    back_men = rng.sample(men, min(len(men), 55))
    back_women = rng.sample(women, 380 - len(young) - len(back_men))
    for demo in back_men + back_women:
        demo.years.add(year)
    met = young + back_men + back_women
    users = sum(d.person.uses_drugs for d in met)
    men_users = sum(d.person.uses_drugs and d.person.gender == "male" for d in met)
    total = round(T.PEOPLE[2022] * factor)
    # The 2021-only followed young people and adults.
    first = len(context.demos)
    followed_only = [
        ("minor", T.MINORS - FOLLOWED_2022_ONLY["minor"]),
        ("young_adult", 20),
        ("age_unknown", 10),
    ]
    new: list[Demo] = []
    for category, count in followed_only:
        for _ in range(count):
            person = _young(rng, context, first + len(new), category, year)
            person.uses_drugs = False
            new.append(Demo(person, {year}, tags={f"followed_2021:{category}"}))
    adults_new = total - len(met) - len(new)
    drug_users = round(total * 0.55)
    new_men = max(0, round(drug_users * MEN_AMONG_DRUG_USERS_2021) - men_users)
    new_women = max(0, drug_users - users - new_men)
    for index in range(adults_new):
        person = _new_person(rng, context, first + len(new), drug_share=0)
        if index < new_men:
            person.gender, person.uses_drugs = "male", True
        else:
            person.gender = "female" if person.gender == "male" else person.gender
            person.uses_drugs = index < new_men + new_women
        _name(person, first + len(new))
        new.append(Demo(person, {year}))
    _create(context, rng, new)
    T.PEOPLE[year] = len(met) + len(new)
    _fieldwork(rng, context, year, None)

    # The minors' files: the 2022-only young since 2021 (closed late 2022), the
    # 2021-only ones closed in 2021.
    def in_2021(r):
        return D(2021, r.randint(2, 10), r.randint(1, 28))

    carried = _open_files(
        context,
        rng,
        year,
        [(d.person, next(iter(d.tags)).split(":")[1]) for d in young],
        opened=in_2021,
        closed=lambda r: D(2022, r.randint(10, 12), r.randint(1, 15)),
    )
    ended = _open_files(
        context,
        rng,
        year,
        [(d.person, next(iter(d.tags)).split(":")[1]) for d in new if d.tags],
        opened=lambda r: D(2021, r.randint(1, 8), r.randint(1, 28)),
        closed=lambda r: D(2021, r.randint(10, 12), r.randint(1, 28)),
    )
    files = carried + ended
    minors = [f for f in files if context.followed[f.person_id] == "minor"]
    _measures(rng, minors, year, until=D(2021, 12, 31))
    _runaways(rng, minors, year, people=RUNAWAYS_2021, flats=FLATS_2021)
    _uses(rng, context, files, year)
    _exchanges(rng, context, files, year, D(2021, 12, 31))
    adults_met = [d for d in context.demos if year in d.years and not d.tags and d.category is None]
    _procedures(rng, context, year, adults_met, 0.7, D(2021, 12, 31), ongoing=False)
    # PSP: two paths granted in 2021, renewed in 2022.
    women = [d for d in adults_met if d.person.gender != "male" and 2022 in d.years]
    for demo in rng.sample(women, 2):
        _identity(rng, demo.person)
        first_path = _psp(context, rng, demo.person, "first_request", D(2021, 3, 4), D(2021, 5, 20))
        PSPFile.objects.filter(pk=first_path.pk).update(state="closed")
        _psp(context, rng, demo.person, "first_renewal", D(2022, 3, 10), D(2022, 4, 21), first_path)


# --- What 2022 lacked -----------------------------------------------------------------------


def _rest_of_2022(rng: random.Random, context: _Context) -> None:
    """2022 as the 2023 report tells it: a minors' follow-up as large as in 2023 (the
    2022-only young people since 2021), 7 minors without an educational measure, 17
    runaways housed in a flat, procedures of every theme, the first training actions
    in the last quarter."""
    year, last = 2022, D(2022, 12, 31)
    files = list(MinorFile.objects.filter(_followed_in(year)).select_related("person"))
    carried = [f for f in files if context.followed.get(f.person_id) == "minor"]
    # The year's minors: those of the 2023 files then under 18, and the 2022-only ones.
    earlier = [
        f
        for f in files
        if f.person_id not in context.followed
        and f.person.turns_18_on is not None
        and f.person.turns_18_on > D(2022, 12, 31)
        and not f.person.age_to_establish
    ]
    in_force = set(
        EducationalMeasure.objects.filter(start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=D(2022, 1, 1)))
        .values_list("file_id", flat=True)
    )
    without = [f for f in earlier if f.pk not in in_force and not f.to_assess]
    extra = max(0, len(without) - WITHOUT_MEASURE_2022)
    EducationalMeasure.objects.bulk_create(
        EducationalMeasure(file=f, kind="aemo", start=D(2022, 2, 1), end=D(2022, 11, 30))
        for f in without[:extra]
    )
    _measures(rng, carried, year, without=max(0, WITHOUT_MEASURE_2022 - len(without)))
    # Runaways within 2022 (none reaching into 2023): 17 in a flat in all.
    already = Runaway.objects.filter(start__lte=last).filter(
        Q(end__isnull=True) | Q(end__gte=D(2022, 1, 1))
    )
    flats = already.filter(housed_where="flat").count()
    ran = set(already.values_list("file_id", flat=True))
    base = [f for f in earlier + carried if f.pk not in ran]
    _runaways(rng, base, year, people=RUNAWAYS_2022 - len(ran), flats=FLATS_2022 - flats)
    # Procedures of 2022, all closed within the year.
    adults = [d for d in context.demos if year in d.years and d.category is None and not d.tags]
    _procedures(rng, context, year, adults, 0.85, last, ongoing=False)
    # Training, awareness and school sessions from the last quarter on.
    author = context.staff["educateur-mineurs"]
    TrainingCycle.objects.create(
        title="Prévenir et prendre en compte les conduites prostitutionnelles des mineur·es",
        institute="IRTS (Loos)",
        start_date=D(2022, 11, 7),
        end_date=D(2022, 12, 9),
        days=Decimal("4.5"),
        trainees=12,
        trainees_departement=8,
        satisfaction=100,
        created_by=author,
    )
    _awareness_and_schools(rng, context, year, last, awareness=2, schools=5, first_month=10)
    _online_2022(rng, context)


def _online_2022(rng: random.Random, context: _Context) -> None:
    """The online work of 2022 was smaller, not of another kind: a few minors already
    reached on the social networks, the themes of the online contacts not far from 2023's.

    Nothing counted elsewhere changes: social contacts of adults met otherwise too go to
    minors met in 2022 and 2021 only; themes are added to online contacts."""
    social = Contact.objects.filter(day__year=2022, channel__kind="social_network")
    reached = set(social.exclude(person=None).values_list("person_id", flat=True))
    minors = [
        pk
        for pk, category in context.followed.items()
        if category == "minor" and pk not in reached and pk in context.met_2022
    ]
    target = SOCIAL_MINORS_2022 - sum(context.followed.get(pk) == "minor" for pk in reached)
    offline = set(
        Contact.objects.filter(day__year=2022)
        .exclude(channel__kind__in=["social_network", "ad_site"])
        .exclude(person=None)
        .values_list("person_id", flat=True)
    )
    singles = {}
    for contact_pk, person_pk in social.exclude(person=None).values_list("pk", "person_id"):
        singles.setdefault(person_pk, []).append(contact_pk)
    movable = sorted(
        contacts[0]
        for person_pk, contacts in singles.items()
        if len(contacts) == 1 and person_pk in offline and person_pk not in context.followed
    )
    for contact_pk, minor in zip(
        rng.sample(movable, max(0, min(len(movable), target))), minors, strict=False
    ):
        Contact.objects.filter(pk=contact_pk).update(person_id=minor)
    # Themes: no theme of 2023's online contacts more than twice as frequent as in 2022.
    online = ["social_network", "ad_site"]
    through = Contact.themes.through
    rows = []
    for theme in Theme.objects.all():
        counts = {
            year: through.objects.filter(
                theme=theme, contact__day__year=year, contact__channel__kind__in=online
            ).count()
            for year in BUILT
        }
        missing = -(-counts[2023] // 2) - counts[2022]
        if missing <= 0:
            continue
        without = list(
            Contact.objects.filter(day__year=2022, channel__kind__in=online)
            .exclude(themes=theme)
            .values_list("pk", flat=True)
        )
        rows += [
            through(contact_id=pk, theme_id=theme.pk)
            for pk in rng.sample(sorted(without), min(len(without), missing))
        ]
    insert(rows)


# --- After 2023 ---------------------------------------------------------------------------


def _later_year(rng: random.Random, context: _Context, year: int, until: datetime.date) -> None:
    end, share = _elapsed(year, until)
    last = end or D(year, 12, 31)
    if end is not None and end < D(year, 1, 8):
        # The year has just begun: its first sessions, nothing recorded yet.
        fieldwork.sessions(rng, year, context.field_staff, end)
        return
    drift = rng.uniform(0.97, 1.06)
    _targets(rng, year, year - 1, drift * share, 1 + 0.25 * share)
    if end is not None and end < D(year, 3, 1):
        T.NEW_AT_DROP_IN.pop(year, None)  # their first drop-in visit comes after January
    people = round(T.PEOPLE.get(year - 1, T.PEOPLE[2023]) * drift)
    T.PEOPLE[year] = people
    # Who is met again: most of last year's, a few from before; then newcomers.
    before = [d for d in context.demos if year - 1 in d.years and not d.special_young_adult]
    older = [d for d in context.demos if year - 1 not in d.years and year - 2 in d.years]
    back = rng.sample(before, min(len(before), round(people * 0.6)))
    back += rng.sample(older, min(len(older), 15))
    for demo in back:
        demo.years.add(year)
    first = len(context.demos)
    new: list[Demo] = []
    followed_new = {"minor": 18, "young_adult": 16, "age_unknown": 6}
    for category, count in followed_new.items():
        for _ in range(round(count * drift)):
            person = _young(rng, context, first + len(new), category, year)
            new.append(Demo(person, {year}, tags={f"followed_{year}:{category}"}))
    while len(back) + len(new) < round(people * (0.8 + 0.2 * share)):
        new.append(Demo(_new_person(rng, context, first + len(new), drug_share=0.5), {year}))
    _create(context, rng, new)
    _fieldwork(rng, context, year, end)

    # The minors' follow-up: a part of the open files closed, new ones opened.
    open_files = list(MinorFile.objects.filter(closed_on__isnull=True).select_related("person"))
    closing = []
    for file in open_files:
        adult = file.person.turns_21_on is not None and file.person.turns_21_on <= last
        if adult or rng.random() < 0.35:
            start = max(file.opened_on + DAY, D(year, 1, 1))
            if start > last:
                continue
            file.closed_on = start + datetime.timedelta(days=rng.randint(0, (last - start).days))
            file.close_reason = "turned_21" if adult else rng.choice(["lost_touch", "partner"])
            closing.append(file)
    MinorFile.objects.bulk_update(closing, ["closed_on", "close_reason"])

    def opened(r):
        return D(year, 1, 1) + datetime.timedelta(days=r.randint(0, (last - D(year, 1, 1)).days))

    files = _open_files(
        context,
        rng,
        year,
        [(d.person, next(iter(d.tags)).split(":")[1]) for d in new if d.tags],
        opened=opened,
    )
    minors = [f for f in files if context.followed[f.person_id] == "minor"]
    _measures(rng, minors, year)
    # Runaways: the new minors and those followed since an earlier year.
    under_18 = [
        f
        for f in open_files
        if f not in closing and f.person.turns_18_on and f.person.turns_18_on > D(year, 1, 1)
    ]
    runners = minors + under_18
    _runaways(
        rng,
        runners,
        year,
        people=round(len(runners) * 0.55),
        flats=round(len(runners) * 0.35),
        last=last - DAY,
    )
    _uses(rng, context, files, year)
    _exchanges(rng, context, files, year, last)

    adults = [d for d in context.demos if year in d.years and d.category is None and not d.tags]
    _procedures(rng, context, year, adults, drift * share, last, ongoing=end is not None)
    _psp_year(rng, context, year, adults, last, current=end is not None)
    _training(rng, context, year, last - DAY if end else last, share)


def _psp_year(rng, context, year, adults, last, *, current: bool) -> None:
    """First requests of the year, the renewal of the first paths ending, and, in the
    current year, files waiting for the coming commissions."""
    ending = PSPFile.objects.filter(
        state="path", kind="first_request", path_end__lte=D(year, 12, 31)
    )
    for previous in ending.select_related("person"):
        filed = max(previous.path_end - datetime.timedelta(days=60), D(year, 1, 1))
        decided = filed + datetime.timedelta(days=45)
        if decided > last:
            continue
        PSPFile.objects.filter(pk=previous.pk).update(state="closed")
        _psp(context, rng, previous.person, "first_renewal", filed, decided, previous)
    women = [d for d in adults if d.person.gender != "male"]
    for demo in rng.sample(women, 5):
        filed = D(year, rng.randint(1, 9), rng.randint(1, 28))
        decided = filed + datetime.timedelta(days=rng.randint(40, 70))
        if decided >= last:
            continue
        _identity(rng, demo.person)
        _psp(context, rng, demo.person, "first_request", filed, decided)
    if current:
        for weeks in (1, 3):
            demo = rng.choice(women)
            _identity(rng, demo.person)
            commission = last + datetime.timedelta(weeks=weeks)
            _psp(
                context,
                rng,
                demo.person,
                "first_request",
                last - datetime.timedelta(days=30),
                commission,
                state="filed",
            )

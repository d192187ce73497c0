"""The demo's files: rights procedures and PSP paths, minors' follow-up, training."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from contacts.models import LegalIdentity, Partner, Product
from demo import targets as T
from demo.population import Demo
from demo.tools import partition, spread
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
LAST_NAMES = [
    "Okafor",
    "Popescu",
    "Ivanova",
    "Diallo",
    "Martin",
    "Benali",
    "Eze",
    "Stoica",
    "Petrova",
    "Nwosu",
]


def rights(rng: random.Random, demos: list[Demo], worker) -> None:
    themes = {t.slug: t for t in ProcedureTheme.objects.all()}
    adults = [d for d in demos if d.category is None and 2023 in d.years]
    procedures = []
    for slug, (opened, completed) in T.PROCEDURES.items():
        for index in range(opened):
            opened_on = D(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 330))
            done = index < completed
            procedures.append(
                Procedure(
                    person=rng.choice(adults).person,
                    theme=themes[slug],
                    request=themes[slug].label,
                    body=rng.choice(["CAF", "CPAM", "Préfecture", "Mairie", "Banque", "Tribunal"]),
                    worker=worker,
                    opened_on=opened_on,
                    status="completed" if done else "in_progress",
                    status_on=min(
                        opened_on + datetime.timedelta(days=rng.randint(10, 60)), D(2023, 12, 31)
                    )
                    if done
                    else opened_on,
                    created_by=worker,
                )
            )
    Procedure.objects.bulk_create(procedures)
    ProcedureStep.objects.bulk_create(
        ProcedureStep(
            procedure=p,
            date=p.opened_on,
            note="Premier rendez-vous, dossier constitué.",
            author=worker,
        )
        for p in procedures
    )
    documents = list(PSPDocumentKind.objects.all())
    candidates = rng.sample([d for d in adults if d.person.gender != "male" and 2022 in d.years], 9)
    for demo in candidates:
        LegalIdentity.objects.create(
            person=demo.person,
            last_name=rng.choice(LAST_NAMES),
            first_names=demo.person.nickname.split()[0],
            birth_place=rng.choice(["Benin City", "Lagos", "Constanța", "Sofia"]),
            nationality=rng.choice(["nigériane", "roumaine", "bulgare"]),
        )

    def path(person, kind, filed, decided, previous=None, review=None):
        psp = PSPFile.objects.create(
            person=person,
            kind=kind,
            previous=previous,
            worker=worker,
            created_by=worker,
            filed_on=filed,
            commission_date=decided,
            decision_on=decided,
            decision="unfavourable" if review else "favourable",
            decision_reason="Homonymie signalée par la police" if review else "",
            review_outcome="favourable" if review else "",
            review_on=review,
            path_start=review or decided,
            dependants=rng.choice([0, 0, 1]),
            state="path",
        )
        psp.path_end = psp.default_path_end(psp.path_start)
        psp.save(update_fields=["path_end"])
        psp.documents.set(documents)
        return psp

    earlier = [
        path(d.person, "first_request", D(2022, 4, 5), D(2022, 6, 16)) for d in candidates[:3]
    ]
    for psp in earlier:
        PSPFile.objects.filter(pk=psp.pk).update(state="closed")
        path(psp.person, "first_renewal", D(2023, 3, 2), D(2023, 4, 20), previous=psp)
    for index, demo in enumerate(candidates[3:8]):
        review = D(2023, 6, 22) if index == 0 else None  # Madame O: reversed on review
        path(demo.person, "first_request", D(2023, 5, 2 + index), D(2023, 6, 15), review=review)
    path(candidates[8].person, "first_request", D(2022, 9, 1), D(2022, 11, 10))


def minors(rng: random.Random, demos: list[Demo], worker, author) -> None:
    followed = [d for d in demos if d.category is not None]
    products = {p.slug: p for p in Product.objects.all()}
    partners = list(Partner.objects.all())
    files = {}
    for category, places in T.FIRST_MEETING.items():
        group = [d for d in followed if d.category == category]
        tokens = [place for place, n in places.items() for _ in range(n)]
        rng.shuffle(tokens)
        for demo, place in zip(group, tokens, strict=True):
            opened = (
                D(2022, rng.randint(3, 11), rng.randint(1, 28))
                if 2022 in demo.years
                else D(2023, rng.randint(1, 3), 1)
            )
            files[id(demo)] = MinorFile(
                person=demo.person,
                opened_on=opened,
                worker=worker,
                created_by=author,
                first_meeting_on=opened,
                first_meeting_place=place,
            )
    MinorFile.objects.bulk_create(files.values())

    minors_ = [d for d in followed if d.category == "minor"]
    kinds = [kind for kind, n in T.MEASURES.items() for _ in range(n)]
    rng.shuffle(kinds)
    measures = []
    for demo, kind in zip(minors_, kinds, strict=True):
        file = files[id(demo)]
        if kind == "to_assess":
            file.to_assess = True
            file.save(update_fields=["to_assess"])
        if kind in ("single", "double"):
            measures.append(
                EducationalMeasure(file=file, kind=rng.choice(["ase", "aemo"]), start=D(2022, 9, 1))
            )
        if kind == "double":
            measures.append(
                EducationalMeasure(file=file, kind="pjj", start=D(2023, 3, 1), end=D(2023, 9, 30))
            )
        if kind == "none" and rng.random() < 0.5:
            measures.append(
                EducationalMeasure(file=file, kind="aemo", start=D(2021, 1, 1), end=D(2022, 6, 30))
            )
    EducationalMeasure.objects.bulk_create(measures)

    base = minors_ + [d for d in followed if d.special_young_adult]
    runaway_people = rng.sample(base, T.RUNAWAY_PEOPLE)
    episodes = len(runaway_people) + 13
    owners = runaway_people + [
        rng.choice(runaway_people) for _ in range(episodes - len(runaway_people))
    ]
    by = [who for who, n in T.RUNAWAYS_HOUSED_BY.items() for _ in range(n)]
    where = [w for w, n in T.RUNAWAYS_HOUSED_WHERE.items() for _ in range(n)]
    rng.shuffle(by)
    rng.shuffle(where)
    runaways = []
    for index, (demo, who, place) in enumerate(zip(owners, by, where, strict=True)):
        start = (
            D(2023, 1, 1) + datetime.timedelta(days=rng.randint(0, 330))
            if index
            else D(2022, 12, 20)
        )
        end = None if index == 1 else start + datetime.timedelta(days=rng.randint(17, 40))
        runaways.append(
            Runaway(file=files[id(demo)], start=start, end=end, housed_by=who, housed_where=place)
        )
    Runaway.objects.bulk_create(runaways)

    uses = []
    for category, counts in T.PRODUCTS.items():
        group = [d for d in followed if d.category == category]
        consumers = rng.sample(group, T.CONSUMERS[category])
        assigned = spread(rng, {k: v for k, v in counts.items() if v}, consumers, at_least_one=True)
        smokers = rng.sample(group, T.TOBACCO[category])
        for demo in group:
            slugs = set(assigned.get(id(demo), set()))
            if demo in smokers:
                slugs.add("tobacco")
            for slug in slugs:
                uses.append(
                    ProductUse(file=files[id(demo)], product=products[slug], start=D(2022, 10, 1))
                )
    ProductUse.objects.bulk_create(uses)

    exchanges, reports = [], []
    for demo in rng.sample(followed, 30):
        file = files[id(demo)]
        exchanges.append(
            PartnerExchange(
                file=file,
                partner=rng.choice(partners),
                date=D(2023, rng.randint(1, 11), 10),
                note="Point sur la situation avec la référente.",
                author=author,
            )
        )
    for demo in rng.sample(minors_, 6):
        reports.append(
            SafeguardingReport(
                file=files[id(demo)],
                kind=rng.choice(["information", "signalement"]),
                date=D(2023, rng.randint(1, 11), 15),
                to_whom="CRIP du Nord",
                grounds="Mise en danger liée à l'activité prostitutionnelle.",
                author=author,
            )
        )
    PartnerExchange.objects.bulk_create(exchanges)
    SafeguardingReport.objects.bulk_create(reports)

    received = [
        ReceivedReport(
            received_on=D(2023, rng.randint(1, 12), rng.randint(1, 28)),
            partner=rng.choice(partners),
            description="Jeune fille signalée par une MECS, vue aux abords de la gare.",
            author=author,
        )
        for _ in range(T.REPORTED_NOT_MET)
    ]
    for demo in rng.sample(minors_, 4):
        received.append(
            ReceivedReport(
                received_on=D(2023, 2, 1),
                description="Signalement d'un club de prévention.",
                person=demo.person,
                linked_on=D(2023, 3, 1),
                author=author,
            )
        )
    ReceivedReport.objects.bulk_create(received)


def training(rng: random.Random, author) -> None:
    for title, institute, (start, end), days, trainees, departement, satisfaction in T.TRAINING:
        TrainingCycle.objects.create(
            title=title,
            institute=institute,
            start_date=D.fromisoformat(start),
            end_date=D.fromisoformat(end),
            days=Decimal(days),
            trainees=trainees,
            trainees_departement=departement,
            satisfaction=satisfaction,
            created_by=author,
        )
    for index, host in enumerate(T.AWARENESS):
        AwarenessSession.objects.create(
            host=host,
            date=D(2023, 2 + index, 14),
            audience="Professionnel·les",
            people=rng.randint(12, 40),
            created_by=author,
        )
    s = T.SCHOOLS
    pupils = partition(rng, s["pupils"], s["sessions"], 20)
    boys = [p // 2 + 2 for p in pupils]
    boys[-1] += s["boys"] - sum(boys)
    for index, (count, boy) in enumerate(zip(pupils, boys, strict=True)):
        SchoolSession.objects.create(
            school=f"Collège {'ABCD'[index % 4]}",
            date=D(2023, 1 + index, 10) if index < 11 else D(2023, 12, 1),
            levels="4e, 3e",
            pupils=count,
            boys=boy,
            girls=count - boy,
            satisfaction=s["satisfaction"],
            interest=s["interest"],
            created_by=author,
        )

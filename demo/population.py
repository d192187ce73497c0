"""The demo's persons: who was met in 2022, in 2023 or both, with their profile."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from contacts.models import CODE_ALPHABET, Language, Person, Product, ProstitutionMode
from demo import targets as T
from demo.tools import birth_in_december

FIRST = [
    "Aïcha",
    "Bella",
    "Candy",
    "Dora",
    "Esther",
    "Fatou",
    "Gina",
    "Hélène",
    "Iris",
    "Jade",
    "Kiki",
    "Lola",
    "Mira",
    "Nina",
    "Olga",
    "Precious",
    "Queen",
    "Rosa",
    "Sacha",
    "Tina",
    "Ursula",
    "Vanessa",
    "Wendy",
    "Xena",
    "Yasmine",
    "Zoé",
    "Amira",
    "Blessing",
    "Chloé",
    "Daria",
    "Elena",
    "Faith",
    "Grace",
    "Hope",
    "Ioana",
    "Joy",
    "Kenza",
    "Lina",
    "Maya",
    "Nadia",
    "Oumou",
    "Patience",
    "Rahma",
    "Sonia",
    "Thalia",
    "Vera",
    "Yara",
    "Ange",
]
MEN = [
    "Karim",
    "Bertrand",
    "Mehdi",
    "Yanis",
    "Sofiane",
    "Nicolas",
    "Julien",
    "Malik",
    "Rachid",
    "Tony",
]


@dataclass
class Demo:
    """A demo person and what the generator plans for them."""

    person: Person
    years: set[int]
    category: str | None = None  # 2023 age category when followed by the minors' team
    social_2023: bool = False
    new_at_drop_in: int = 0  # the year of a planned online first contact, then the drop-in
    special_young_adult: bool = False
    tags: set[str] = field(default_factory=set)


def build(rng: random.Random, author) -> list[Demo]:
    """Create the persons (bulk) and return their plans."""
    both, only_2023 = T.BOTH_YEARS, T.PEOPLE[2023] - T.BOTH_YEARS
    only_2022 = T.PEOPLE[2022] - T.BOTH_YEARS
    demos: list[Demo] = []
    # Followed by the minors' team in 2023, split between old and new acquaintances.
    followed = [("minor", 20, 18), ("young_adult", 26, 20), ("age_unknown", 14, 8)]
    for category, in_both, in_new in followed:
        demos += [Demo(Person(), {2022, 2023}, category) for _ in range(in_both)]
        demos += [Demo(Person(), {2023}, category) for _ in range(in_new)]
    followed_both = sum(x[1] for x in followed)
    followed_new = sum(x[2] for x in followed)
    demos += [Demo(Person(), {2022, 2023}) for _ in range(both - followed_both)]
    demos += [Demo(Person(), {2023}) for _ in range(only_2023 - followed_new)]
    demos += [Demo(Person(), {2022}) for _ in range(only_2022)]

    _genders_and_drugs(rng, demos)
    _births(rng, demos)
    _profiles(rng, demos)
    codes: set[str] = set()
    while len(codes) < len(demos):
        raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
        codes.add(f"{raw[:3]}-{raw[3:]}")
    for index, (demo, code) in enumerate(zip(demos, sorted(codes), strict=True)):
        person = demo.person
        person.code = code
        pool = MEN if person.gender == "male" else FIRST
        person.nickname = f"{pool[index % len(pool)]}" + (
            "" if index < len(pool) else f" {index // len(pool)}"
        )
        person.sex_work = person.gender != "male" or rng.random() < 0.3
        person.referral_source = rng.choice(["outreach", "peer", "online", "partner", "self"])
        person.created_by = author
        person.fill_derived()
    Person.objects.bulk_create([d.person for d in demos], batch_size=500)
    _many_to_many(rng, demos)
    return demos


def _genders_and_drugs(rng: random.Random, demos: list[Demo]) -> None:
    minors = [d for d in demos if d.category == "minor"]
    genders = [g for g, n in T.MINOR_GENDERS.items() for _ in range(n)]
    rng.shuffle(genders)
    for demo, gender in zip(minors, genders, strict=True):
        demo.person.gender = gender
    # Drug users: 22 minors; then by group so that both years add up.
    for demo in rng.sample([d for d in minors if d.person.gender != "male"], T.DRUG_USING_MINORS):
        demo.person.uses_drugs = True
    for demo in demos:
        if demo.category != "minor":
            demo.person.gender = rng.choices(["female", "trans_woman", "male"], [80, 12, 8])[0]
    for years, users, males in (({2022, 2023}, 250, 70), ({2023}, 145, 56), ({2022}, 102, 22)):
        group = [d for d in demos if d.years == years]
        already = sum(d.person.uses_drugs for d in group)
        others = [d for d in group if d.category != "minor"]
        men = rng.sample(others, males)
        for demo in men:
            demo.person.gender, demo.person.uses_drugs = "male", True
        rest = [d for d in others if d not in men and d.person.gender != "male"]
        for demo in rng.sample(rest, users - already - males):
            demo.person.uses_drugs = True
        # Men of the group who do not use drugs do not count among the drug users.
        for demo in group:
            if demo.person.gender == "male" and demo not in men and demo.category != "minor":
                demo.person.gender = "female"


def _births(rng: random.Random, demos: list[Demo]) -> None:
    minors = [d for d in demos if d.category == "minor"]
    ages = [age for age, n in T.MINOR_AGES.items() for _ in range(n)]
    rng.shuffle(ages)
    for demo, age in zip(minors, ages, strict=True):
        demo.person.birth_date = birth_in_december(rng, 2023 - age - 1)
    young = [d for d in demos if d.category == "young_adult"]
    young[0].special_young_adult = True
    young[0].person.birth_date = datetime.date(
        2005, 3, 10
    )  # 18 on 10 March 2023, first met in April
    for demo in young[1:]:
        demo.person.birth_date = birth_in_december(rng, 2023 - rng.choice([19, 20]) - 1)
    for demo in demos:
        person = demo.person
        if demo.category == "age_unknown":
            person.age_to_establish = True
        elif demo.category is None:
            if rng.random() < 0.06:
                continue  # age never given
            if rng.random() < 0.5:
                person.birth_date = datetime.date(
                    rng.randint(1958, 1999), rng.randint(1, 12), rng.randint(1, 28)
                )
            else:
                person.birth_year = rng.randint(1958, 1999)


def _profiles(rng: random.Random, demos: list[Demo]) -> None:
    for demo in demos:
        demo.person.country_of_origin = rng.choice(
            ["", "", "France", "Nigeria", "Roumanie", "Bulgarie", "Algérie"]
        )


def _many_to_many(rng: random.Random, demos: list[Demo]) -> None:
    """Languages, products and ways of sex work (those of the followed young exact)."""
    from demo.tools import spread

    languages = list(Language.objects.all())
    products = {p.slug: p for p in Product.objects.all()}
    modes = {m.slug: m for m in ProstitutionMode.objects.all()}
    language_rows, product_rows, mode_rows = [], [], []
    lang_through = Person.languages.through
    product_through = Person.products.through
    mode_through = Person.prostitution_modes.through
    for category, counts in T.MODES.items():
        group = [d for d in demos if d.category == category]
        for demo in group:
            demo.tags.add("followed")
        assigned = spread(rng, counts, group)
        for demo in group:
            for slug in assigned[id(demo)]:
                mode_rows.append(
                    mode_through(person_id=demo.person.pk, prostitutionmode_id=modes[slug].pk)
                )
    common = [
        "crack",
        "cocaine",
        "heroin",
        "alcohol",
        "cannabis",
        "opioid_substitution",
        "benzodiazepines",
    ]
    for demo in demos:
        person = demo.person
        for language in rng.sample(languages, rng.choice([1, 1, 2])):
            language_rows.append(lang_through(person_id=person.pk, language_id=language.pk))
        if person.uses_drugs:
            for slug in rng.sample(common, rng.choice([1, 1, 2, 3])):
                product_rows.append(
                    product_through(person_id=person.pk, product_id=products[slug].pk)
                )
        if demo.category is None and person.sex_work:
            for slug in rng.sample(
                ["street", "internet", "social_networks"], rng.choice([1, 1, 2])
            ):
                mode_rows.append(
                    mode_through(person_id=person.pk, prostitutionmode_id=modes[slug].pk)
                )
    lang_through.objects.bulk_create(language_rows, batch_size=1000)
    product_through.objects.bulk_create(product_rows, batch_size=1000)
    mode_through.objects.bulk_create(mode_rows, batch_size=1000)

"""A few invented persons so that a fresh demo is not empty."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from contacts.models import Channel, Contact, Language, Person, Product, ProstitutionMode

NICKNAMES = [
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
]


@transaction.atomic
def create_demo_persons(*, author, count: int = 20, seed: int = 2023) -> int:
    """Create invented persons with a few contacts each; skipped when demo persons exist."""
    if Person.all_objects.filter(code__startswith="DEM").exists():
        return 0
    rng = random.Random(seed)
    languages = list(Language.objects.all())
    products = list(Product.objects.all())
    modes = list(ProstitutionMode.objects.all())
    genders = ["female"] * 6 + ["trans_woman"] * 2 + ["male", "unknown"]
    now = timezone.now()
    channels = list(
        Channel.objects.filter(slug__in=["drop_in", "mobile_unit", "street", "instagram"])
    )
    for index in range(count):
        year = rng.randint(1970, 2008)
        person = Person.objects.create(
            code=f"DEM-{index + 1:03d}",
            nickname=NICKNAMES[index % len(NICKNAMES)],
            gender=rng.choice(genders),
            birth_year=year if rng.random() > 0.2 else None,
            age_to_establish=year >= 2007 and rng.random() < 0.3,
            sex_work=True,
            uses_drugs=rng.random() < 0.55,
            created_by=author,
        )
        person.languages.set(rng.sample(languages, k=rng.randint(1, 2)))
        person.prostitution_modes.set(rng.sample(modes, k=rng.randint(1, 2)))
        if person.uses_drugs:
            person.products.set(rng.sample(products, k=rng.randint(1, 3)))
        for _ in range(rng.randint(1, 6)):
            Contact.objects.create(
                person=person,
                author=author,
                channel=rng.choice(channels),
                caarud=person.uses_drugs and rng.random() < 0.7,
                occurred_at=now
                - datetime.timedelta(days=rng.randint(1, 400), hours=rng.randint(0, 8)),
            )
    return count

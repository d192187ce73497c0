"""A living demo: the staff accounts, one per role, and years of individual records,
generated deterministically: 2022 and 2023 add up to the service's published activity,
2021 to what its 2023 report says of that year, and the years after 2023 go on up to
today (demo.years)."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from django.db import transaction
from django.utils import timezone

from contacts.models import CODE_ALPHABET, Contact, Person
from contacts.services import person_merge
from demo import care, daily, directory, fieldwork, files, population, texts, years
from demo.accounts import create_demo_accounts
from entractes.freshness import records_changed
from entractes.models import User


@dataclass(frozen=True)
class Generated:
    accounts: list[User]
    persons: int  # persons created, 0 when persons existed already
    years: list[int] = field(default_factory=list)  # the years with records


# 2022 and 2023 are built first and whole; the later years need the last day.
LAST_BUILT = datetime.date(2023, 12, 31)


@transaction.atomic
def generate(*, seed: int = 2023, until: datetime.date | None = None) -> Generated:
    """Create or refresh the demo accounts, then the demo records in an empty database,
    up to ``until`` (default: today; never before the end of 2023).

    Refused when DEBUG is off (the accounts share a known password). No record is
    created when persons exist already: the demo never mixes with real records.
    Invented records get no change history.
    """
    accounts = create_demo_accounts()
    if Person.all_objects.exists():
        return Generated(accounts, 0)
    last = max(until or timezone.localdate(), LAST_BUILT)
    persons, built = _records(seed, {u.username: u for u in accounts}, last)
    return Generated(accounts, persons, built)


@disable_auditlog()
def _records(seed: int, staff: dict[str, User], until: datetime.date) -> tuple[int, list[int]]:
    records_changed()  # bulk writes send no signal
    rng = random.Random(seed)
    field_staff = [staff["educatrice"], staff["educateur-mineurs"], staff["animatrice"]]
    demos = population.build(rng, staff["educatrice"])
    for year in (2022, 2023):
        plan = fieldwork.sessions(rng, year, field_staff)
        built = fieldwork.contacts(rng, year, demos, plan, field_staff)
        fieldwork.material(rng, year, built, plan)
        fieldwork.topics(rng, built)
        fieldwork.online(rng, year, plan, staff["animatrice"])
        fieldwork.mediation(rng, year, staff["educatrice"])
        care.health(
            rng,
            year,
            demos,
            {
                "nurse": staff["infirmiere"],
                "doctor": staff["medecin"],
                "midwife": staff["sagefemme"],
            },
        )
    files.rights(rng, demos, staff["educatrice"])
    files.minors(rng, demos, staff["educateur-mineurs"], staff["educateur-mineurs"])
    files.training(rng, staff["educateur-mineurs"])
    texts.narrative(2023, staff["direction"])
    _duplicates(rng, demos, staff["educatrice"])
    built = years.build(seed, demos, staff, until)
    directory.partners()
    directory.places(seed, until, staff["educatrice"])
    daily.daily(seed, until, staff)
    return len(demos), built


def _duplicates(rng: random.Random, demos, author) -> None:
    """A few records created twice by mistake: most merged, three left to merge."""
    adults = [d for d in demos if d.category is None and d.years == {2022, 2023}]

    def code() -> str:
        raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(6))
        return f"{raw[:3]}-{raw[3:]}"

    for demo in rng.sample(adults, 5):
        kept = demo.person
        twin = Person(
            code=code(),
            nickname=kept.nickname.lower(),
            gender=kept.gender,
            birth_year=kept.birth_year,
            uses_drugs=kept.uses_drugs,
            created_by=author,
        )
        twin.save()
        moved = rng.sample(sorted(kept.contacts.values_list("pk", flat=True)), 2)
        Contact.objects.filter(pk__in=moved).update(person=twin)
        person_merge(kept=kept, duplicate=twin, by=author)
    for demo in rng.sample(adults, 3):
        Person.objects.create(
            code=code(),
            nickname=demo.person.nickname + "e",
            gender=demo.person.gender,
            birth_year=demo.person.birth_year,
            created_by=author,
        )

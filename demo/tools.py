"""Small helpers of the demo generator: exact random splits and dates."""

from __future__ import annotations

import datetime
import random
import zoneinfo

from django.db import connection

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def partition(rng: random.Random, total: int, parts: int, minimum: int = 0) -> list[int]:
    """``parts`` random integers of at least ``minimum`` adding up to ``total``."""
    if parts <= 0:
        return []
    rest = total - minimum * parts
    if rest < 0:
        raise ValueError(f"cannot split {total} into {parts} parts of at least {minimum}")
    cuts = sorted(rng.randint(0, rest) for _ in range(parts - 1))
    bounds = [0, *cuts, rest]
    return [minimum + bounds[i + 1] - bounds[i] for i in range(parts)]


def spread(
    rng: random.Random, counts: dict[str, int], people: list, *, at_least_one: bool = False
) -> dict:
    """Give each key to exactly ``counts[key]`` distinct people, those with fewest keys first.

    With ``at_least_one``, every person gets a key (the counts must allow it).
    """
    held: dict = {id(p): set() for p in people}
    for key, count in sorted(counts.items(), key=lambda item: -item[1]):
        ordered = sorted(people, key=lambda p: (len(held[id(p)]), rng.random()))
        for person in ordered[:count]:
            held[id(person)].add(key)
    if at_least_one and any(not keys for keys in held.values()):
        raise ValueError("not enough keys for everybody")
    return {id(p): held[id(p)] for p in people}


def moment(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def days_of(
    year: int,
    weekdays: set[int],
    start: datetime.date | None = None,
    end: datetime.date | None = None,
):
    day = start or datetime.date(year, 1, 1)
    last = end or datetime.date(year, 12, 31)
    while day <= last:
        if day.weekday() in weekdays:
            yield day
        day += datetime.timedelta(days=1)


def birth_in_december(rng: random.Random, year: int) -> datetime.date:
    """A December birthday: the age stays the same from January to November."""
    return datetime.date(year, 12, rng.randint(1, 28))


def insert(rows: list) -> None:
    """Save unsaved instances of one model nobody refers to (lines, links) in one
    statement: ``bulk_create`` without its per-row compilation, no pk read back.

    Only for models whose fields need no conversion (ids, numbers, text)."""
    if not rows:
        return
    opts = type(rows[0])._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    # Table and column names come from the model's own metadata, quoted.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608
        quote(opts.db_table),
        ", ".join(quote(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    names = [f.attname for f in fields]
    with connection.cursor() as cursor:
        cursor.executemany(sql, [tuple(getattr(row, name) for name in names) for row in rows])

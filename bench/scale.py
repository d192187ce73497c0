"""The records of the database multiplied, for the benchmarks: ``multiply(k)``.

Every table of the record apps (persons, sessions, contacts and their many-to-many rows,
health, rights, minors...) is copied ``k - 1`` times by ``INSERT ... SELECT`` in SQL, one
statement per table and copy (PostgreSQL: one per table, over ``generate_series``). A
copy shifts the primary key and the foreign keys to copied tables by an offset (the span
of the table's keys times the copy's number); foreign keys to reference tables (channels,
materials, service lines...) and to staff accounts stay as they are, and so do encrypted
fields (their ciphertext is copied). Unique text columns get a suffix (``K7M-4QX-3``),
other unique columns (a device's sending key) are left empty in the copies.
The reference tables and the follower counts (one per channel and day) are not copied.

The first call notes the keys of the records then present (the copy's model) in a table
``bench_scale``; later calls go on from the scale reached: ``multiply(10)`` then
``multiply(50)`` copies the model 40 more times. Copies of the same records count the
same: every additive figure of a year is ``k`` times its value before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction

from entractes.freshness import RECORD_APPS, records_changed

# Models of the record apps that hold reference lists or one row per day, not records.
NOT_COPIED = frozenset(
    {
        "contacts.language",
        "contacts.product",
        "contacts.prostitutionmode",
        "contacts.zone",
        "contacts.channel",
        "contacts.material",
        "contacts.theme",
        "contacts.service",
        "contacts.adsite",
        "contacts.mediationtheme",
        "contacts.partner",
        "contacts.openingslot",
        "contacts.followersnapshot",
        "health.serviceline",
        "health.serviceline_practitioners",
        "health.act",
        "rights.proceduretheme",
        "rights.pspdocumentkind",
    }
)
STATE = "bench_scale"


@dataclass(frozen=True)
class Table:
    model: type[models.Model]
    name: str
    pk: str
    columns: list[str]
    shifted: dict[str, str]  # column -> copied table it points to
    suffixed: list[str]  # unique text columns
    emptied: list[str]  # other unique columns, NULL in the copies


def copied_models() -> list[type[models.Model]]:
    """The models copied, each after the models it points to."""
    chosen = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in RECORD_APPS
        and model._meta.label_lower not in NOT_COPIED
        and not model._meta.proxy
        and model._meta.managed
    ]
    tables = {model._meta.db_table for model in chosen}
    ordered: list[type[models.Model]] = []
    placed: set[str] = set()
    while len(ordered) < len(chosen):
        progress = False
        for model in chosen:
            table = model._meta.db_table
            if table in placed:
                continue
            targets = [f.related_model for f in model._meta.concrete_fields if f.is_relation]
            needs = {
                target._meta.db_table
                for target in targets
                if target is not None and target is not model
            } & tables
            if needs <= placed:
                ordered.append(model)
                placed.add(table)
                progress = True
        if not progress:
            raise RuntimeError("foreign keys in a cycle among the copied tables")
    return ordered


def tables() -> list[Table]:
    """What each copied table's copy changes; a unique column it cannot keep unique is
    refused (a new model with one must be handled here)."""
    names = {model._meta.db_table for model in copied_models()}
    found = []
    for model in copied_models():
        meta = model._meta
        if meta.pk is None or not isinstance(meta.pk, models.AutoField | models.BigAutoField):
            raise RuntimeError(f"{meta.label}: a copy needs an automatic integer key")
        columns: list[str] = []
        shifted: dict[str, str] = {}
        suffixed: list[str] = []
        emptied: list[str] = []
        for field in meta.concrete_fields:
            columns.append(_column(field))
            if field.primary_key:
                continue
            target = field.related_model if field.is_relation else None
            if target is not None and target._meta.db_table in names:
                shifted[_column(field)] = target._meta.db_table
            elif field.unique:
                if isinstance(field, models.CharField) and not field.choices:
                    suffixed.append(_column(field))
                elif field.null:
                    emptied.append(_column(field))
                else:
                    raise RuntimeError(f"{meta.label}.{field.name}: unique, cannot be copied")
        for constraint in meta.constraints:
            fields = getattr(constraint, "fields", ())
            if fields and not any(
                _column(meta.get_field(name)) in shifted
                or _column(meta.get_field(name)) == _column(meta.pk)
                for name in fields
            ):
                raise RuntimeError(f"{meta.label}: {constraint.name} would be broken by copies")
        for together in meta.unique_together:
            if not any(_column(meta.get_field(name)) in shifted for name in together):
                raise RuntimeError(f"{meta.label}: unique {together} would be broken by copies")
        found.append(
            Table(model, meta.db_table, _column(meta.pk), columns, shifted, suffixed, emptied)
        )
    return found


def _column(field: Any) -> str:
    column = getattr(field, "column", None)
    if not column:
        raise RuntimeError(f"{field}: no column")
    return column


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _state(cursor) -> tuple[int, dict[str, tuple[int, int]]]:
    """The scale reached and the key range (low, high) of each table's model."""
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {_q(STATE)} "
        "(name varchar(100) PRIMARY KEY, low bigint NOT NULL, high bigint NOT NULL)"
    )
    cursor.execute(f"SELECT name, low, high FROM {_q(STATE)}")
    rows = {name: (low, high) for name, low, high in cursor.fetchall()}
    scale = rows.pop("", (1, 1))[0]
    return scale, rows


def scale_reached() -> int:
    """The scale of the records: 1 before any ``multiply``."""
    with connection.cursor() as cursor:
        return _state(cursor)[0]


def _copy_sql(table: Table, spans: dict[str, tuple[int, int]], first: int, last: int) -> str:
    """One INSERT copying the model rows of ``table`` as copies ``first`` to ``last``;
    the copy's number is the column ``n`` (a series on PostgreSQL, a constant elsewhere)."""
    low, high = spans[table.name]
    span = high - low + 1
    values = []
    for column in table.columns:
        source = f"t.{_q(column)}"
        if column == table.pk:
            values.append(f"{source} + n * {span}")
        elif column in table.shifted:
            target_low, target_high = spans[table.shifted[column]]
            values.append(f"{source} + n * {target_high - target_low + 1}")
        elif column in table.suffixed:
            # n as text: CAST works on both databases.
            values.append(f"{source} || '-' || CAST(n AS varchar(10))")
        elif column in table.emptied:
            values.append("NULL")
        else:
            values.append(source)
    if connection.vendor == "postgresql":
        numbers = f"generate_series({first}, {last}) AS s(n)"
    else:
        numbers = f"(SELECT {first} AS n) AS s"
    return (
        f"INSERT INTO {_q(table.name)} ({', '.join(_q(c) for c in table.columns)}) "
        f"SELECT {', '.join(values)} FROM {_q(table.name)} AS t CROSS JOIN {numbers} "
        f"WHERE t.{_q(table.pk)} BETWEEN {low} AND {high} ORDER BY n, t.{_q(table.pk)}"
    )


def _reset_sequences(cursor, copied: list[Table]) -> None:
    if connection.vendor == "postgresql":
        for table in copied:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), "
                f"COALESCE((SELECT MAX({_q(table.pk)}) FROM {_q(table.name)}), 1))",
                [table.name, table.pk],
            )
    # SQLite keeps its sequences (sqlite_sequence) past every key inserted.


def multiply(k: int, *, progress=None) -> dict[str, int]:
    """Bring the records to ``k`` times the model (the records present at the first
    call); returns the rows of each copied table afterwards. ``progress(table)`` is
    called after each table's copies."""
    if k < 1:
        raise ValueError("the scale is a whole number from 1 on")
    copied = tables()
    with transaction.atomic(), connection.cursor() as cursor:
        scale, spans = _state(cursor)
        if not spans:
            for table in copied:
                cursor.execute(
                    f"SELECT MIN({_q(table.pk)}), MAX({_q(table.pk)}) FROM {_q(table.name)}"
                )
                low, high = cursor.fetchone()
                spans[table.name] = (low or 1, high or 0)
            cursor.executemany(
                f"INSERT INTO {_q(STATE)} (name, low, high) VALUES (%s, %s, %s)",
                [(name, low, high) for name, (low, high) in spans.items()],
            )
            cursor.execute(f"INSERT INTO {_q(STATE)} (name, low, high) VALUES ('', 1, 1)")
        if k < scale:
            raise ValueError(f"the records are at {scale}x already, more than {k}x")
        missing = [table.name for table in copied if table.name not in spans]
        if missing:
            raise RuntimeError(f"tables without a model range: {', '.join(missing)}")
        if k > scale:
            if connection.vendor == "postgresql":
                # Foreign keys checked after each statement, not all at the commit.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in copied:
                if spans[table.name][1] >= spans[table.name][0]:
                    if connection.vendor == "postgresql":
                        cursor.execute(_copy_sql(table, spans, scale, k - 1))
                    else:
                        for n in range(scale, k):
                            cursor.execute(_copy_sql(table, spans, n, n))
                if progress:
                    progress(table.name)
            if connection.vendor == "postgresql":
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            _reset_sequences(cursor, copied)
            cursor.execute(f"UPDATE {_q(STATE)} SET low = %s WHERE name = ''", [k])
            records_changed()  # bulk writes send no signal
        rows = {}
        for table in copied:
            cursor.execute(f"SELECT COUNT(*) FROM {_q(table.name)}")
            rows[table.name] = cursor.fetchone()[0]
    return rows

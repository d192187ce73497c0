"""Import and export of records in spreadsheets (XLSX, or a folder of CSV files).

Everything is validated before anything is written: one bad cell and nothing changes.
Rows are matched on their external id, so importing the same file twice creates
nothing twice and updates only what changed.
"""

from __future__ import annotations

import copy
import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from auditlog.context import set_actor
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import load_workbook

from entractes.freshness import ALL_YEARS, records_changed, records_written
from entractes.lib.exports import to_csv, to_xlsx, unsafe_cell
from exchange import bulk
from exchange.models import ExternalId
from exchange.spec import BY_NAME, SHEETS, Col, Sheet

TRUE = {"1", "oui", "o", "vrai", "true", "x", "yes"}
FALSE = {"", "0", "non", "n", "faux", "false", "no"}


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.sheet}, ligne {self.row}, colonne « {self.column} » : « {self.value} » — {self.reason}"


class Unreadable(Exception):
    """A file that cannot be read at all; the message, in French, names it."""


class ImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problème(s)")
        self.problems = problems


# --- Reading ------------------------------------------------------------------------------


def read(path: str | Path | io.BytesIO) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """Rows of each known sheet: (row number as the user sees it, {header: text})."""
    if isinstance(path, (str, Path)) and Path(path).is_dir():
        data = {}
        for sheet in SHEETS:
            file = Path(path) / f"{sheet.name}.csv"
            if file.exists():
                rows = list(csv.DictReader(io.StringIO(decode_csv(file), newline="")))
                data[sheet.name] = [
                    (i + 2, {k: unsafe_cell((v or "").strip()) for k, v in row.items() if k})
                    for i, row in enumerate(rows)
                ]
        return data
    workbook = load_workbook(path, read_only=True, data_only=True)
    data = {}
    for sheet in SHEETS:
        if sheet.name not in workbook.sheetnames:
            continue
        kinds = {col.name: col.kind for col in sheet.columns}
        rows = workbook[sheet.name].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
        data[sheet.name] = [
            (
                index + 2,
                {
                    h: _text(v, kinds.get(h, "str"))
                    for h, v in zip(header, values, strict=False)
                    if h
                },
            )
            for index, values in enumerate(rows)
            if any(v not in (None, "") for v in values)
        ]
    return data


BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def decode_csv(file: Path) -> str:
    """The text of a CSV file: UTF-8 (with or without BOM), UTF-16 or UTF-32 with a BOM,
    else Windows-1252 (which reads Latin-1 text alike) when the result looks like text;
    anything else is refused with a message naming the file."""
    raw = file.read_bytes()
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                break
    else:
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            text = None
        # UTF-16 without a BOM or a binary file decodes to control characters: not text.
        if (
            text is not None
            and sum(ch < " " and ch not in "\t\r\n" for ch in text) <= len(text) // 100
        ):
            return text
    raise Unreadable(
        f"{file.name} : encodage non reconnu. Enregistrez le fichier en « CSV UTF-8 » "
        "(ou UTF-16 avec marque d'ordre, ou Windows-1252 / Latin-1)."
    )


def _text(value, kind: str = "str") -> str:
    """The text of a cell as typed in Excel or LibreOffice: a real date, time, number or
    boolean cell gives the text the column reads (a date cell in a date column, a
    date-and-time cell in a time column...)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.datetime):
        if kind == "date":
            return value.date().isoformat()
        if kind == "time":
            return value.time().isoformat(timespec="minutes")
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, datetime.time):
        return value.isoformat(timespec="minutes")
    if isinstance(value, datetime.timedelta):  # a duration cell read as a time of day
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return unsafe_cell(str(value).strip())


# --- Converting ---------------------------------------------------------------------------


def _date(text: str) -> datetime.date:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
    raise ValueError("date attendue (31/12/2023 ou 2023-12-31)")


def _datetime(text: str) -> datetime.datetime:
    text = text.replace("T", " ")
    for fmt in (
        "%d/%m/%Y %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S%z",
    ):
        try:
            value = datetime.datetime.strptime(text[:25], fmt)  # noqa: DTZ007 (made aware below)
        except ValueError:
            continue
        return value if value.tzinfo else timezone.make_aware(value)
    return timezone.make_aware(datetime.datetime.combine(_date(text), datetime.time(12)))


def _time(text: str) -> datetime.time:
    for fmt in ("%H:%M", "%H:%M:%S", "%Hh%M", "%Hh"):
        try:
            return datetime.datetime.strptime(text, fmt).time()  # noqa: DTZ007 (a time only)
        except ValueError:
            continue
    raise ValueError("heure attendue (18:30)")


class References:
    """Reference-list items by slug or French label, read once per import."""

    def __init__(self):
        self.cache: dict[Any, dict[str, Any]] = {}

    def get(self, model, text: str):
        if model not in self.cache:
            items = {}
            for item in model.objects.all():
                items[item.slug.lower()] = item
                items[item.label.lower()] = item
            self.cache[model] = items
        item = self.cache[model].get(text.strip().lower())
        if item is None:
            raise ValueError(f"valeur inconnue de la liste « {model._meta.verbose_name} »")
        return item


def _choice(sheet: Sheet, col: Col, text: str):
    field = sheet.model._meta.get_field(col.attr)
    for value, label in field.choices:
        if text.lower() in (str(value).lower(), str(label).lower()):
            return value
    allowed = ", ".join(str(v) for v, _l in field.choices if v != "")
    raise ValueError(f"valeur non reconnue (attendu : {allowed})")


def convert(sheet: Sheet, col: Col, text: str, refs: References):
    """The domain value of a cell, or ValueError with the reason in French."""
    if text == "":
        if col.required:
            raise ValueError("valeur obligatoire")
        if col.kind in ("refs", "quantities", "acts"):
            return {"refs": [], "quantities": {}, "acts": []}[col.kind]
        field = sheet.model._meta.get_field(col.attr)
        if field.has_default():
            return field.get_default()
        return None if field.null else ""
    if col.kind in ("str", "text"):
        return text
    if col.kind == "int":
        try:
            number = int(Decimal(text.replace(" ", "").replace(",", ".")))
        except (InvalidOperation, ValueError):
            raise ValueError("nombre entier attendu") from None
        if number < 0:
            raise ValueError("nombre positif attendu")
        return number
    if col.kind == "decimal":
        try:
            return Decimal(text.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise ValueError("nombre attendu") from None
    if col.kind == "bool":
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        raise ValueError("oui ou non attendu")
    if col.kind == "date":
        return _date(text)
    if col.kind == "datetime":
        return _datetime(text)
    if col.kind == "time":
        return _time(text)
    if col.kind == "choice":
        return _choice(sheet, col, text)
    if col.kind == "ref":
        return refs.get(col.model, text)
    if col.kind == "refs":
        items = [refs.get(col.model, part) for part in text.split(";") if part.strip()]
        _once(items)
        return items
    if col.kind == "links":
        ids = [part.strip() for part in text.split(";") if part.strip()]
        _once(ids)
        return ids
    if col.kind == "quantities":
        lines = {}
        for part in text.split(";"):
            if not part.strip():
                continue
            slug, _sep, quantity = part.partition("=")
            quantity = quantity.strip()
            if quantity.endswith(".0"):  # a number typed in a spreadsheet
                quantity = quantity[:-2]
            if not quantity.isdigit():
                raise ValueError(
                    f"quantité invalide pour « {slug.strip()} » (attendu : slug=nombre)"
                )
            material = refs.get(col.model, slug)
            if material in lines or (material, 0) in lines:
                raise ValueError(f"« {material.slug} » figure deux fois dans la cellule")
            # A zero quantity is accepted: nothing of it was handed out, no line is kept.
            lines[material if int(quantity) else (material, 0)] = int(quantity)
        return {item: quantity for item, quantity in lines.items() if quantity}
    if col.kind == "acts":
        acts = []
        for part in text.split(";"):
            if not part.strip():
                continue
            slug, _sep, rest = part.partition(":")
            result, _sep, detail = rest.partition(":")
            acts.append((refs.get(col.model, slug), result.strip(), detail.strip()))
        _once([act for act, _result, _detail in acts])
        return acts
    raise ValueError(col.kind)


def _once(items: list) -> None:
    """The same item twice in one cell is refused: which one was meant is not known."""
    seen: set = set()
    for item in items:
        if item in seen:
            name = getattr(item, "slug", item)
            raise ValueError(f"« {name} » figure deux fois dans la cellule")
        seen.add(item)


# --- Importing ----------------------------------------------------------------------------

SPECIAL = ("refs", "quantities", "acts", "link", "links")


@dataclass
class Parsed:
    sheet: Sheet
    row: int
    external_id: str
    values: dict[str, Any]
    links: dict[str, str]


def parse(data: dict, refs: References, on_progress=None) -> tuple[list[Parsed], list[Problem]]:
    """Every row converted, with every problem found; ``on_progress(rows_checked)`` is
    called every 500 rows."""
    parsed, problems, checked = [], [], 0
    known = {
        name: set(ExternalId.objects.filter(kind=name).values_list("external_id", flat=True))
        for name in BY_NAME
    }
    in_file = {
        name: {row.get(BY_NAME[name].key, "") for _n, row in rows} for name, rows in data.items()
    }
    for sheet in SHEETS:
        seen = set()
        for number, row in data.get(sheet.name, []):
            checked += 1
            if on_progress and checked % 500 == 0:
                on_progress(checked)
            external_id = row.get(sheet.key, "")
            if not external_id:
                problems.append(
                    Problem(sheet.name, number, sheet.key, "", "identifiant obligatoire")
                )
                continue
            if "\x00" in external_id:
                problems.append(
                    Problem(sheet.name, number, sheet.key, "", "caractère nul (octet 0) interdit")
                )
                continue
            if external_id in seen:
                problems.append(
                    Problem(
                        sheet.name,
                        number,
                        sheet.key,
                        external_id,
                        "identifiant en double dans la feuille",
                    )
                )
                continue
            seen.add(external_id)
            values, links = {}, {}
            for col in sheet.columns:
                if col.name not in row and not col.required:
                    continue  # a column left out of the sheet: the record keeps its value
                text = row.get(col.name, "")
                if "\x00" in text:
                    problems.append(
                        Problem(
                            sheet.name,
                            number,
                            col.name,
                            text.replace("\x00", "�"),
                            "caractère nul (octet 0) interdit : le fichier est abîmé ou mal encodé",
                        )
                    )
                    continue
                try:
                    value = convert(sheet, col, text, refs) if col.kind != "link" else text
                except ValueError as error:
                    problems.append(Problem(sheet.name, number, col.name, text, str(error)))
                    continue
                if col.kind == "links":
                    missing = [
                        v
                        for v in value
                        if v not in in_file.get(col.target, set()) and v not in known[col.target]
                    ]
                    if missing:
                        problems.append(
                            Problem(
                                sheet.name,
                                number,
                                col.name,
                                text,
                                f"aucune ligne « {col.target} » ne porte l'identifiant « {missing[0]} »",
                            )
                        )
                    else:
                        values[col.attr] = value
                elif col.kind == "link":
                    if not text:
                        if col.required:
                            problems.append(
                                Problem(sheet.name, number, col.name, text, "valeur obligatoire")
                            )
                        links[col.attr] = ""
                    elif (
                        text not in in_file.get(col.target, set()) and text not in known[col.target]
                    ):
                        problems.append(
                            Problem(
                                sheet.name,
                                number,
                                col.name,
                                text,
                                f"aucune ligne « {col.target} » ne porte cet identifiant",
                            )
                        )
                    else:
                        links[col.attr] = text
                else:
                    values[col.attr] = value
            parsed.append(Parsed(sheet, number, external_id, values, links))
    problems += _model_rules(parsed)
    problems += _person_codes(parsed)
    problems += _unique_rules(parsed)
    return parsed, problems


def _unique_rules(parsed: list[Parsed]) -> list[Problem]:
    """The models' uniqueness rules (one follower count a network a day, one reference
    figure a key a year...): two rows of the file, or a row and another record already
    in the database, that break one are refused, naming both."""
    from django.db.models import UniqueConstraint

    problems: list[Problem] = []
    known = {
        name: dict(ExternalId.objects.filter(kind=name).values_list("external_id", "object_id"))
        for name in BY_NAME
    }
    for sheet in SHEETS:
        rows = [p for p in parsed if p.sheet is sheet]
        if not rows:
            continue
        # Rows are current records: a rule on current ones only (a condition) applies to
        # them all, and to the records of the database that meet its condition.
        rules = [
            (tuple(rule.fields), rule.condition)
            for rule in sheet.model._meta.constraints
            if isinstance(rule, UniqueConstraint) and rule.fields
        ] + [(tuple(fields), None) for fields in sheet.model._meta.unique_together]
        # A unique field (a partner's name; persons' codes are checked on their own).
        rules += [
            ((field.name,), None)
            for field in sheet.model._meta.fields
            if field.unique and not field.primary_key and field.name != "code"
        ]
        for fields, condition in rules:
            cols = [next((c for c in sheet.columns if c.attr == f), None) for f in fields]
            if None in cols:
                continue
            attnames = [sheet.model._meta.get_field(f).attname for f in fields]
            records = sheet.model._base_manager.all()
            if condition is not None:
                records = records.filter(condition)
            in_db = {
                tuple(values[:-1]): values[-1] for values in records.values_list(*attnames, "pk")
            }
            first: dict[tuple, int] = {}
            for item in rows:
                parts = []
                for col in cols:
                    if col.kind == "link":
                        external = item.links.get(col.attr, "")
                        parts.append(known[col.target].get(external, ("new", external)))
                    else:
                        value = item.values.get(col.attr)
                        parts.append(getattr(value, "pk", value))
                key = tuple(parts)
                label = ", ".join(f"{col.name} = {_shown(item, col)}" for col in cols)
                if key in first:
                    reason = f"la ligne {first[key]} a déjà {label} : une seule ligne permise"
                elif (
                    key in in_db
                    and in_db[key] != known[sheet.name].get(item.external_id)
                    and not _adopts(sheet, fields, item, in_db[key], known)
                ):
                    reason = f"un autre enregistrement a déjà {label} : une seule ligne permise"
                else:
                    first[key] = item.row
                    continue
                problems.append(
                    Problem(sheet.name, item.row, cols[0].name, _shown(item, cols[0]), reason)
                )
    return problems


def _adopts(sheet: Sheet, fields: tuple, item: Parsed, pk: int, known: dict) -> bool:
    """A row of a new id naming by its natural field a record no import has named: that
    record is the row's (see ``Sheet.natural``), not another one."""
    return (
        fields == (sheet.natural,)
        and item.external_id not in known[sheet.name]
        and pk not in set(known[sheet.name].values())
    )


def _shown(item: Parsed, col: Col) -> str:
    if col.kind == "link":
        return item.links.get(col.attr, "")
    value = item.values.get(col.attr)
    return getattr(value, "slug", None) or str(value if value is not None else "")


def _person_codes(parsed: list[Parsed]) -> list[Problem]:
    """A person's code is unique: in the file and against the other persons."""
    from contacts.models import Person, normalize_code

    problems, seen = [], {}
    mapped = dict(ExternalId.objects.filter(kind="persons").values_list("object_id", "external_id"))
    taken = {code: mapped.get(pk) for pk, code in Person.all_objects.values_list("pk", "code")}
    for item in parsed:
        code = normalize_code(item.values.get("code") or "") if item.sheet.name == "persons" else ""
        if not code:
            continue
        if code in seen or (code in taken and taken[code] != item.external_id):
            problems.append(
                Problem(
                    "persons", item.row, "code", code, "code déjà attribué à une autre personne"
                )
            )
        seen[code] = item.external_id
    return problems


def _model_rules(parsed: list[Parsed]) -> list[Problem]:
    """The models' own checks (dates in order, counts that add up...) on every row."""
    problems = []
    for item in parsed:
        simple = {k: v for k, v in item.values.items() if _col(item.sheet, k).kind not in SPECIAL}
        instance = item.sheet.model(**simple)
        for attr, external in item.links.items():
            setattr(
                instance, f"{attr}_id", -1 if external else None
            )  # present or not, checked above
        exclude = [
            f.name
            for f in item.sheet.model._meta.get_fields()
            if f.is_relation or f.name in ("day", "code")
        ]
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for attr, messages in error.message_dict.items():
                if attr != "__all__" and attr not in item.values:
                    continue  # already reported: the cell could not be read
                col = next((c for c in item.sheet.columns if c.attr == attr), None)
                problems.append(
                    Problem(
                        item.sheet.name,
                        item.row,
                        col.name if col else attr,
                        str(simple.get(attr, "")),
                        " ".join(messages),
                    )
                )
    return problems


def _col(sheet: Sheet, attr: str) -> Col:
    return next(c for c in sheet.columns if c.attr == attr)


def import_records(
    data: dict, *, by, dry_run: bool = False, on_progress=None
) -> dict[str, dict[str, int]]:
    """Validate everything, then write everything (or nothing) in one transaction.
    Returns, per sheet, the numbers of rows created, updated and unchanged. Raises
    ImportRefused with every problem. ``on_progress(rows_checked)`` follows the checks
    (the writing, in one transaction, cannot be seen from outside before its end).

    Every row is written as the same record typed in a form would be: the models' rules
    apply and the change history names ``by``; each sheet's rows are written together,
    in as many queries whatever their number (see ``_write_sheet``)."""
    refs = References()
    parsed, problems = parse(data, refs, on_progress)
    if problems:
        raise ImportRefused(problems)
    summary = {
        sheet.name: {"created": 0, "updated": 0, "unchanged": 0}
        for sheet in SHEETS
        if sheet.name in data
    }
    # The change history names models by content type: read afresh, as a restore or a
    # new migration since this process started may have renumbered them.
    ContentType.objects.clear_cache()
    with transaction.atomic(), set_actor(by):
        ids = {
            name: dict(ExternalId.objects.filter(kind=name).values_list("external_id", "object_id"))
            for name in BY_NAME
        }
        for sheet in SHEETS:
            rows = [p for p in parsed if p.sheet is sheet]
            if rows and sheet.name == "merges":
                _write_merges(rows, ids, summary[sheet.name], by)
            elif rows:
                _write_sheet(sheet, rows, ids, summary[sheet.name], by)
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _merged_into() -> dict[int, int]:
    """Each merged duplicate -> the person it now lives in (through merges of merges)."""
    from contacts.models import Person

    pointers = dict(
        Person.all_objects.filter(merged_into__isnull=False).values_list("pk", "merged_into")
    )
    resolved = {}
    for pk in pointers:
        seen, target = {pk}, pointers[pk]
        while target in pointers and target not in seen:
            seen.add(target)
            target = pointers[target]
        resolved[pk] = target
    return resolved


def _target(ids: dict, target: str, external: str, merged: dict[int, int]) -> int | None:
    """The pk a link names: a merged duplicate's id names the person it was merged into,
    so that a re-import after a merge made in the app keeps the merge."""
    pk = ids[target].get(external) if external else None
    if target == "persons" and pk is not None:
        return merged.get(pk, pk)
    return pk


def _write_merges(rows: list[Parsed], ids: dict, counts: dict, by) -> None:
    """Each row: the duplicate (its external id) merged into the kept person, as a merge
    made in the app. A merge already made is left as it is."""
    from contacts import services
    from contacts.models import Person

    merged = _merged_into()  # read once, kept up to date as the rows merge
    for item in rows:
        duplicate_pk = ids["persons"][item.links["duplicate"]]
        kept_pk = _target(ids, "persons", item.links["kept"], merged)
        if merged.get(duplicate_pk) == kept_pk:
            counts["unchanged"] += 1
            continue
        problem = None
        if duplicate_pk == kept_pk:
            problem = "une fiche ne peut pas être fusionnée avec elle-même"
        elif duplicate_pk in merged:
            problem = "cette fiche a déjà été fusionnée dans une autre personne"
        if problem is None:
            try:
                services.person_merge(
                    kept=Person.all_objects.get(pk=kept_pk),
                    duplicate=Person.all_objects.get(pk=duplicate_pk),
                    by=by,
                )
            except services.MergeError as error:
                problem = str(error)
        if problem:
            raise ImportRefused(
                [Problem("merges", item.row, "duplicate", item.links["duplicate"], problem)]
            )
        for pk, target in merged.items():  # what lived in the duplicate lives in the kept
            if target == duplicate_pk:
                merged[pk] = kept_pk
        merged[duplicate_pk] = kept_pk
        counts["created"] += 1


def _write_sheet(sheet: Sheet, rows: list[Parsed], ids: dict, counts: dict, by) -> None:
    """Write a sheet's rows: its new records in ``bulk_create`` batches, its changed ones
    in one ``bulk_update``, their lists in bulk, once every row has passed the model's
    rules as its service would check them; then their change history, in bulk too."""
    if sheet.name in ONE_BY_ONE:
        _write_one_by_one(sheet, rows, ids, counts, by)
        return
    model = sheet.model
    existing = _existing(
        sheet, [ids[sheet.name][r.external_id] for r in rows if r.external_id in ids[sheet.name]]
    )
    merged = _merged_into()
    linked = _linked_records(sheet, rows, ids, merged)
    codes = iter(_new_person_codes(sheet, rows, ids))
    adoptable = {}
    if sheet.natural:
        mapped = set(ids[sheet.name].values())
        adoptable = {
            getattr(obj, sheet.natural): obj for obj in model._base_manager.exclude(pk__in=mapped)
        }
    names = {f.name for f in model._meta.concrete_fields}
    hanging = _one_to_one(model)
    history = bulk.History(by)
    external: list[ExternalId] = []
    years: set[int] = set()
    pending = rows
    while pending:
        # A row linking to a new row of the same sheet (a renewal) waits for it.
        unwritten = {r.external_id for r in pending if r.external_id not in ids[sheet.name]}
        later = [item for item in pending if _waits(sheet, item, unwritten)]
        if len(later) == len(pending):
            later = []  # links in a circle: written as the rows come
        waiting = {id(item) for item in later}
        new: list[tuple[Parsed, Any, dict]] = []
        changed: list[tuple[Parsed, Any, Any, dict]] = []
        for item in pending:
            if id(item) in waiting:
                continue
            instance = existing.get(ids[sheet.name].get(item.external_id))
            if instance is None and item.values.get(sheet.natural) in adoptable:
                instance = adoptable.pop(item.values[sheet.natural])
                ids[sheet.name][item.external_id] = instance.pk
                external.append(
                    ExternalId(kind=sheet.name, external_id=item.external_id, object_id=instance.pk)
                )
            fields, related = _row_values(sheet, item, ids, merged, linked)
            if instance is None:
                if sheet.name == "persons" and not fields.get("code"):
                    fields["code"] = next(codes)
                fields.update({name: by for name in WRITTEN_BY if name in names})
                if sheet.name == "sessions":
                    related["staff"] = [by]  # as ``session_create``: who opens it
                instance = model()
                for rel in hanging:  # a new record has none
                    rel.set_cached_value(instance, None)
                _assign(instance, names, fields, by)
                new.append((item, instance, related))
            elif not (
                _differs(sheet, instance, fields) or _related_differs(sheet, instance, related)
            ):
                counts["unchanged"] += 1
            elif sheet.name == "sessions" and fields.get("date", instance.date) != instance.date:
                # Its contacts move with it: ``session_update`` does that, row by row.
                _write(_session, sheet, item, instance, fields, related, by)
                counts["updated"] += 1
                years.add(ALL_YEARS)
            else:
                old = copy.copy(instance)
                if "version" in names:
                    instance.version += 1  # as an edit in the app (``person_update``)
                _assign(instance, names, fields, by)
                changed.append((item, old, instance, related))
        written = [(item, instance, related) for item, instance, related in new]
        written += [(item, instance, related) for item, _old, instance, related in changed]
        _check(sheet, written)
        _create(sheet, new)
        for item, instance, _related in new:
            ids[sheet.name][item.external_id] = instance.pk
            if sheet.name in linked:  # rows may link to rows above them (a renewal)
                linked[sheet.name][instance.pk] = instance
            external.append(
                ExternalId(kind=sheet.name, external_id=item.external_id, object_id=instance.pk)
            )
        records_written(model, [instance for _item, instance, _related in new])
        history.created(instance for _item, instance, _related in new)
        if changed:
            fields_changed = set().union(
                *(bulk.changed_fields(model, old, instance) for _i, old, instance, _r in changed)
            )
            if fields_changed:
                model._base_manager.bulk_update(
                    [instance for _i, _o, instance, _r in changed],
                    sorted(fields_changed),
                    batch_size=bulk.BATCH,
                )
            for _item, old, instance, _related in changed:
                history.changed(old, instance)
            years.add(ALL_YEARS)
        _write_lists(sheet, new, changed, history)
        counts["created"] += len(new)
        counts["updated"] += len(changed)
        pending = later
    ExternalId.objects.bulk_create(external, batch_size=bulk.BATCH)
    history.save()
    if years:
        records_changed(min(years))


def _waits(sheet: Sheet, item: Parsed, unwritten: set[str]) -> bool:
    return any(
        item.links.get(col.attr) in unwritten and item.links[col.attr] != item.external_id
        for col in sheet.columns
        if col.kind == "link" and col.target == sheet.name
    )


def _existing(sheet: Sheet, pks: list[int]) -> dict[int, Any]:
    """The records the rows update, with what they link to and their lists, read at once."""
    related = [c.attr for c in sheet.columns if c.kind in ("link", "ref")]
    lists = [c.attr for c in sheet.columns if c.kind in ("refs", "links")]
    if any(c.kind == "quantities" for c in sheet.columns):
        lists.append("material_lines__material")
    if any(c.kind == "acts" for c in sheet.columns):
        lists.append("acts__act")
    records = sheet.model._base_manager.prefetch_related(*lists)
    related += [rel.name for rel in _one_to_one(sheet.model)]
    if related:
        records = records.select_related(*related)
    return records.in_bulk(pks) if pks else {}


def _one_to_one(model) -> list:
    """The records of other models that may hang from a record, one at most (a person's
    legal identity): read with it, so that its change history asks no more of them."""
    return [rel for rel in model._meta.related_objects if rel.one_to_one]


def _row_values(sheet: Sheet, item: Parsed, ids: dict, merged, linked) -> tuple[dict, dict]:
    """A row's fields (model instances for its links) and lists, as its service takes them."""
    from contacts.models import normalize_code

    fields: dict[str, Any] = {}
    related: dict[str, Any] = {}
    for attr, value in item.values.items():
        col = _col(sheet, attr)
        if col.kind == "links":
            related[attr] = [
                linked[col.target][pk]
                for pk in (_target(ids, col.target, v, merged) for v in value)
                if pk in linked[col.target]
            ]
        elif col.kind in SPECIAL:
            related[attr] = value
        elif attr == "code":
            if value:  # an empty code cell keeps the person's code
                fields[attr] = normalize_code(value)
        else:
            fields[attr] = value
    if sheet.name == "persons" and fields.get("birth_date") and fields.get("birth_year") is None:
        fields.pop("birth_year", None)  # derived from the birth date: a blank cell says so
    for attr, external in item.links.items():
        target = _col(sheet, attr).target
        pk = _target(ids, target, external, merged)
        fields[attr] = linked[target].get(pk) if pk else None
    return fields, related


def _assign(instance, names: set[str], fields: dict, by) -> None:
    for name, value in fields.items():
        setattr(instance, name, value)
    # Stamped on every save by their services (narratives, procedures).
    if "updated_by" in names:
        instance.updated_by = by
    if "updated_at" in names:
        instance.updated_at = timezone.now()


def _check(sheet: Sheet, written: list[tuple[Parsed, Any, dict]]) -> None:
    """Every record about to be written checked by its model's rules, as ``save_record``
    checks it (the links and reference items were found above, the uniqueness rules
    checked on the whole file: the rest needs no query), then its derived fields set as
    its ``save`` sets them; any refusal refuses the import, naming every row refused."""
    from health.models import ConsultationAct
    from health.services import participants_check

    exclude = [f.name for f in sheet.model._meta.get_fields() if f.is_relation] + ["day"]
    problems = []
    for item, instance, related in written:
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
            if sheet.name == "health_sessions" and "participants" in related:
                participants_check(session=instance, persons=related["participants"])
            if "acts" in related:
                for act, result, detail in related["acts"]:
                    ConsultationAct(act=act, result=result, detail=detail).full_clean(
                        exclude=["consultation", "act"]
                    )
        except ValidationError as error:
            problems += _problems(sheet, item, error)
            continue
        fill = getattr(instance, "fill_derived", None)
        if fill is not None:
            fill()
    if problems:
        raise ImportRefused(problems)


def _create(sheet: Sheet, new: list[tuple[Parsed, Any, dict]]) -> None:
    """``bulk_create`` the new records (their pks set, on SQLite and PostgreSQL alike).
    A database rule refusing a batch (a check constraint) is looked for row by row, so
    that the refusal names the row."""
    if not new:
        return
    try:
        with transaction.atomic():
            sheet.model._base_manager.bulk_create(
                [instance for _item, instance, _related in new], batch_size=bulk.BATCH
            )
    except IntegrityError as error:
        problems = []
        for item, instance, _related in new:
            instance.pk = None
            try:
                instance.validate_constraints()
                instance.validate_unique()
            except ValidationError as refusal:
                problems += _problems(sheet, item, refusal)
        first = new[0][0]
        raise ImportRefused(
            problems
            or [Problem(sheet.name, first.row, sheet.key, first.external_id, f"refusé : {error}")]
        ) from None


def _write_lists(sheet: Sheet, new: list, changed: list, history: bulk.History) -> None:
    """The lists of the rows written (items of reference lists, linked rows, material
    handed out, acts of consultations), in a few queries whatever the number of rows:
    a new record's whole list, a changed record's list where it differs."""
    from contacts.models import ContactMaterial
    from health.models import ConsultationAct

    many = {field.name: field for field in sheet.model._meta.many_to_many}
    rows = [(instance, related, True) for _item, instance, related in new]
    rows += [(instance, related, False) for _item, _old, instance, related in changed]
    for name in sorted({name for _instance, related, _new in rows for name in related}):
        col = next((c for c in sheet.columns if c.attr == name), None)
        owners = [
            (instance, related[name])
            for instance, related, is_new in rows
            if name in related
            and (
                is_new
                or col is None
                or _current_related(instance, col) != _wanted_related(col, related[name])
            )
        ]
        listed = {instance.pk for instance, _wanted in owners}
        again = [i for i, _related, is_new in rows if not is_new and i.pk in listed]
        if name in many:
            changes = {}
            kept = {instance.pk for instance in again}
            for instance, wanted in owners:
                had = list(getattr(instance, name).all()) if instance.pk in kept else []
                history.listed(instance, name, "delete", [x for x in had if x not in wanted])
                history.listed(instance, name, "add", [x for x in wanted if x not in had])
                have = {x.pk for x in had}
                want = {x.pk for x in wanted}
                changes[instance.pk] = (have - want, want - have)
            bulk.set_lists(many[name], changes, history)
        elif name == "material_lines":
            old = [line for instance in again for line in instance.material_lines.all()]
            if again:
                bulk.remove(ContactMaterial, old, history, contact__in=[i.pk for i in again])
            ContactMaterial.objects.bulk_create(
                [
                    ContactMaterial(contact=instance, material=material, quantity=quantity)
                    for instance, wanted in owners
                    for material, quantity in wanted.items()
                ],
                batch_size=bulk.BATCH,
            )
        elif name == "acts":
            old = [act for instance in again for act in instance.acts.all()]
            if again:
                bulk.remove(ConsultationAct, old, history, consultation__in=[i.pk for i in again])
            acts = [
                ConsultationAct(consultation=instance, act=act, result=result, detail=detail)
                for instance, wanted in owners
                for act, result, detail in wanted
            ]
            ConsultationAct.objects.bulk_create(acts, batch_size=bulk.BATCH)
            history.created(acts)


def _write_one_by_one(sheet: Sheet, rows: list[Parsed], ids: dict, counts: dict, by) -> None:
    """Each row through its app's service (see ``ONE_BY_ONE``)."""
    existing = sheet.model._base_manager.in_bulk(
        [ids[sheet.name][r.external_id] for r in rows if r.external_id in ids[sheet.name]]
    )
    merged = _merged_into()
    linked = _linked_records(sheet, rows, ids, merged)
    writer = ONE_BY_ONE[sheet.name]
    created = []
    for item in rows:
        instance = existing.get(ids[sheet.name].get(item.external_id))
        fields, related = _row_values(sheet, item, ids, merged, linked)
        if instance is None:
            instance = _write(writer, sheet, item, None, fields, related, by)
            ids[sheet.name][item.external_id] = instance.pk
            created.append(
                ExternalId(kind=sheet.name, external_id=item.external_id, object_id=instance.pk)
            )
            counts["created"] += 1
        elif _differs(sheet, instance, fields) or _related_differs(sheet, instance, related):
            _write(writer, sheet, item, instance, fields, related, by)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    ExternalId.objects.bulk_create(created, batch_size=bulk.BATCH)


def _write(writer, sheet: Sheet, item: Parsed, instance, fields, related, by):
    """One row through its service. A rule refusing it there (one that needs the other
    records, so could not be checked beforehand) refuses the whole import."""
    try:
        return writer(instance, fields, related, by)
    except ValidationError as error:
        raise ImportRefused(_problems(sheet, item, error)) from None


def _problems(sheet: Sheet, item: Parsed, error: ValidationError) -> list[Problem]:
    """A model's refusal of a row, as problems naming its cells."""
    problems = []
    errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
    for attr, messages in errors.items():
        col = next((c for c in sheet.columns if c.attr == attr), None)
        value = item.values.get(attr, item.links.get(attr, ""))
        problems.append(
            Problem(
                sheet.name,
                item.row,
                col.name if col else attr,
                str(value if value is not None else ""),
                " ".join(messages),
            )
        )
    return problems


def _linked_records(sheet: Sheet, rows: list[Parsed], ids: dict, merged) -> dict[str, dict]:
    """The records the rows link to, by sheet and pk, read once."""
    wanted: dict[str, set] = {}
    for col in sheet.columns:
        if col.kind == "link":
            pks = {_target(ids, col.target, r.links.get(col.attr, ""), merged) for r in rows}
            wanted.setdefault(col.target, set()).update(pks - {None})
        elif col.kind == "links":
            pks = {
                _target(ids, col.target, external, merged)
                for r in rows
                for external in r.values.get(col.attr, [])
            }
            wanted.setdefault(col.target, set()).update(pks - {None})
    return {
        target: BY_NAME[target].model._base_manager.in_bulk(pks) for target, pks in wanted.items()
    }


def _differs(sheet: Sheet, instance, fields: dict) -> bool:
    for attr, value in fields.items():
        if _col(sheet, attr).kind in ("ref", "link"):
            if getattr(instance, f"{attr}_id") != (value.pk if value is not None else None):
                return True
        elif _comparable(getattr(instance, attr)) != _comparable(value):
            return True
    return False


def _comparable(value):
    """A value as the workbook holds it: to the second (an export writes no fraction)."""
    if isinstance(value, (datetime.datetime, datetime.time)):
        return value.replace(microsecond=0)
    return value


def _new_person_codes(sheet: Sheet, rows: list[Parsed], ids: dict) -> list[str]:
    """Codes for the new persons whose code cell is empty: distinct from each other,
    from the codes written in the file and from every code in the database."""
    if sheet.name != "persons":
        return []
    from contacts.models import generate_codes, normalize_code

    wanted = sum(
        1 for r in rows if r.external_id not in ids[sheet.name] and not r.values.get("code")
    )
    written = {normalize_code(r.values["code"]) for r in rows if r.values.get("code")}
    return generate_codes(wanted, taken=written)


def _current_related(instance, col):
    if col.kind in ("refs", "links"):
        return {obj.pk for obj in getattr(instance, col.attr).all()}
    if col.kind == "quantities":
        return {line.material_id: line.quantity for line in instance.material_lines.all()}
    return sorted((act.act_id, act.result, act.detail) for act in instance.acts.all())


def _wanted_related(col, value):
    if col.kind in ("refs", "links"):
        return {obj.pk for obj in value}
    if col.kind == "quantities":
        return {material.pk: quantity for material, quantity in value.items()}
    return sorted((act.pk, result, detail) for act, result, detail in value)


def _related_differs(sheet: Sheet, instance, related: dict) -> bool:
    return any(
        _current_related(instance, col) != _wanted_related(col, related[col.attr])
        for col in sheet.columns
        if col.attr in related
    )


# --- Writing through the apps' services ---------------------------------------------------
# The rows written one by one: (the record or None for a new one, its fields, its lists,
# by) -> the record saved. Fields hold model instances for references and links.


def _session(instance, fields, related, by):
    from contacts import services

    return services.session_update(session=instance, data={**fields, **related})


def _reference_figure(instance, fields, related, by):
    from reporting import services

    return services.reference_figure_save(data=fields, by=by)


# Reference figures go through their service (it checks each key against the report's
# figures; a few rows a year); so do sessions whose date changes (their contacts move).
ONE_BY_ONE = {"reference_figures": _reference_figure}
# Who wrote a new record: the importing account, as the services' creations name it.
WRITTEN_BY = ("created_by", "author", "worker")


# --- Exporting ----------------------------------------------------------------------------


def _cell(col: Col, value) -> str:
    if value is None:
        return ""
    if col.kind == "bool":
        return "oui" if value else "non"
    if col.kind == "datetime":
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if col.kind in ("date", "time"):
        return value.isoformat()
    if col.kind == "ref":
        return value.slug
    return str(value)


def _exported(sheet: Sheet):
    """The records a sheet's export holds: current ones (archived records stay in the
    service, for restoring), and for persons the duplicates merged into them too."""
    model = sheet.model
    if sheet.name == "persons":
        return model.all_objects.filter(archived_at__isnull=True)
    if sheet.name == "merges":
        return model.objects.filter(undone_at__isnull=True)
    return model._default_manager.all()


def record_counts() -> dict[str, int]:
    """How many records of each sheet an export holds, and how many links in their
    lists (products of persons, participants of sessions, material of contacts...)."""
    counts = {}
    for sheet in SHEETS:
        rows = _exported(sheet)
        counts[sheet.name] = rows.count()
        for col in sheet.columns:
            if col.kind in ("refs", "links"):
                through = sheet.model._meta.get_field(col.attr).remote_field.through
                owner = sheet.model._meta.model_name
                counts[f"{sheet.name}.{col.name}"] = through.objects.filter(
                    **{f"{owner}__in": rows}
                ).count()
            elif col.kind in ("quantities", "acts"):
                name = "material_lines" if col.kind == "quantities" else "acts"
                related = sheet.model._meta.get_field(name).related_model
                counts[f"{sheet.name}.{col.name}"] = related.objects.filter(
                    **{f"{sheet.model._meta.model_name}__in": rows}
                ).count()
    return counts


def export_rows(
    sheet: Sheet, external: dict[str, dict[int, str]]
) -> tuple[list[str], list[list[str]]]:
    """The header and rows of one sheet, every link written as the target's external id.
    The records are read in chunks, each list column in one query of plain values: as
    many queries for any number of rows."""
    queryset = _exported(sheet)
    selects = [c.attr for c in sheet.columns if c.kind == "ref"]
    if selects:
        queryset = queryset.select_related(*selects)
    lists = _lists(sheet, queryset)
    keyed = sheet.key == "id"
    header = [c.name for c in sheet.columns]
    if keyed:
        header.insert(0, "id")
    rows = []
    for obj in queryset.order_by("pk").iterator(chunk_size=2000):
        row = [_external_id(external, sheet.name, obj.pk)] if keyed else []
        for col in sheet.columns:
            if col.kind == "link":
                pk = getattr(obj, f"{col.attr}_id")
                row.append(_external_id(external, col.target, pk) if pk else "")
            elif col.kind == "refs":
                row.append(";".join(sorted(lists[col.name].get(obj.pk, []))))
            elif col.kind == "links":
                row.append(
                    ";".join(
                        sorted(
                            _external_id(external, col.target, pk)
                            for pk in lists[col.name].get(obj.pk, [])
                        )
                    )
                )
            elif col.kind in ("quantities", "acts"):
                row.append(";".join(lists[col.name].get(obj.pk, [])))
            else:
                row.append(_cell(col, getattr(obj, col.attr)))
        rows.append(row)
    return header, rows


def _lists(sheet: Sheet, records) -> dict[str, dict[int, list]]:
    """For each list column, its items by record pk, read in one query: slugs of
    reference items, pks of linked rows, « slug=quantité » of material, acts as written."""
    lists: dict[str, dict[int, list]] = {}
    owners = records.order_by().values("pk")
    for col in sheet.columns:
        found: dict[int, list] = {}
        if col.kind in ("refs", "links"):
            field = sheet.model._meta.get_field(col.attr)
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            item = f"{target}__slug" if col.kind == "refs" else f"{target}_id"
            through = field.remote_field.through._base_manager
            for owner, value in through.filter(**{f"{source}__in": owners}).values_list(
                f"{source}_id", item
            ):
                found.setdefault(owner, []).append(value)
        elif col.kind == "quantities":
            lines = sheet.model._meta.get_field("material_lines").related_model._base_manager
            for owner, slug, quantity in (
                lines.filter(contact__in=owners)
                .order_by("pk")
                .values_list("contact_id", "material__slug", "quantity")
            ):
                found.setdefault(owner, []).append(f"{slug}={quantity}")
        elif col.kind == "acts":
            acts = sheet.model._meta.get_field("acts").related_model._base_manager
            for owner, slug, result, detail in (
                acts.filter(consultation__in=owners)
                .order_by("pk")
                .values_list("consultation_id", "act__slug", "result", "detail")
            ):
                text = f"{slug}:{result}" + (f":{detail}" if detail else "")
                found.setdefault(owner, []).append(text)
        else:
            continue
        lists[col.name] = found
    return lists


class _Named(dict):
    """External ids by sheet and pk; a record without one is given ``<sheet>-<pk>``,
    remembered (written at the end of the export) so that the exported file, imported
    again into the same database, finds its records instead of creating them twice."""

    def __init__(self):
        super().__init__({name: {} for name in BY_NAME})
        self.new: list[ExternalId] = []
        for kind, external_id, object_id in ExternalId.objects.values_list(
            "kind", "external_id", "object_id"
        ):
            self[kind][object_id] = external_id
        self.used = {name: set(ids.values()) for name, ids in self.items()}


def _external_id(external: dict, sheet: str, pk: int) -> str:
    if pk not in external[sheet]:
        name = f"{sheet}-{pk}"
        if isinstance(external, _Named):
            while name in external.used[sheet]:  # an imported file's own id, for another
                name += "-bis"
            external.used[sheet].add(name)
            external.new.append(ExternalId(kind=sheet, external_id=name, object_id=pk))
        external[sheet][pk] = name
    return external[sheet][pk]


def export_records(
    path: str | Path | io.BytesIO, fmt: str = "xlsx", sheets_wanted=None, on_progress=None
) -> dict[str, int]:
    """Write every sheet (or those of ``sheets_wanted``) to ``path`` (an .xlsx file, or a
    folder of CSV files). ``on_progress(sheets_done, sheets_total)`` follows it."""
    external = _Named()
    chosen = [s for s in SHEETS if sheets_wanted is None or s.name in sheets_wanted]
    counts, sheets = {}, []
    for done, sheet in enumerate(chosen):
        header, rows = export_rows(sheet, external)
        counts[sheet.name] = len(rows)
        sheets.append((sheet.name, header, rows))
        if on_progress:
            on_progress(done + 1, len(chosen))
    ExternalId.objects.bulk_create(external.new, batch_size=1000)
    if fmt == "xlsx":
        to_xlsx(sheets, path, first_column_width=None)
    else:
        Path(path).mkdir(parents=True, exist_ok=True)
        for name, header, rows in sheets:
            (Path(path) / f"{name}.csv").write_text(
                to_csv(header, rows), encoding="utf-8", newline=""
            )
    return counts

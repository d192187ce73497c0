"""Import and export of records in spreadsheets (XLSX, or a folder of CSV files).

Everything is validated before anything is written: one bad cell and nothing changes.
Rows are matched on their external id, so importing the same file twice creates
nothing twice and updates only what changed.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from auditlog.context import set_actor
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from entractes.lib.exports import to_csv, to_xlsx, unsafe_cell
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
                key = []
                for col in cols:
                    if col.kind == "link":
                        external = item.links.get(col.attr, "")
                        key.append(known[col.target].get(external, ("new", external)))
                    else:
                        value = item.values.get(col.attr)
                        key.append(getattr(value, "pk", value))
                key = tuple(key)
                label = ", ".join(f"{col.name} = {_shown(item, col)}" for col in cols)
                if key in first:
                    reason = f"la ligne {first[key]} a déjà {label} : une seule ligne permise"
                elif key in in_db and in_db[key] != known[sheet.name].get(item.external_id):
                    reason = f"un autre enregistrement a déjà {label} : une seule ligne permise"
                else:
                    first[key] = item.row
                    continue
                problems.append(
                    Problem(sheet.name, item.row, cols[0].name, _shown(item, cols[0]), reason)
                )
    return problems


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

    Every row is written by its app's service, as the same record typed in a form would
    be: the models' rules apply and the change history names ``by``."""
    refs = References()
    parsed, problems = parse(data, refs, on_progress)
    if problems:
        raise ImportRefused(problems)
    summary = {
        sheet.name: {"created": 0, "updated": 0, "unchanged": 0}
        for sheet in SHEETS
        if sheet.name in data
    }
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
    from contacts.models import normalize_code

    model = sheet.model
    existing = model._base_manager.in_bulk(
        [ids[sheet.name][r.external_id] for r in rows if r.external_id in ids[sheet.name]]
    )
    merged = _merged_into()
    linked = _linked_records(sheet, rows, ids, merged)
    writers = _writers()
    codes = iter(_new_person_codes(sheet, rows, ids))
    created = []
    adoptable = {}
    if sheet.natural:
        mapped = set(ids[sheet.name].values())
        adoptable = {
            getattr(obj, sheet.natural): obj for obj in model._base_manager.exclude(pk__in=mapped)
        }
    for item in rows:
        instance = existing.get(ids[sheet.name].get(item.external_id))
        if instance is None and item.values.get(sheet.natural) in adoptable:
            instance = adoptable.pop(item.values[sheet.natural])
            ids[sheet.name][item.external_id] = instance.pk
            created.append(
                ExternalId(kind=sheet.name, external_id=item.external_id, object_id=instance.pk)
            )
        fields, related = {}, {}
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
        if (
            sheet.name == "persons"
            and fields.get("birth_date")
            and fields.get("birth_year") is None
        ):
            fields.pop("birth_year", None)  # derived from the birth date: a blank cell says so
        for attr, external in item.links.items():
            target = _col(sheet, attr).target
            pk = _target(ids, target, external, merged)
            fields[attr] = linked[target].get(pk) if pk else None
        if instance is None:
            if sheet.name == "persons" and not fields.get("code"):
                fields["code"] = next(codes)
            if "worker" in {f.name for f in model._meta.fields}:
                fields["worker"] = by  # who follows the record: the account importing it
            instance = _write(writers[sheet.name], sheet, item, None, fields, related, by)
            ids[sheet.name][item.external_id] = instance.pk
            if sheet.name in linked:  # rows may link to rows above them (a renewal)
                linked[sheet.name][instance.pk] = instance
            created.append(
                ExternalId(kind=sheet.name, external_id=item.external_id, object_id=instance.pk)
            )
            counts["created"] += 1
        elif _differs(sheet, instance, fields) or _related_differs(sheet, instance, related):
            _write(writers[sheet.name], sheet, item, instance, fields, related, by)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    ExternalId.objects.bulk_create(created, batch_size=1000)


def _write(writer, sheet: Sheet, item: Parsed, instance, fields, related, by):
    """One row through its service. A rule refusing it there (one that needs the other
    records, so could not be checked beforehand) refuses the whole import."""
    try:
        return writer(instance, fields, related, by)
    except ValidationError as error:
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
        raise ImportRefused(problems) from None


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
# One writer per sheet: (the record or None for a new one, its fields, its lists, by) ->
# the record saved. Fields hold model instances for references and links.


def _person(instance, fields, related, by):
    from contacts import services

    data = {**fields, **related}
    if instance is None:
        return services.person_create(data=data, by=by)
    return services.person_update(person=instance, data=data)


def _session(instance, fields, related, by):
    from contacts import services

    data = {**fields, **related}
    if instance is None:
        return services.session_create(data=data, by=by)
    return services.session_update(session=instance, data=data)


def _contact(instance, fields, related, by):
    from contacts import services
    from contacts.models import Contact

    row = {**fields, **related}
    if instance is not None:  # the columns left out of the sheet keep the contact's values
        row.setdefault("session", instance.session)
        row.setdefault(
            "material_lines",
            {line.material: line.quantity for line in instance.material_lines.all()},
        )
        for name in ("themes", "services", "referrals"):
            row.setdefault(name, list(getattr(instance, name).all()))
    row["material"] = row.pop("material_lines", {})
    contact = instance or Contact(author=by)
    contact.session = row.pop("session", None)
    return services.contact_save(
        row=row, by=by, contact=contact, occurred_at=row.pop("occurred_at")
    )


def _with_data(service, keyword):
    def write(instance, fields, related, by):
        return service(data={**fields, **related}, by=by, **{keyword: instance})

    return write


def _without_author(service, keyword):
    def write(instance, fields, related, by):
        return service(data={**fields, **related}, **{keyword: instance})

    return write


def _follower_snapshot(instance, fields, related, by):
    from contacts import services

    return services.follower_snapshot_record(**fields, by=by)


def _consultation(instance, fields, related, by):
    from health import services

    if "acts" in related:
        acts = [
            {"act": act, "result": result, "detail": detail}
            for act, result, detail in related["acts"]
        ]
    else:  # no acts column: the consultation keeps its acts
        acts = [
            {"act": line.act, "result": line.result, "detail": line.detail}
            for line in (instance.acts.all() if instance is not None else [])
        ]
    return services.consultation_save(data=fields, acts=acts, by=by, consultation=instance)


def _health_session(instance, fields, related, by):
    from health import services

    session = services.health_session_save(data=fields, by=by, session=instance)
    if "participants" in related:
        services.health_session_participants_set(session=session, persons=related["participants"])
    return session


def _partner(instance, fields, related, by):
    from contacts import services

    return services.partner_save(data=fields, partner=instance)


def _procedure_step(instance, fields, related, by):
    from rights import services

    return services.procedure_step_record(data=fields, by=by, step=instance)


def _file_record(model):
    """Measures, runaways and uses of products: records of a minor's file."""

    def write(instance, fields, related, by):
        from minors import services

        fields = dict(fields)
        minor_file = fields.pop("file")
        instance = instance or model()
        for name, value in fields.items():
            setattr(instance, name, value)
        return services.record_add(instance=instance, minor_file=minor_file, by=by)

    return write


def _training(model):
    """Training cycles, awareness and school sessions."""

    def write(instance, fields, related, by):
        from minors import services

        instance = instance or model()
        for name, value in fields.items():
            setattr(instance, name, value)
        return services.training_save(instance=instance, by=by)

    return write


def _reference_figure(instance, fields, related, by):
    from reporting import services

    return services.reference_figure_save(data=fields, by=by)


def _writers() -> dict:
    from contacts import services as contacts
    from health import services as health
    from minors import models as m
    from minors import services as minors
    from reporting import services as reporting
    from rights import services as rights

    return {
        "partners": _partner,
        "procedure_steps": _procedure_step,
        "file_partners": _file_record(m.FilePartner),
        "partner_exchanges": _file_record(m.PartnerExchange),
        "safeguarding_reports": _file_record(m.SafeguardingReport),
        "narratives": _with_data(reporting.narrative_save, "block"),
        "persons": _person,
        "sessions": _session,
        "contacts": _contact,
        "session_material": _without_author(contacts.session_material_save, "line"),
        "online_sites": _without_author(contacts.online_site_save, "site"),
        "followers": _follower_snapshot,
        "mediation": _with_data(contacts.mediation_save, "event"),
        "health_sessions": _health_session,
        "consultations": _consultation,
        "workshops": _with_data(health.workshop_save, "workshop"),
        "procedures": _with_data(rights.procedure_save, "procedure"),
        "psp_files": _with_data(rights.psp_file_record, "psp_file"),
        "minor_files": _with_data(minors.file_save, "minor_file"),
        "measures": _file_record(m.EducationalMeasure),
        "runaways": _file_record(m.Runaway),
        "product_uses": _file_record(m.ProductUse),
        "received_reports": _with_data(minors.report_save, "report"),
        "training_cycles": _training(m.TrainingCycle),
        "awareness_sessions": _training(m.AwarenessSession),
        "school_sessions": _training(m.SchoolSession),
        "reference_figures": _reference_figure,
    }


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
    """The header and rows of one sheet, every link written as the target's external id."""
    queryset = _exported(sheet)
    selects = [c.attr for c in sheet.columns if c.kind == "ref"]
    prefetch = [c.attr for c in sheet.columns if c.kind in ("refs", "links")]
    if any(c.kind == "quantities" for c in sheet.columns):
        prefetch.append("material_lines__material")
    if any(c.kind == "acts" for c in sheet.columns):
        prefetch.append("acts__act")
    if selects:
        queryset = queryset.select_related(*selects)
    queryset = queryset.prefetch_related(*prefetch).order_by("pk")
    keyed = sheet.key == "id"
    header = [c.name for c in sheet.columns]
    if keyed:
        header.insert(0, "id")
    rows = []
    for obj in queryset.iterator(chunk_size=2000) if not prefetch else queryset:
        row = [_external_id(external, sheet.name, obj.pk)] if keyed else []
        for col in sheet.columns:
            if col.kind == "link":
                pk = getattr(obj, f"{col.attr}_id")
                row.append(_external_id(external, col.target, pk) if pk else "")
            elif col.kind == "refs":
                row.append(";".join(sorted(item.slug for item in getattr(obj, col.attr).all())))
            elif col.kind == "links":
                row.append(
                    ";".join(
                        sorted(
                            _external_id(external, col.target, item.pk)
                            for item in getattr(obj, col.attr).all()
                        )
                    )
                )
            elif col.kind == "quantities":
                row.append(
                    ";".join(
                        f"{line.material.slug}={line.quantity}" for line in obj.material_lines.all()
                    )
                )
            elif col.kind == "acts":
                row.append(
                    ";".join(
                        f"{act.act.slug}:{act.result}" + (f":{act.detail}" if act.detail else "")
                        for act in obj.acts.all()
                    )
                )
            else:
                row.append(_cell(col, getattr(obj, col.attr)))
        rows.append(row)
    return header, rows


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

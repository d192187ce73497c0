"""Tabular exports: CSV and XLSX from rows of values."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value):
    """A text cell that a spreadsheet would run as a formula is written as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def unsafe_cell(text: str) -> str:
    """The value behind ``safe_cell`` (for imports of our own exports)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def to_xlsx(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]],
    target: str | Path | BinaryIO | None = None,
    *,
    first_column_width: int | None = 48,
) -> bytes | None:
    """One sheet per (title, header, rows); titles cut to Excel's 31 characters.

    Returns the workbook's bytes, or writes it to ``target`` (a path or a binary file)
    and returns None.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        if first_column_width:
            sheet.column_dimensions["A"].width = first_column_width
    if target is not None:
        workbook.save(target)
        return None
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

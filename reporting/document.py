"""The report document: its template context and the PDF rendered from it."""

from __future__ import annotations

from django.template.loader import render_to_string

from entractes.lib.figures import Value
from reporting import charts, descriptions, figures, layout
from reporting.models import NarrativeBlock, render_markdown


def narrative_snapshot(year: int) -> list[dict]:
    """The year's narrative blocks as plain data (frozen in a publication)."""
    return list(
        NarrativeBlock.objects.filter(year=year).values(
            "kind", "part", "title", "body", "signature", "position"
        )
    )


def context(
    year: int,
    values: dict[str, Value],
    narrative: list[dict],
    previous: dict[str, Value] | None = None,
    records: dict[str, list] | None = None,
):
    """What the document shows: ``records`` are the named records it lists (frozen with
    a publication), taken from the records when not given."""
    if previous is None:
        previous, _source = figures.previous_values(year)
    if records is None:
        records = layout.records_snapshot(year)
    blocks = [{**block, "html": render_markdown(block["body"])} for block in narrative]

    def of(kind, part=None):
        return [b for b in blocks if b["kind"] == kind and (part is None or b["part"] == part)]

    by_part = {
        part: [b for b in blocks if b["part"] == part and b["kind"] in ("focus", "case_note")]
        for part in NarrativeBlock.Part.values
    }
    return {
        "year": year,
        "previous_year": str(year - 1),
        "values": values,
        "s": layout.sections(values, previous, records),
        "records": records,
        "charts": charts.report_charts(values),
        "editorial": of("editorial"),
        "presentation": of("presentation"),
        "quality_plan": of("quality_plan"),
        "outlook": of("outlook"),
        "boxes": by_part,
        "appendix": _appendix(values),
    }


def _appendix(values: dict[str, Value]) -> list[tuple[str, str, Value, str]]:
    """Every key with its label, value and unit, sorted by key."""
    described = descriptions.describe(values)
    rows = []
    for key, value in sorted(values.items()):
        description = described.get(key)
        rows.append(
            (
                key,
                description.label if description else "",
                value,
                getattr(description, "unit", "count"),
            )
        )
    return rows


def render_pdf(
    year: int,
    values: dict[str, Value],
    narrative: list[dict],
    on_step=None,
    records: dict[str, list] | None = None,
) -> bytes:
    """The PDF of a year's report from given figures, narrative and listed records."""
    from entractes.lib.pdf import html_to_pdf

    step = on_step or (lambda progress, label: None)
    step(30, "graphiques")
    html = render_to_string(
        "reporting/pdf/report.html", context(year, values, narrative, records=records)
    )
    step(60, "mise en page")
    pdf = html_to_pdf(html)
    step(95, "enregistrement")
    return pdf

"""Charts of the report, drawn as SVG by pygal from the figures (page and PDF alike)."""

from __future__ import annotations

import base64

import pygal
from pygal.style import Style

from entractes.lib.figures import Value

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333333",
    foreground_strong="#222222",
    foreground_subtle="#dddddd",
    colors=("#8e1b54", "#2f6f8f", "#e0a526", "#5b8c3a", "#b2454f", "#6c5b9e", "#3a3a3a", "#c27ba0"),
    font_family="DejaVu Sans, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    value_font_size=11,
    legend_font_size=11,
    title_font_size=13,
)


def _family(
    values: dict[str, Value], prefix: str, labels: dict[str, str]
) -> list[tuple[str, float]]:
    return [
        (labels.get(key[len(prefix) :], key[len(prefix) :]), value or 0)
        for key, value in values.items()
        if key.startswith(prefix) and key.count(".") == prefix.count(".")
    ]


def _data_uri(chart) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _bar(title: str, items: list[tuple[str, float]], horizontal: bool = True) -> str | None:
    items = [(label, value) for label, value in items if value]
    if not items:
        return None
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    chart = chart_class(
        style=STYLE,
        width=640,
        height=max(220, 34 * len(items) + 80),
        show_legend=False,
        print_values=True,
        title=title,
        disable_xml_declaration=True,
        js=[],
    )
    chart.x_labels = [label for label, _value in items]
    chart.add(title, [value for _label, value in items])
    return _data_uri(chart)


def _pie(title: str, items: list[tuple[str, float]]) -> str | None:
    items = [(label, value) for label, value in items if value]
    if not items:
        return None
    chart = pygal.Pie(
        style=STYLE,
        width=520,
        height=320,
        inner_radius=0.45,
        title=title,
        print_values=True,
        disable_xml_declaration=True,
        js=[],
    )
    for label, value in items:
        chart.add(label, value)
    return _data_uri(chart)


def report_charts(
    values: dict[str, Value], labels: dict[str, str] | None = None
) -> dict[str, str | None]:
    """Every chart of the report, as SVG data URIs (None when there is nothing to draw)."""
    return {
        "gender": _pie(
            "Genre des personnes usagères de drogues", _family(values, "caarud.gender.", labels)
        ),
        "products": _bar("Produits consommés", _family(values, "caarud.products.", labels)),
        "materials": _bar("Matériel de RdRD distribué", _family(values, "rdr.material.", labels)),
        "procedures": _bar(
            "Démarches engagées par thème",
            [
                (k.split(".")[2], v)
                for k, v in values.items()
                if k.startswith("rights.procedures.") and k.endswith(".opened")
            ],
        ),
        "minors_age": _bar(
            "Âge des mineur·es", _family(values, "minors.age.", labels), horizontal=False
        ),
        "prostitution_modes": _bar(
            "Modes de prostitution des mineur·es",
            _family(values, "minors.prostitution_modes.minor.", labels),
        ),
    }


def monthly_contacts(months: list[tuple[str, int]], previous: list[tuple[str, int]]) -> str:
    chart = pygal.Bar(
        style=STYLE,
        width=760,
        height=300,
        title="Contacts par mois",
        disable_xml_declaration=True,
        js=[],
        legend_at_bottom=True,
    )
    chart.x_labels = [label for label, _count in months]
    chart.add("Année en cours", [count for _label, count in months])
    chart.add("Année précédente", [count for _label, count in previous])
    return _data_uri(chart)

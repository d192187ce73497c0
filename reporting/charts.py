"""Charts of the report, drawn as SVG by pygal from the figures (page and PDF alike):
French titles and labels from the reference lists, values printed in French
typography, a legend wherever a chart has several series."""

from __future__ import annotations

import base64

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from contacts.models import Material
from entractes.lib import typography
from entractes.lib.figures import Value
from reporting.labels import list_labels

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#333333",
    foreground_strong="#222222",
    foreground_subtle="#dddddd",
    colors=("#8e1b54", "#2f6f8f", "#e0a526", "#5b8c3a", "#b2454f", "#6c5b9e", "#3a3a3a", "#c27ba0"),
    font_family="DejaVu Sans, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    legend_font_size=12,
    title_font_size=14,
    value_colors=("#ffffff",),
)
COMMON = {
    "style": STYLE,
    "disable_xml_declaration": True,
    "js": [],
    "truncate_label": -1,
    "truncate_legend": -1,
    "formatter": lambda value: typography.number(value),
    "value_formatter": lambda value: typography.number(value),
    "print_values": True,
    "print_values_position": "center",
}

Series = list[tuple[str, list[tuple[str, float]]]]


def _data_uri(chart) -> str:
    svg = chart.render(is_unicode=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _items(values: dict[str, Value], template: str, name: str, only=None):
    """(label, value) for each item of a reference list, in the list's order (0 for an
    item without a value, so that the series of a chart line up)."""
    return [
        (label, values.get(template.format(slug)) or 0)
        for slug, label in list_labels(name).items()
        if only is None or slug in only
    ]


Titled = tuple[str, str | None]


def _bars(title: str, series: Series, *, horizontal: bool = True, width: int = 900) -> Titled:
    """Bars of one or several series over the same labels; the labels every series has
    at 0 are left out, and nothing is drawn when every value is 0."""
    if not series:
        return title, None
    labels = [label for label, _v in series[0][1]]
    kept = [i for i, _l in enumerate(labels) if any(items[i][1] for _n, items in series)]
    if not kept:
        return title, None
    chart_class = pygal.HorizontalBar if horizontal else pygal.Bar
    several = len(series) > 1
    bar = 22 if len(series) == 1 else 15
    chart = chart_class(
        width=width,
        height=max(240, (bar * len(series) + 10) * len(kept) + 110) if horizontal else 340,
        show_legend=several,
        legend_at_bottom=True,
        title=title,
        **COMMON,
    )
    chart.x_labels = [labels[i] for i in kept]
    for name, items in series:
        chart.add(name, [items[i][1] for i in kept])
    return title, _data_uri(chart)


def _pie(title: str, items: list[tuple[str, float]]) -> Titled:
    items = [(label, value) for label, value in items if value]
    if not items:
        return title, None
    chart = pygal.Pie(width=620, height=340, inner_radius=0.45, title=title, **COMMON)
    for label, value in items:
        chart.add(label, value)
    return title, _data_uri(chart)


def _by_category(values, prefix: str, name: str, categories=None) -> Series:
    """One series per age category of ``prefix<category>.<slug>`` keys."""
    labels = list_labels("category")
    return [
        (labels[c][:1].upper() + labels[c][1:], _items(values, prefix + c + ".{}", name))
        for c in (categories or labels)
    ]


# The charts the figures page shows, in its order (the PDF places each where it belongs).
PAGE = (
    "gender",
    "products",
    "materials_drugs",
    "materials_sex_work",
    "procedures",
    "mediation_themes",
    "minors_age",
    "prostitution_modes",
)


def report_charts(values: dict[str, Value]) -> dict[str, str | None]:
    """Every chart of the report, as SVG data URIs (None when there is nothing to draw)."""
    return {name: uri for name, (_title, uri) in titled_charts(values).items()}


def page_charts(values: dict[str, Value]) -> list[tuple[str, str]]:
    """The figures page's charts, as (title, data URI), those with something to draw."""
    charts = titled_charts(values)
    return [(charts[name][0], uri) for name in PAGE if (uri := charts[name][1])]


def titled_charts(values: dict[str, Value]) -> dict[str, Titled]:
    """Every chart of the report with its title."""
    categories = dict(Material.objects.values_list("slug", "category"))

    def materials(category: str | None) -> list[tuple[str, float]]:
        only = None if category is None else {s for s, c in categories.items() if c == category}
        return _items(values, "rdr.material.{}", "material", only)

    return {
        "gender": _pie(
            _("Genre des personnes usagères de drogues"),
            _items(values, "caarud.gender.{}", "gender"),
        ),
        "products": _bars(
            _("Produits consommés"),
            [(_("Personnes"), _items(values, "caarud.products.{}", "product"))],
        ),
        "materials": _bars(_("Matériel de RdRD distribué"), [(_("Quantités"), materials(None))]),
        "materials_drugs": _bars(
            _("Matériel lié à l'usage de drogues"),
            [(_("Quantités"), materials(Material.Category.DRUG_USE))],
        ),
        "materials_sex_work": _bars(
            _("Matériel lié à l'activité prostitutionnelle"),
            [(_("Quantités"), materials(Material.Category.SEX_WORK))],
        ),
        "procedures": _bars(
            _("Démarches engagées et abouties par thème"),
            [
                (
                    _("Démarches engagées"),
                    _items(values, "rights.procedures.{}.opened", "procedure_theme"),
                ),
                (
                    _("Démarches abouties"),
                    _items(values, "rights.procedures.{}.completed", "procedure_theme"),
                ),
            ],
        ),
        "mediation_parties": _bars(
            _("Contacts réalisés dans le cadre de la médiation"),
            [(_("Personnes"), _items(values, "mediation.contacts.{}", "party"))],
        ),
        "mediation_themes": _bars(
            _("Thèmes abordés en médiation"),
            [(_("Médiations"), _items(values, "mediation.themes.{}", "mediation_theme"))],
        ),
        "minors_age": _bars(
            _("Âge des mineur·e·s"),
            [(_("Mineur·e·s"), _items(values, "minors.age.{}", "age"))],
            horizontal=False,
            width=520,
        ),
        "minors_products": _bars(
            _("Produits consommés par les jeunes suivi·e·s"),
            _by_category(values, "minors.products.", "minor_product"),
        ),
        "prostitution_modes": _bars(
            _("Modes de prostitution connus"),
            _by_category(
                values,
                "minors.prostitution_modes.",
                "mode",
                categories=("minor", "young_adult"),
            ),
        ),
    }


def monthly_contacts(
    months: list[tuple[str, int]],
    previous: list[tuple[str, int]],
    years: tuple[int, int] | None = None,
) -> str:
    chart = pygal.Bar(
        width=760,
        height=300,
        title=_("Contacts par mois"),
        legend_at_bottom=True,
        **{**COMMON, "print_values": False},
    )
    chart.x_labels = [label for label, _count in months]
    now, before = (str(y) for y in years) if years else (_("Année en cours"), _("Année précédente"))
    chart.add(now, [count for _label, count in months])
    chart.add(before, [count for _label, count in previous])
    return _data_uri(chart)

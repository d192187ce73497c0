"""French labels of the slugs that name the report's families (for charts and tables)."""

from __future__ import annotations

from contacts.models import Gender, Material, Product, ProstitutionMode
from rights.models import ProcedureTheme


def slug_labels() -> dict[str, str]:
    labels = {value: str(label) for value, label in Gender.choices}
    for model in (Product, Material, ProstitutionMode, ProcedureTheme):
        labels |= dict(model.objects.values_list("slug", "label"))
    return labels


def list_labels(name: str) -> dict[str, str]:
    """The French labels of the items a family of keys is generated from (``material``,
    ``procedure_theme``, ``party``, ``category``...), in the list's order."""
    from reporting.descriptions import SOURCES

    return {slug: french for slug, (french, _english) in SOURCES[name]().items()}

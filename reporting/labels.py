"""French labels of the items the report's families are generated from (for charts and
the document's tables)."""

from __future__ import annotations


def list_labels(name: str) -> dict[str, str]:
    """The French labels of the items a family of keys is generated from (``material``,
    ``procedure_theme``, ``party``, ``category``...), in the list's order."""
    from reporting.descriptions import SOURCES

    return {slug: french for slug, (french, _english) in SOURCES[name]().items()}

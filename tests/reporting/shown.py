"""The figures page as a browser shows it: the page, then, when the figures it is
compared with were still to compute, its sections loaded again with them (htmx)."""

from django.urls import reverse


def figures_shown(client, params: dict | None = None):
    """The response whose context holds the sections with both columns filled."""
    url = reverse("reporting:figures")
    response = client.get(url, params or {})
    assert response.status_code == 200
    if response.context["comparison_pending"]:
        query = response.context["comparison_query"]
        response = client.get(f"{url}?{query}", headers={"HX-Request": "true"})
        assert response.status_code == 200 and not response.context["comparison_pending"]
    return response


def rows_of(response) -> dict:
    """The rows of a figures page (or of its sections' fragment) by key."""
    return {row.key: row for _slug, _title, rows in response.context["sections"] for row in rows}


def rows_shown(client, params: dict | None = None) -> dict:
    """The rows of the figures page by key, as ``figures_shown`` shows them."""
    return rows_of(figures_shown(client, params))

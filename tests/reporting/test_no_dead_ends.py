"""No dead ends: every internal link the report's pages draw for a role opens for that
role (no refusal, no missing page, no error), on the demo's records."""

import functools
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse

from reporting import figures

# The report's pages with links, for the demo's year with records.
YEAR = 2023
PAGES = [
    reverse("reporting:dashboard"),
    f"{reverse('reporting:figures')}?year={YEAR}",
    reverse("reporting:checks", kwargs={"year": YEAR}),
]
# The pages' figures kept between the requests, as in production (the tests' default
# is to compute them on every request).
KEPT = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "f"},
}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def internal_links(page: str, body: str) -> set[str]:
    parser = _Links()
    parser.feed(body)
    links = set()
    for href in parser.hrefs:
        url = urljoin(page, href)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or href.startswith("#") or not parts.path:
            continue
        links.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


@pytest.fixture
def sets_declared_once(monkeypatch):
    """The figure sets of a year declared once for the walk (no record changes during
    it): the same declarations, without rebuilding them for each of the director's
    two hundred drill-downs."""
    monkeypatch.setattr(figures, "figure_sets", functools.cache(figures.figure_sets))


@pytest.mark.django_db
@override_settings(CACHES=KEPT)
def test_every_link_of_the_report_pages_opens_for_who_sees_it(client, demo_db, sets_declared_once):
    reached_pages = {}
    dead = []
    followed = []
    walked: set[frozenset[str]] = set()
    for user in demo_db.accounts:
        # Accounts whose roles give the same capabilities see the same links.
        if user.capabilities in walked:
            continue
        walked.add(user.capabilities)
        client.force_login(user)
        links: set[str] = set()
        for page in PAGES:
            response = client.get(page)
            if response.status_code != 200:
                assert response.status_code == 403, (user.username, page, response.status_code)
                continue
            reached_pages.setdefault(page, set()).add(user.username)
            links |= internal_links(page, response.content.decode())
        for link in sorted(links):
            status = client.get(link).status_code
            followed.append((user.username, link))
            if status in (403, 404) or status >= 500:
                dead.append((user.username, link, status))
        client.logout()
    assert dead == []
    # The walk went where it should: every page was reached, the checks by the director,
    # and the director was offered the records behind the figures.
    assert set(reached_pages) == set(PAGES)
    assert "direction" in reached_pages[PAGES[2]]
    assert {"direction", "educatrice", "admin"} <= reached_pages[PAGES[1]]
    assert sum("/chiffres/detail/?key=" in link for _u, link in followed) > 100


@pytest.mark.django_db
def test_the_walk_catches_a_link_to_a_refusal(client, demo_db):
    """The director is offered no link to the health unit's records, which the health
    figures' sets reserve to health staff: a link drawn for them would be refused."""
    director = next(u for u in demo_db.accounts if u.username == "direction")
    client.force_login(director)
    body = client.get(PAGES[1]).content.decode()
    drills = {link for link in internal_links(PAGES[1], body) if "key=health." in link}
    assert drills == set()
    response = client.get(
        reverse("reporting:drilldown"), {"key": "health.nurse.sessions", "year": YEAR}
    )
    assert response.status_code == 403

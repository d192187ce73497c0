"""Browser journeys: Playwright's sync API driving Debian's Chromium against live_server.

One browser for all the journeys, a new context (cookies, viewport) for each page a
test opens. Without /usr/bin/chromium the journeys are skipped, except under CI, where
they fail: a CI that silently skipped them would prove nothing.

The journeys are transactional tests (the live server's threads must see their data),
so the database is flushed after each; they run after the other database tests, and
put the database back as they found it for the tests that follow them.
"""

import os
import re
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections

from entractes.models import AccessLogEntry
from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
# Generous for a slow CI machine; a journey that works never waits this long.
TIMEOUT_MS = 15_000


def _unavailable(reason: str):
    if "CI" in os.environ:
        pytest.fail(f"Browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="package", autouse=True)
def database_as_found(django_db_setup, django_db_blocker):
    """Put back, after the journeys, what the database held before them.

    The flush after each transactional test also empties the reference lists created
    by data migrations (roles, channels, materials, acts...); the journeys get them
    back through ``serialized_rollback``, and the tests after them from here.
    """
    with django_db_blocker.unblock():
        found = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        connection.creation.deserialize_db_from_string(found)


@pytest.fixture(scope="package")
def browser(django_db_setup):
    """Chromium, for the journeys of this package only (closed after the last one).

    While Playwright's sync API runs, an asyncio event loop runs in this thread, so:
    - Django would refuse every ORM call of the tests (SynchronousOnlyOperation)
      without DJANGO_ALLOW_ASYNC_UNSAFE. It is set here rather than when this file is
      imported, and removed afterwards: subprocesses started by other tests inherit
      the environment, and ``check --deploy`` reports the variable as an error.
    - Django keeps connections per asyncio context instead of per thread: this thread's
      connections are pinned so that the tests, and the flush between them, keep using
      the test database's (on SQLite, the in-memory one shared with the live server).
    """
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _unavailable("the playwright package is missing (pip install -e '.[dev]')")
    # Assertions wait as long as actions do (their own default is 5 s).
    expect.set_options(timeout=TIMEOUT_MS)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pinned = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, wrapper in pinned.items():
                connections[alias] = wrapper
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.call_failed = report.failed
    return report


@pytest.fixture(scope="session")
def live_server_one_request_at_a_time(live_server):
    """On an in-memory SQLite database, serve one request at a time.

    The live server's threads then share a single connection (there is no other way to
    reach that database), and two requests at once, such as the panels of a person's
    page loaded together by htmx, would interleave their transactions on it.
    """
    if not any(c.vendor == "sqlite" and c.is_in_memory_db() for c in connections.all()):
        return live_server
    httpd = live_server.thread.httpd
    app, lock = httpd.get_app(), threading.Lock()

    def one_at_a_time(environ, start_response):
        with lock:
            return app(environ, start_response)

    httpd.set_app(one_at_a_time)
    return live_server


@pytest.fixture
def new_page(request, browser, live_server_one_request_at_a_time):
    """``new_page(phone=False)``: a page in a fresh context, on the live server.

    When the test fails, the last page of each context is saved beside the journeys'
    screenshots, as ``failed-<test>-<n>.png``.
    """
    contexts = []

    def open_page(*, phone: bool = False):
        context = browser.new_context(
            base_url=live_server_one_request_at_a_time.url,
            locale="fr-FR",
            timezone_id="Europe/Paris",
            **(PHONE if phone else {"viewport": {"width": 1280, "height": 900}}),
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: page_errors.append(str(error)))
        page.on("console", lambda message: console_errors.append(message))
        return page

    page_errors: list[str] = []
    console_errors: list = []
    yield open_page
    for number, context in enumerate(contexts, start=1):
        if getattr(request.node, "call_failed", False) and context.pages:
            screenshot(context.pages[-1], f"failed-{request.node.name}-{number}")
        context.close()
    # A script error or a refusal by the content security policy (an inline script or
    # style) leaves a page half working: fail the journey rather than pass by luck.
    # Failed loads are left to the tests, which check the responses they expect.
    refusals = [
        m.text
        for m in console_errors
        if m.type == "error" and not m.text.startswith("Failed to load resource")
    ]
    assert not page_errors + refusals, page_errors + refusals


def log_in(page, user, password: str = PASSWORD):
    """Log in through the real login form; returns the page on the landing page."""
    page.goto("/compte/connexion/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    assert "/compte/connexion/" not in page.url, page.locator("form").inner_text()
    return page


def screenshot(page, journey: str) -> Path:
    """The journey's last page, full length, under var/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{journey}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def path_of(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


@pytest.fixture(autouse=True)
def empty_access_log_at_teardown(transactional_db):
    """Let the flush after a transactional test empty the access log on SQLite.

    The log refuses DELETE of entries younger than a year (database triggers), and on
    SQLite Django flushes tables with DELETE; PostgreSQL flushes with TRUNCATE, which
    the table owner may run. The triggers are dropped for the cleanup, then put back
    as they were.
    """
    yield
    if connection.vendor != "sqlite":
        return
    table = AccessLogEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
            [table],
        )
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute(f'DELETE FROM "{table}"')
        for _name, sql in triggers:
            cursor.execute(sql)

"""Load benchmark: staff at work on the demo data (run by ``make bench-load``).

Field workers open sessions and post round sheets, log single contacts, search persons
and open person pages (the page, then its panels, as htmx loads them); a nurse reads
person pages with their health panel; the director reads the figures page. Every user
logs in through the login form once; cookies (session, CSRF) live in locust's
HttpSession. Requests are named by page so that all person pages add up together.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import os
import random
import re
import threading
import time
import zoneinfo

from locust import HttpUser, between, events, task

PASSWORD = "entractes-demo-2023"  # noqa: S105 (the documented demo password)
FIGURES_YEAR = 2023
SERVICE_TZ = zoneinfo.ZoneInfo("Europe/Paris")

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PERSON_ROW = re.compile(
    r'class="person-code" href="/personnes/([^/"]+)/">[^<]*</a></td>\s*<td>([^<]*)</td>'
)
SELECT = r'<select name="{name}"[^>]*>(.*?)</select>'
OPTION = re.compile(r'<option value="([^"]*)"([^>]*)>')
QTY = re.compile(r'name="form-0-qty_([\w-]+)"')

# Not for security: the choice of rows and search words only.
rng = random.Random(2023)  # noqa: S311


class Pool:
    """Codes and nicknames of persons seen in lists and searches, shared by all users."""

    def __init__(self):
        self.lock = threading.Lock()
        self.codes: list[str] = []
        self.nicknames: list[str] = []

    def add(self, html: str) -> None:
        found = PERSON_ROW.findall(html)
        with self.lock:
            known = set(self.codes)
            for code, nickname in found:
                if code not in known:
                    known.add(code)
                    self.codes.append(code)
                    self.nicknames.append(nickname.strip())

    def code(self) -> str | None:
        with self.lock:
            return rng.choice(self.codes) if self.codes else None

    def search_word(self) -> str:
        with self.lock:
            nickname = rng.choice(self.nicknames) if self.nicknames else "ma"
        word = re.sub(r"\W", "", nickname) or "ma"
        return word[: rng.randint(2, 4)]


persons = Pool()


def today() -> str:
    """The service's day (the server counts days in Europe/Paris)."""
    return datetime.datetime.now(SERVICE_TZ).date().isoformat()


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise ValueError("no CSRF token in the page")
    return match.group(1)


def select_value(html: str, name: str) -> str:
    """The selected option of a <select> (else its first non-empty one)."""
    match = re.search(SELECT.format(name=re.escape(name)), html, re.S)
    if not match:
        raise ValueError(f"no <select name={name}> in the page")
    options = OPTION.findall(match.group(1))
    for value, attrs in options:
        if "selected" in attrs:
            return value
    return next(value for value, _attrs in options if value)


class Staff(HttpUser):
    """A logged-in staff member; subclasses say who and what they do."""

    abstract = True
    wait_time = between(1, 3)
    accounts: tuple[str, ...] = ()
    _next_account = itertools.count()

    def on_start(self):
        self.username = self.accounts[next(self._next_account) % len(self.accounts)]
        page = self.client.get("/compte/connexion/", name="login (form)")
        with self.client.post(
            "/compte/connexion/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf_token(page.text),
            },
            headers={"Referer": page.url},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # A refused login answers 200 with the form again; success redirects.
            if response.status_code != 302:
                response.failure(f"login of {self.username} refused ({response.status_code})")
                self.stop()
                return
        if not persons.codes:
            persons.add(self.client.get("/personnes/", name="person list").text)

    def post(self, url: str, data: dict, *, name: str, form_page, expect: int = 302, **kwargs):
        """POST a form with the page's CSRF token; a 200 (form errors) is a failure."""
        data = {"csrfmiddlewaretoken": csrf_token(form_page.text), **data}
        with self.client.post(
            url,
            data=data,
            headers={"Referer": form_page.url, **kwargs.pop("headers", {})},
            name=name,
            allow_redirects=False,
            catch_response=True,
            **kwargs,
        ) as response:
            if response.status_code != expect:
                response.failure(f"{name}: {response.status_code} instead of {expect}")
            return response

    def search_persons(self):
        """Typing in the search box: htmx POSTs the form and swaps the results."""
        page = self.client.get("/personnes/", name="person list")
        response = self.post(
            "/personnes/",
            {"q": persons.search_word(), "gender": "", "category": "", "activity": ""},
            name="person search",
            form_page=page,
            expect=200,
            headers={"HX-Request": "true"},
        )
        persons.add(response.text)

    def open_person_page(self):
        code = persons.code()
        if code is None:
            return
        self.client.get(f"/personnes/{code}/", name="person page")
        self.client.get(f"/personnes/{code}/panneaux/contacts/", name="person panel: contacts")
        self.client.get(f"/sante/personne/{code}/", name="person panel: health")
        self.client.get(f"/droits/personne/{code}/", name="person panel: rights")
        self.client.get(f"/mineurs/personne/{code}/", name="person panel: minors")

    def read_figures(self):
        self.client.get(f"/rapport/chiffres/?year={FIGURES_YEAR}", name="figures page")


class FieldWorker(Staff):
    """Educators and the online worker: rounds, contacts, searches, person pages."""

    weight = 3
    accounts = ("educatrice", "educateur-mineurs", "animatrice")

    @task(2)
    def log_round_sheet(self):
        form = self.client.get("/terrain/sessions/nouvelle/", name="session (form)")
        session = self.post(
            "/terrain/sessions/nouvelle/",
            {
                "kind": "night_round",
                "date": today(),
                "start_time": "20:00",
                "end_time": "23:30",
                "report": "",
            },
            name="session create",
            form_page=form,
        )
        sheet_url = session.headers.get("Location")
        if not sheet_url:
            return
        sheet = self.client.get(sheet_url, name="round sheet (form)")
        channel = select_value(sheet.text, "form-0-channel")
        materials = QTY.findall(sheet.text)
        rows = rng.randint(5, 15)
        data = {
            "form-TOTAL_FORMS": str(rows),
            "form-INITIAL_FORMS": "0",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
        }
        for index in range(rows):
            row = {"channel": channel}
            code = persons.code() if index % 3 == 0 else None
            if code:
                row["person"] = code
            else:
                row["anonymous_gender"] = rng.choice(["female", "male"])
            for slug in rng.sample(materials, min(2, len(materials))):
                row[f"qty_{slug}"] = str(rng.randint(1, 10))
            if index % 4 == 0:
                row["caarud"] = "on"
            data.update({f"form-{index}-{key}": value for key, value in row.items()})
        self.post(sheet_url, data, name="round sheet (save)", form_page=sheet)

    @task(2)
    def log_single_contact(self):
        code = persons.code()
        form = self.client.get(
            f"/terrain/contacts/nouveau/?channel=phone&person={code or ''}", name="contact (form)"
        )
        data = {
            "day": today(),
            "channel": select_value(form.text, "channel"),
            "person": code or "",
            "note": "Appel : rendez-vous pris",
        }
        if not code:
            data["anonymous_gender"] = "female"
        self.post("/terrain/contacts/nouveau/", data, name="contact (save)", form_page=form)

    @task(5)
    def search(self):
        self.search_persons()

    @task(4)
    def person_page(self):
        self.open_person_page()

    @task(1)
    def figures(self):
        self.read_figures()


class Nurse(Staff):
    """The nurse finds persons and reads their page with the clinical panel."""

    weight = 1
    accounts = ("infirmiere",)

    @task(2)
    def search(self):
        self.search_persons()

    @task(3)
    def person_page(self):
        self.open_person_page()

    @task(1)
    def health_home(self):
        self.client.get("/sante/", name="health home")


class Director(Staff):
    """The director reads the year's figures and person pages (with the minors panel)."""

    weight = 1
    accounts = ("direction",)

    @task(2)
    def figures(self):
        self.read_figures()

    @task(2)
    def search(self):
        self.search_persons()

    @task(2)
    def person_page(self):
        self.open_person_page()


# Every request's time, for the summary's figures after the warm-up (the logins).
samples: list[tuple[float, str, str, float, bool]] = []


@events.request.add_listener
def _record_sample(request_type, name, response_time, exception, **_kwargs):
    samples.append((time.monotonic(), request_type, name, response_time, exception is not None))


@events.quitting.add_listener
def _write_samples(**_kwargs):
    path = os.environ.get("BENCH_SAMPLES")
    if not path or not samples:
        return
    start = samples[0][0]
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["t", "type", "name", "ms", "failed"])
        for moment, request_type, name, ms, failed in samples:
            writer.writerow([f"{moment - start:.3f}", request_type, name, f"{ms:.1f}", int(failed)])

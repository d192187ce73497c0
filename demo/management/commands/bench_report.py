"""Benchmark of the figures and the busiest pages on the demo multiplied (make bench-report).

The database named by DATABASE_URL (PostgreSQL; its name must contain "bench") is
dropped and created again, migrated, filled with the demo up to the end of 2023, then
brought to each scale in turn by copies of the demo (bench/scale.py: 1x, 10x, 50x built
one on the other). At each scale: all figures of 2023 (median of 5 runs and their
queries), the hand-written SQL floor of bench/floor.py if present (its values compared
with the project's), and pages through the test client as the demo's staff. The table
is printed and written to var/bench-report.txt.
"""

from __future__ import annotations

import datetime
import math
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from psycopg import sql
from psycopg.conninfo import make_conninfo

from bench import scale as copies
from contacts.models import Person
from demo.generator import generate
from entractes.models import User
from reporting import figures

YEAR = 2023
UNTIL = datetime.date(2023, 12, 31)
SEED = 2023
RUNS = 5
OUT = Path(settings.BASE_DIR) / "var" / "bench-report.txt"


def floor_function() -> Callable | None:
    try:
        from bench.floor import floor_figures
    except ImportError:
        return None
    return floor_figures


def timed(call: Callable, *, before: Callable | None = None, runs: int = RUNS):
    """Median seconds of ``runs`` calls (after one untimed, unless ``before`` runs before
    each: then every call is as the first), the queries of the last one, its result."""
    if before is None:
        call()
    times, result, queries = [], None, 0
    for _ in range(runs):
        if before is not None:
            before()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = call()
            times.append(time.perf_counter() - start)
        queries = len(captured.captured_queries)
    return statistics.median(times), queries, result


def same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b


def clear_caches() -> None:
    for name in settings.CACHES:
        caches[name].clear()


def cold_year_before() -> None:
    """The figures cache as the cold figures page leaves it: its year kept, not the one
    before, which the page then asks for."""
    clear_caches()
    figures.kept_figures(YEAR)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


class Command(BaseCommand):
    help = (
        "Time all figures of 2023 and the busiest pages on the demo multiplied "
        "(1x, 10x, 50x), in a dedicated PostgreSQL database dropped and created again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scales", default="1,10,50", help="rising scales, e.g. 1,10,50")

    def handle(self, *args, **options):
        scales = [int(s) for s in options["scales"].split(",")]
        if scales != sorted(set(scales)) or scales[0] < 1:
            raise CommandError("--scales: rising whole numbers from 1 on, e.g. 1,10,50")
        if connection.vendor != "postgresql":
            raise CommandError(
                "The benchmark runs on PostgreSQL only: DATABASE_URL=postgres://.../entractes_bench"
            )
        name = connection.settings_dict["NAME"]
        if "bench" not in name:
            raise CommandError(
                f"The benchmark drops and creates its database: give one whose name contains "
                f'"bench" (DATABASE_URL=postgres://.../entractes_bench), not {name}'
            )
        started = datetime.datetime.now(datetime.UTC)
        load_before = load_average()
        floor = floor_function()
        self.say(f"== database {name}: drop, create, migrate, demo up to {UNTIL}")
        self.recreate(name)
        call_command("migrate", interactive=False, verbosity=0)
        start = time.perf_counter()
        with override_settings(DEBUG=True):
            generate(seed=SEED, until=UNTIL)
        demo_seconds = time.perf_counter() - start
        self.say(f"   demo built in {demo_seconds:.0f} s")
        results = []
        for k in scales:
            if k != scales[0]:
                start = time.perf_counter()
            rows = copies.multiply(k)
            built = time.perf_counter() - start
            with connection.cursor() as cursor:  # as autovacuum would leave the tables
                cursor.execute("VACUUM ANALYZE")
            built_analyzed = time.perf_counter() - start
            self.say(f"== {k}x: {sum(rows.values()):,} rows, built in {built:.0f} s")
            results.append(self.measure(k, rows, built_analyzed, floor))
        load_after = load_average()
        lines = self.header(started, load_before, load_after, floor) + self.table(results)
        OUT.parent.mkdir(exist_ok=True)
        OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write("\n".join(lines))
        self.stdout.write(f"(written to {OUT.relative_to(settings.BASE_DIR)})")

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def recreate(self, name: str) -> None:
        db = settings.DATABASES["default"]
        connection.close()
        params = {
            "dbname": "postgres",
            "host": db.get("HOST") or None,
            "port": db.get("PORT") or None,
            "user": db.get("USER") or None,
            "password": db.get("PASSWORD") or None,
        }
        conninfo = make_conninfo(**{k: v for k, v in params.items() if v})
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def measure(self, k: int, rows: dict[str, int], built: float, floor) -> dict:
        result: dict = {"k": k, "built": built, "rows": rows, "times": {}}
        times = result["times"]
        project_time, queries, values = timed(lambda: figures.all_figures(YEAR))
        times["all_figures(2023)"] = (project_time, queries)
        self.say(f"   all_figures: {project_time * 1000:.0f} ms, {queries} queries")
        if floor is None:
            result["floor"] = None
        else:
            floor_time, _queries, floor_values = timed(lambda: floor(connection, YEAR))
            differ = sorted(
                key
                for key in set(values) | set(floor_values)
                if key not in floor_values or not same(floor_values[key], values.get(key))
            )
            result["floor"] = (floor_time, len(floor_values), differ)
            self.say(f"   floor: {floor_time * 1000:.0f} ms, {len(differ)} keys differ or missing")
        for page, (seconds, count) in self.pages().items():
            times[page] = (seconds, count)
            self.say(f"   {page}: {seconds * 1000:.0f} ms, {count} queries")
        return result

    def pages(self) -> dict[str, tuple[float, int]]:
        """Median time and queries of each page, as the staff member who opens it."""
        person = (
            Person.objects.filter(code__regex=r"^[^-]+-[^-]+$")  # a person of the demo itself
            .annotate(seen=Count("contacts"))
            .order_by("-seen", "pk")
            .first()
        )
        if person is None:
            raise CommandError("the demo has no person")
        word = person.nickname[:3]
        educator, director = (
            User.objects.get(username="educatrice"),
            User.objects.get(username="direction"),
        )
        figures_url = f"{reverse('reporting:figures')}?year={YEAR}"
        drill = reverse("reporting:drilldown")
        pages: list[tuple[str, User, str, dict, Callable | None]] = [
            ("person list", educator, reverse("contacts:person-list"), {}, None),
            (
                f"person search (q={word})",
                educator,
                reverse("contacts:person-list"),
                {"post": {"q": word}, "HTTP_HX_REQUEST": "true"},
                None,
            ),
            (
                f"person page ({person.seen} contacts)",
                educator,
                reverse("contacts:person-detail", args=[person.code]),
                {},
                None,
            ),
            (
                "person panel: contacts",
                educator,
                reverse("contacts:person-contacts-panel", args=[person.code]),
                {},
                None,
            ),
            ("session list", educator, reverse("contacts:session-list"), {}, None),
            ("figures page, cold", director, figures_url, {}, clear_caches),
            (
                "figures page, its year before (after)",
                director,
                f"{figures_url}&comparaison=1",
                {"HTTP_HX_REQUEST": "true"},
                cold_year_before,
            ),
            ("figures page, warm", director, figures_url, {}, None),
            ("dashboard", director, reverse("reporting:dashboard"), {}, None),
            (
                "drill-down attendance.contacts",
                director,
                f"{drill}?key=attendance.contacts&year={YEAR}",
                {},
                None,
            ),
            (
                "drill-down attendance.people",
                director,
                f"{drill}?key=attendance.people&year={YEAR}",
                {},
                None,
            ),
        ]
        measured = {}
        clients: dict[int, Client] = {}
        with override_settings(OTP_REQUIRED=False, ALLOWED_HOSTS=["testserver"]):
            for label, user, url, extra, before in pages:
                if user.pk not in clients:
                    clients[user.pk] = Client()
                    clients[user.pk].force_login(user)
                client = clients[user.pk]
                data = extra.pop("post", None)

                def call(client=client, url=url, data=data, extra=extra, label=label):
                    if data is not None:
                        response = client.post(url, data, **extra)
                    else:
                        response = client.get(url, **extra)
                    if response.status_code != 200:
                        raise CommandError(f"{label}: HTTP {response.status_code} on {url}")
                    return response

                seconds, queries, _response = timed(call, before=before)
                measured[label] = (seconds, queries)
        return measured

    def header(self, started, load_before, load_after, floor) -> list[str]:
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
                capture_output=True,
                text=True,
                check=False,
                cwd=settings.BASE_DIR,
            ).stdout.strip()
        except OSError:
            commit = ""
        with connection.cursor() as cursor:
            server = []
            for setting in ("server_version", "work_mem", "shared_buffers"):
                cursor.execute(f"SHOW {setting}")
                server.append(cursor.fetchone()[0])
        return [
            f"Entr'Actes figures benchmark, {started:%Y-%m-%d %H:%M} UTC, commit {commit or '?'}",
            f"Machine: {platform.node()}, {os.cpu_count()} cores (nproc), "
            f"load average (1, 5, 15 min) before {load_before}, after {load_after}",
            f"PostgreSQL {server[0]} (work_mem {server[1]}, shared_buffers {server[2]}), "
            f"database {connection.settings_dict['NAME']}; "
            f"the demo (seed {SEED}, up to {UNTIL}) copied k times by bench/scale.py",
            f"Median of {RUNS} runs (after one untimed run, except the cold figures page: "
            "cache cleared before each run), in milliseconds, and the queries of one run.",
            "Pages through the test client: persons and sessions as educatrice, "
            "figures, dashboard and drill-downs as direction.",
            "floor: bench/floor.py, the same figures by hand-written SQL"
            + ("" if floor else " (floor: missing)"),
            "",
        ]

    def table(self, results: list[dict]) -> list[str]:
        width = 38
        column = 18

        def line(label: str, cells: list[str]) -> str:
            return f"{label:<{width}}" + "".join(f"{cell:>{column}}" for cell in cells)

        lines = [line("scale", [f"{r['k']}x" for r in results])]
        lines.append("-" * len(lines[0]))
        lines.append(
            line("rows (all copied tables)", [f"{sum(r['rows'].values()):,}" for r in results])
        )
        for table, label in (
            ("contacts_person", "persons"),
            ("contacts_contact", "contacts"),
            ("contacts_contactmaterial", "contact materials"),
            ("health_consultation", "consultations"),
        ):
            lines.append(line(f"  {label}", [f"{r['rows'][table]:,}" for r in results]))
        lines.append(
            line("built in (s, VACUUM ANALYZE included)", [f"{r['built']:.0f}" for r in results])
        )
        lines.append("")
        lines.append(
            "  (the first scale's time includes the demo's, the next ones from the one before)"
        )
        lines.append("")
        lines.append(line("ms (queries)", []))

        def cell(time_queries) -> str:
            seconds, queries = time_queries
            return f"{seconds * 1000:,.0f} ({queries})"

        lines.append(
            line("all_figures(2023)", [cell(r["times"]["all_figures(2023)"]) for r in results])
        )
        floors = []
        ratios = []
        for r in results:
            if r["floor"] is None:
                floors.append("floor: missing")
                ratios.append("-")
            else:
                floor_time, _count, _differ = r["floor"]
                floors.append(f"{floor_time * 1000:,.0f}")
                ratios.append(f"{r['times']['all_figures(2023)'][0] / floor_time:.1f}")
        lines.append(line("floor_figures(2023)", floors))
        lines.append(line("  ratio project / floor", ratios))
        for r in results:
            if r["floor"] is not None:
                _time, count, differ = r["floor"]
                lines.append(
                    f"  {r['k']}x: floor gives {count} keys, "
                    + (
                        f"{len(differ)} differ or are missing: {', '.join(differ)}"
                        if differ
                        else "all equal to the project's"
                    )
                )
        pages = [key for key in results[0]["times"] if key != "all_figures(2023)"]
        for page in pages:
            lines.append(line(page, [cell(r["times"][page]) for r in results]))
        return lines

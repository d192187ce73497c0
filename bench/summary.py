"""Turn locust's CSV files into the load benchmark's summary (``make bench-load``).

Usage: python bench/summary.py PREFIX [NOTE...]
Reads PREFIX_stats.csv and PREFIX_failures.csv (locust's ``--csv PREFIX``) and
PREFIX_samples.csv (every request, written by bench/locustfile.py). Prints the NOTEs,
then one line per page (requests, requests per second, median, 95th percentile,
errors) and the totals for the whole run, then the same after the warm-up (from the
last login on, when every user is at work), then the failures.
"""

from __future__ import annotations

import csv
import math
import sys
from collections import defaultdict

GOAL_P95_MS = 300
HEAD = ("requests", "req/s", "median", "p95", "errors")


def _number(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _table(rows: list[tuple[str, int, float, float, float, int]]) -> list[str]:
    """Rows of (page, requests, req/s, median, p95, errors); the last one is the total."""
    width = max(len(row[0]) for row in rows) + 2
    head = f"{'page':<{width}}{HEAD[0]:>9}{HEAD[1]:>8}{HEAD[2]:>8}{HEAD[3]:>7}{HEAD[4]:>8}"
    lines = [head, "-" * len(head)]
    for index, (page, count, rps, median, p95, errors) in enumerate(rows):
        if index == len(rows) - 1:
            lines.append("-" * len(head))
        lines.append(f"{page:<{width}}{count:>9}{rps:>8.1f}{median:>8.0f}{p95:>7.0f}{errors:>8}")
    return lines


def _verdict(rows) -> list[str]:
    *pages, total = rows
    slow = [row[0] for row in pages if row[4] > GOAL_P95_MS]
    met = not total[5] and not slow
    lines = [
        f"Errors: {total[5]}. Goal (0 errors, p95 under {GOAL_P95_MS} ms on every page): "
        + ("met." if met else "NOT met.")
    ]
    if slow:
        lines.append(f"p95 over {GOAL_P95_MS} ms: " + ", ".join(slow) + ".")
    return lines


def whole_run(prefix: str) -> list[tuple]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        stats = list(csv.DictReader(handle))

    def row(stat, label):
        return (
            label,
            int(stat["Request Count"]),
            _number(stat["Requests/s"]),
            _number(stat["50%"]),
            _number(stat["95%"]),
            int(stat["Failure Count"]),
        )

    pages = sorted((s for s in stats if s["Name"] != "Aggregated"), key=lambda s: s["Name"])
    total = next(s for s in stats if s["Name"] == "Aggregated")
    return [*(row(s, f"{s['Type']} {s['Name']}") for s in pages), row(total, "total")]


def after_warm_up(prefix: str) -> tuple[list[tuple], float, float] | None:
    try:
        with open(f"{prefix}_samples.csv", newline="") as handle:
            samples = list(csv.DictReader(handle))
    except FileNotFoundError:
        return None
    logins = [float(s["t"]) for s in samples if s["name"] == "login"]
    start = max(logins, default=0.0)
    end = max(float(s["t"]) for s in samples)
    kept = [s for s in samples if float(s["t"]) > start]
    if not kept or end <= start:
        return None
    by_page = defaultdict(list)
    for sample in kept:
        by_page[f"{sample['type']} {sample['name']}"].append(sample)

    def row(label, group):
        times = [float(s["ms"]) for s in group]
        return (
            label,
            len(group),
            len(group) / (end - start),
            _percentile(times, 0.5),
            _percentile(times, 0.95),
            sum(int(s["failed"]) for s in group),
        )

    rows = [row(page, by_page[page]) for page in sorted(by_page)]
    return [*rows, row("total", kept)], start, end


def summary(prefix: str, notes: list[str]) -> str:
    lines = [*notes, "", "Times in milliseconds.", "", "Whole run (logins included):"]
    rows = whole_run(prefix)
    lines += _table(rows) + _verdict(rows)
    warm = after_warm_up(prefix)
    if warm:
        rows, start, end = warm
        lines += [
            "",
            f"After the warm-up (from the last login, {start:.0f} s in, to the end, {end:.0f} s):",
        ]
        lines += _table(rows) + _verdict(rows)
    try:
        with open(f"{prefix}_failures.csv", newline="") as handle:
            failures = list(csv.DictReader(handle))
    except FileNotFoundError:
        failures = []
    if failures:
        lines += ["", "Failures:"]
        lines += [
            f"  {f['Occurrences']} x {f['Method']} {f['Name']}: {f['Error']}" for f in failures
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(summary(sys.argv[1], sys.argv[2:]))

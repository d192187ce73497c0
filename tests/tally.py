"""Counts kept by the security tests as they run, printed at the end of the run.

A test adds what it tried and what it found (``tally.add("url_role_pairs")``); the
README's security figures are read from this summary, never written by hand.
"""

from collections import Counter

COUNTS: Counter[str] = Counter()

# Printed in this order, with these labels; a count nobody added is left out.
LABELS = {
    "url_role_pairs": "URL × role pairs requested",
    "markers_leaked": "markers found where the role may not read them",
    "restricted_reads": "restricted pages read",
    "restricted_read_rows": "access-log rows written by those reads",
    "escalation_paths": "escalation paths tried",
    "malformed_inputs": "malformed inputs sent",
    "malformed_500s": "server errors on malformed input",
    "form_posts": "record forms posted (valid and invalid)",
    "form_500s": "server errors on those posts",
    "lost_update_pairs": "concurrent edit pairs tried",
    "lost_updates": "updates lost",
}


def add(name: str, count: int = 1) -> None:
    if name not in LABELS:
        raise KeyError(f"Unknown tally {name!r}: add it to tests/tally.py")
    COUNTS[name] += count


def summary() -> list[str]:
    return [f"{COUNTS[name]:>8}  {label}" for name, label in LABELS.items() if name in COUNTS]

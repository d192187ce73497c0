"""What is due on a day, as each app tells it to the agenda.

Each domain app that knows dates to keep (a procedure's next action, a follow-up
appointment, a PSP commission, a minor's eighteenth birthday) declares them in its
``deadlines.py``: ``def deadlines(user, *, since, until) -> list[Due]``, built from its
own access functions, so that an agenda shows each role only what it may read.
``since`` None asks for what is still open before ``until`` (overdue) as well.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Due:
    day: datetime.date
    title: str
    # What kind of deadline, said to the reader ("Démarche", "PSP", "Santé"...).
    source: Any
    url: str
    person_code: str = ""
    person_label: str = ""
    time: datetime.time | None = None
    urgent: bool = False
    # Who holds it ("" for deadlines of a file, held by its worker or the team).
    holder: str = ""
    # The account holding it (None: the team's), for "my day".
    holder_pk: int | None = None
    # An action of the agenda (it can be marked done from the list).
    action_pk: int | None = None
    # Still to do on a day already past.
    overdue: bool = False

    @property
    def sort_key(self) -> tuple:
        # What is late and urgent comes first of all; then what is late, then by day.
        return (
            not self.overdue,
            not (self.overdue and self.urgent),
            self.day,
            not self.urgent,
            self.time or datetime.time.max,
            self.person_label,
            self.title,
        )

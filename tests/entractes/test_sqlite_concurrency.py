"""The embedded SQLite database serves page loads while the task worker writes: no
"database is locked" on a file database shared by several connections."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite's locking only",
)

# Run in a fresh interpreter on a file database: one writer holding write transactions
# again and again (as the worker does), readers each doing what a person page does
# (read, then write an access-log line, in the request's transaction).
SCRIPT = r"""
import json, threading, time
import django
django.setup()
from django.db import connection, connections, transaction, OperationalError
from entractes.models import AccessLogEntry, User

with connection.schema_editor() as editor:
    editor.create_model(User)
    editor.create_model(AccessLogEntry)
mode = connection.cursor().execute("PRAGMA journal_mode").fetchone()[0]
connection.close()

errors, done = [], {"reads": 0, "writes": 0}
stop = time.monotonic() + 2.5


def writer():
    while time.monotonic() < stop:
        try:
            with transaction.atomic():
                for n in range(5):
                    AccessLogEntry.objects.create(action="read", target_type="task", target_id=str(n))
                time.sleep(0.02)  # the write lock held a while
            done["writes"] += 1
        except OperationalError as error:
            errors.append(f"writer: {error}")
        time.sleep(0.01)
    connections.close_all()


def reader(index):
    while time.monotonic() < stop:
        try:
            with transaction.atomic():
                AccessLogEntry.objects.filter(target_type="task").count()
                list(AccessLogEntry.objects.order_by("-id")[:20])
                AccessLogEntry.objects.create(action="read", target_type="page", target_id=str(index))
            done["reads"] += 1
        except OperationalError as error:
            errors.append(f"reader {index}: {error}")
        time.sleep(0.005)
    connections.close_all()


threads = [threading.Thread(target=writer)] + [
    threading.Thread(target=reader, args=(i,)) for i in range(4)
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(json.dumps({"mode": mode, "errors": errors[:5], "n_errors": len(errors), **done}))
"""


def test_readers_never_meet_a_locked_database_while_a_writer_writes(tmp_path):
    database = tmp_path / "entractes.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "entractes.settings_test",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["mode"] == "wal"
    assert outcome["n_errors"] == 0, outcome["errors"]
    assert outcome["writes"] > 10
    assert outcome["reads"] > 20

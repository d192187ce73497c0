"""A backup restored into an emptied database gives the same figures and row counts."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from demo.generator import generate
from entractes.freshness import state_of
from reporting.figures import all_figures
from tests.exchange.test_records import wipe


def row_counts():
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.mark.django_db(transaction=True)
def test_restore_gives_identical_figures_and_row_counts(tmp_path):
    with override_settings(DEBUG=True):
        generate()
    figures = {year: all_figures(year) for year in (2022, 2023)}
    counts = row_counts()
    state = state_of(9999)
    call_command("backup", str(tmp_path / "db.backup"), stdout=io.StringIO())
    wipe()
    assert all_figures(2023)["attendance.contacts"] == 0
    call_command("restore", str(tmp_path / "db.backup"), "--yes", stdout=io.StringIO())
    assert row_counts() == counts
    # Figures kept under the backed-up state's token are not taken for the restored ones.
    assert state_of(9999) != state
    for year in (2022, 2023):
        assert all_figures(year) == figures[year]


def _log(user, target, days_ago):
    from entractes.models import AccessLogEntry

    return AccessLogEntry.objects.create(
        user=user,
        action="read",
        target_type="url",
        target_id=target,
        at=timezone.now() - datetime.timedelta(days=days_ago),
    )


@pytest.mark.django_db(transaction=True)
def test_restore_keeps_the_access_log_written_since_the_backup(tmp_path):
    from entractes.models import AccessLogEntry
    from tests.factories import UserFactory

    # Entries dated over a year ago: the test database may delete them when emptied.
    reader = UserFactory(username="lectrice")
    _log(reader, "avant", 402)
    call_command("backup", str(tmp_path / "db.backup"), stdout=io.StringIO())
    # Read after the backup, by a known account and by one the backup does not hold.
    _log(reader, "après", 401)
    _log(UserFactory(username="nouvelle"), "après aussi", 400)
    since = list(AccessLogEntry.objects.order_by("id").values_list("id", "at", "target_id"))
    call_command("restore", str(tmp_path / "db.backup"), "--yes", stdout=io.StringIO())
    kept = AccessLogEntry.objects.order_by("id")
    assert list(kept.values_list("id", "at", "target_id")) == since
    assert kept.get(target_id="après").user == reader
    orphan = kept.get(target_id="après aussi")
    assert orphan.user is None and "nouvelle" in orphan.detail
    # New entries still get fresh ids after the re-appended ones.
    assert _log(reader, "ensuite", 399).pk > since[-1][0]

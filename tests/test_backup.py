"""A backup restored into an emptied database gives the same figures and row counts."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings

from entractes.demo import create_demo_accounts
from entractes.freshness import state_of
from reporting import demo
from reporting.figures import all_figures
from tests.reporting.test_records import wipe


def row_counts():
    return {model._meta.label: model._base_manager.count() for model in apps.get_models()}


@pytest.mark.django_db(transaction=True)
def test_restore_gives_identical_figures_and_row_counts(tmp_path):
    with override_settings(DEBUG=True):
        create_demo_accounts()
    demo.generate()
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

"""make bench-report drops its database: it runs only on PostgreSQL, on a bench database."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection


@pytest.mark.django_db
def test_the_benchmark_refuses_a_database_not_named_for_it(monkeypatch):
    if connection.vendor == "postgresql":
        monkeypatch.setitem(connection.settings_dict, "NAME", "entractes")
        refusal = 'contains "bench"'
    else:
        refusal = "PostgreSQL only"
    with pytest.raises(CommandError, match=refusal):
        call_command("bench_report", "--scales", "1")


def test_the_scales_rise():
    with pytest.raises(CommandError, match="rising"):
        call_command("bench_report", "--scales", "10,1")

"""The application's PostgreSQL role owns nothing: it works with the records but the
access log is beyond its reach (no update, truncate, trigger change, alter or drop)."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from contacts.models import Person
from entractes.models import AccessLogEntry
from tests.factories import PersonFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's"
    ),
]

ROLE = "entractes_app_test"
LOG = AccessLogEntry._meta.db_table


@pytest.fixture
def as_app_role(educator):
    """The test's connection switched to a role granted by the command, as in production."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') "
            f"THEN CREATE ROLE {ROLE} NOLOGIN; END IF; END $$"
        )
    call_command("grant_app_role", ROLE, stdout=None)
    young = AccessLogEntry.objects.record(user=educator, action="read", target="url:/x")
    # An entry as the purge finds it a year on (inserted dated: the log allows no update).
    old = AccessLogEntry.objects.create(
        user=educator,
        action="read",
        target_type="url",
        target_id="/y",
        at=timezone.now() - datetime.timedelta(days=400),
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {ROLE}")
    try:
        yield {"young": young, "old": old, "user": educator}
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _refused(sql: str, params=None) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError:
        return True
    return False


def test_the_app_role_reads_and_writes_the_records(as_app_role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == ROLE
    person = PersonFactory(nickname="Rôle")
    person.nickname = "Rôle changé"
    person.save()
    assert Person.objects.get(pk=person.pk).nickname == "Rôle changé"
    AccessLogEntry.objects.record(user=as_app_role["user"], action="read", target=person)
    assert AccessLogEntry.objects.filter(target_id=str(person.pk)).count() == 1


def test_the_app_role_cannot_erase_or_silence_the_access_log(as_app_role):
    young = as_app_role["young"].pk
    attempts = {
        "truncate": f"TRUNCATE {LOG}",
        "update": f"UPDATE {LOG} SET detail = 'x' WHERE id = {young}",
        "delete a recent entry": f"DELETE FROM {LOG} WHERE id = {young}",
        "disable the trigger": f"ALTER TABLE {LOG} DISABLE TRIGGER accesslog_append_only",
        "drop the trigger": f"DROP TRIGGER accesslog_append_only ON {LOG}",
        "drop the table": f"DROP TABLE {LOG}",
        "replace the trigger's function": (
            "CREATE OR REPLACE FUNCTION accesslog_refuse_change() RETURNS trigger AS "
            "$$ BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql"
        ),
        "forge the migrations": "DELETE FROM django_migrations",
    }
    went_through = [name for name, sql in attempts.items() if not _refused(sql)]
    assert went_through == []
    assert AccessLogEntry.objects.filter(pk=young).exists()


def test_the_retention_purge_still_runs_as_the_app_role(as_app_role):
    deleted = AccessLogEntry.objects.purge(before=timezone.now() - datetime.timedelta(days=366))
    assert deleted == 1
    assert not AccessLogEntry.objects.filter(pk=as_app_role["old"].pk).exists()
    assert AccessLogEntry.objects.filter(pk=as_app_role["young"].pk).exists()


def test_the_command_refuses_to_grant_a_role_that_owns_the_tables():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
    with pytest.raises(CommandError):
        call_command("grant_app_role", owner)

import pytest
from django.db import DatabaseError, connection, transaction

from entractes.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def test_entries_cannot_be_changed_or_deleted_through_the_app(educator):
    entry = AccessLogEntry.objects.record(user=educator, action="read", target="x")
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.update(detail="changed")


def test_database_refuses_updates_and_deletes(educator):
    entry = AccessLogEntry.objects.record(user=educator, action="read", target="x")
    table = AccessLogEntry._meta.db_table
    for sql in (f"UPDATE {table} SET detail = 'changed'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AccessLogEntry.objects.get(pk=entry.pk).detail == ""


def test_access_log_page_filters_by_user_and_action(login, director, educator):
    AccessLogEntry.objects.record(user=educator, action="read", target="x")
    AccessLogEntry.objects.record(user=director, action="refused", target="y")
    client = login(director)
    page = client.get("/journal-des-acces/", {"action": "refused"}).context["page"]
    assert [e.user for e in page] == [director]
    page = client.get("/journal-des-acces/", {"user": educator.pk}).context["page"]
    assert [e.action for e in page] == ["read"]

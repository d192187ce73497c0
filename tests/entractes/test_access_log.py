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


def test_entries_older_than_a_year_are_purged_and_younger_ones_kept(educator):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    old = AccessLogEntry.objects.create(
        user=educator,
        action="read",
        target_type="x",
        at=timezone.now() - datetime.timedelta(days=400),
    )
    recent = AccessLogEntry.objects.record(user=educator, action="read", target="y")
    call_command("purge_access_log", stdout=__import__("io").StringIO())
    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not AccessLogEntry.objects.filter(pk=old.pk).exists()
    # Even the purge cannot remove a recent entry: the database refuses it.
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.purge(before=timezone.now() + datetime.timedelta(days=1))
    assert AccessLogEntry.objects.filter(pk=recent.pk).exists()


def test_reading_the_access_log_is_itself_logged_and_refused_to_others(login, director, educator):
    client = login(director)
    before = AccessLogEntry.objects.count()
    page = client.get("/journal-des-acces/").context["page"]
    entry = AccessLogEntry.objects.order_by("pk")[before:].get()
    assert (entry.user, entry.action, entry.detail) == (director, "read", "access log")
    assert entry in list(page)  # the reader sees their own read
    client.force_login(educator)
    assert client.get("/journal-des-acces/").status_code == 403

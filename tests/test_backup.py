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


def _published_pdf(content: bytes):
    """A publication whose frozen PDF is on disk, and a generated report beside it."""
    import hashlib

    from django.core.files.base import ContentFile

    from reporting.models import Publication
    from tests.factories import PublicationFactory, ReportRenderFactory

    publication = PublicationFactory(year=2023, version=1)
    publication.pdf.save("rapport-activite-2023-v1.pdf", ContentFile(content), save=False)
    Publication.objects.filter(pk=publication.pk).update(
        pdf=publication.pdf.name, checksum=hashlib.sha256(content).hexdigest()
    )
    render = ReportRenderFactory(year=2023, publication=publication, status="done")
    render.file.save("rapport-activite-2023.pdf", ContentFile(content[::-1]), save=True)
    return Publication.objects.get(pk=publication.pk), render


@pytest.mark.django_db(transaction=True)
def test_restore_puts_back_the_published_pdfs_identical(tmp_path, settings):
    import hashlib
    import os
    import shutil
    from pathlib import Path

    from reporting.models import Publication, ReportRender

    settings.MEDIA_ROOT = str(tmp_path / "media")
    content = b"%PDF-1.7\n" + os.urandom(40_000)
    publication, render = _published_pdf(content)
    pdf_path, render_path = Path(publication.pdf.path), Path(render.file.path)
    assert pdf_path.read_bytes() == content
    call_command("backup", str(tmp_path / "entractes.backup"), stdout=io.StringIO())

    # The media folder lost (a disk replaced), the database changed since the backup.
    shutil.rmtree(settings.MEDIA_ROOT)
    Path(settings.MEDIA_ROOT).mkdir()
    ReportRender.objects.all().delete()
    Publication.objects.all().delete()

    out = io.StringIO()
    call_command("restore", str(tmp_path / "entractes.backup"), "--yes", stdout=out)
    assert "2 fichier(s) restauré(s)" in out.getvalue()
    restored = Publication.objects.get()
    assert restored.pdf.name == publication.pdf.name
    assert Path(restored.pdf.path).read_bytes() == content
    assert hashlib.sha256(restored.pdf.read()).hexdigest() == restored.checksum
    assert render_path.read_bytes() == content[::-1]
    assert ReportRender.objects.get().file.name == render.file.name


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_before_anything_is_replaced(tmp_path, settings):
    import tarfile
    from pathlib import Path

    from django.core.management.base import CommandError

    from reporting.models import Publication

    settings.MEDIA_ROOT = str(tmp_path / "media")
    publication, _render = _published_pdf(b"%PDF-1.7\noriginal")
    backup = tmp_path / "entractes.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    # The archive rewritten with one PDF altered.
    unpacked = tmp_path / "unpacked"
    with tarfile.open(backup) as archive:
        archive.extractall(unpacked, filter="data")
    (unpacked / "media" / publication.pdf.name).write_bytes(b"%PDF-1.7\naltered")
    with tarfile.open(backup, "w") as archive:
        for item in sorted(unpacked.iterdir()):
            archive.add(item, arcname=item.name)
    Publication.objects.filter(pk=publication.pk).update(reason="après la sauvegarde")
    with pytest.raises(CommandError, match="abîmée"):
        call_command("restore", str(backup), "--yes", stdout=io.StringIO())
    assert Publication.objects.get().reason == "après la sauvegarde"
    assert Path(publication.pdf.path).read_bytes() == b"%PDF-1.7\noriginal"


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_the_database_alone_still_restores(tmp_path):
    import sqlite3

    from django.db import connection

    from tests.factories import UserFactory

    if connection.vendor != "sqlite":
        pytest.skip("the old format written by hand here is SQLite's")
    UserFactory(username="avant")
    old = tmp_path / "old.backup"  # as « backup » wrote them before the media files
    connection.ensure_connection()
    target = sqlite3.connect(old)
    with target:
        connection.connection.backup(target)
    target.close()
    UserFactory(username="apres")
    out = io.StringIO()
    call_command("restore", str(old), "--yes", stdout=out)
    from entractes.models import User

    assert User.objects.filter(username="avant").exists()
    assert not User.objects.filter(username="apres").exists()
    assert "ancien format" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_documents_are_in_the_backup_encrypted_and_come_back_identical(tmp_path, settings):
    import tarfile

    from django.db import connection

    from casefile.models import Document, DocumentContent
    from tests.factories import DocumentFactory

    settings.MEDIA_ROOT = str(tmp_path / "media")
    content = b"%PDF-1.7\nZQBACKUPBYTES of a residence permit\n%%EOF\n"
    document = DocumentFactory(title="Titre ZQBACKUPTITLE", content=content)
    backup = tmp_path / "entractes.backup"
    call_command("backup", str(backup), stdout=io.StringIO())
    # The archive holds the document, as tokens: neither its bytes nor its title in clear.
    with tarfile.open(backup) as archive:
        packed = b"".join(
            archive.extractfile(member).read() for member in archive.getmembers() if member.isfile()
        )
    assert b"ZQBACKUP" not in packed
    if connection.vendor == "sqlite":  # a plain copy (pg_dump compresses): text is there
        assert document.person.nickname.encode() in packed
    assert DocumentContent.objects.values_list("content", flat=True).get() == content

    DocumentContent.objects.all().delete()
    Document.all_objects.all().delete()
    call_command("restore", str(backup), "--yes", stdout=io.StringIO())
    restored = Document.objects.get(pk=document.pk)
    assert restored.title == "Titre ZQBACKUPTITLE"
    assert DocumentContent.objects.get(document=restored).content == content

"""Imports run as background tasks: upload, progress, result, and the file removed."""

import datetime
import io
import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from contacts import models as c
from exchange.jobs import sweep_stale_uploads
from exchange.models import ImportJob
from tests.factories import ImportJobFactory

pytestmark = pytest.mark.django_db
EXAMPLE = Path(__file__).resolve().parents[2] / "docs/examples/records-example.xlsx"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def uploads(media):
    folder = media / "imports"
    return list(folder.iterdir()) if folder.exists() else []


def upload(client, data, callbacks, name="records.xlsx"):
    with callbacks(execute=True):
        response = client.post(
            reverse("exchange:records-import"), {"file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 302, response.status_code
    return ImportJob.objects.latest("pk")


def test_upload_runs_a_dry_run_then_the_confirmed_import_and_removes_the_file(
    client, admin_user, media, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    job = upload(client, EXAMPLE.read_bytes(), django_capture_on_commit_callbacks)
    assert (job.requested_by, job.dry_run, job.state) == (admin_user, True, "done")
    assert job.summary["contacts"]["created"] == 6
    assert job.rows_total == job.rows_done > 0
    assert not c.Contact.objects.exists()
    assert len(uploads(media)) == 1  # kept for the confirmation
    page = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert "Confirmer l&#x27;import" in page or "Confirmer l'import" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("exchange:import-job-confirm", args=[job.pk]))
    real = ImportJob.objects.latest("pk")
    assert response["Location"] == reverse("exchange:import-job", args=[real.pk])
    assert (real.dry_run, real.state, real.summary["contacts"]["created"]) == (False, "done", 6)
    assert c.Contact.objects.count() == 6
    assert uploads(media) == []
    # The dry run cannot be confirmed twice.
    client.post(reverse("exchange:import-job-confirm", args=[job.pk]))
    assert ImportJob.objects.count() == 2


def test_a_bad_cell_writes_nothing_lists_the_problem_and_removes_the_file(
    client, admin_user, media, django_capture_on_commit_callbacks
):
    workbook = load_workbook(EXAMPLE)
    workbook["persons"]["D2"] = "licorne"
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(admin_user)
    job = upload(client, buffer.getvalue(), django_capture_on_commit_callbacks)
    assert job.state == "failed"
    assert [(p["sheet"], p["row"], p["column"]) for p in job.problems] == [("persons", 2, "gender")]
    assert uploads(media) == []
    assert not c.Person.all_objects.exists()
    page = client.get(reverse("exchange:import-job", args=[job.pk])).content.decode()
    assert "licorne" in page
    assert "Confirmer" not in page


def test_an_unreadable_workbook_fails_with_a_message_and_leaves_no_file(
    client, admin_user, media, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    job = upload(client, b"PK\x03\x04 not really a workbook", django_capture_on_commit_callbacks)
    assert job.state == "failed"
    assert "Fichier illisible" in job.error
    assert uploads(media) == []


@pytest.mark.parametrize(
    ("name", "content"), [("notes.txt", b"hello"), ("grand.xlsx", b"x" * 4096)]
)
def test_wrong_or_oversized_files_are_refused_before_any_job(
    client, admin_user, media, settings, name, content
):
    settings.IMPORT_MAX_BYTES = 1024
    client.force_login(admin_user)
    response = client.post(
        reverse("exchange:records-import"),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )
    assert "Fichier : déposez un classeur .xlsx" in response.content.decode()
    assert not ImportJob.objects.exists()
    assert uploads(media) == []


def test_the_progress_partial_shows_the_state_and_polls_only_while_running(
    client, admin_user, media
):
    job = ImportJobFactory(
        requested_by=admin_user,
        filename="a.xlsx",
        dry_run=False,
        state="running",
        rows_total=800,
        rows_done=500,
    )
    client.force_login(admin_user)
    url = reverse("exchange:import-job", args=[job.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert "500 lignes vérifiées sur 800" in partial
    assert 'hx-trigger="every 2s"' in partial
    assert "<script" not in partial
    ImportJob.objects.filter(pk=job.pk).update(state="done", summary={"persons": {"created": 3}})
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial
    assert "Import terminé" in partial


def test_another_account_cannot_see_confirm_or_start_a_job(
    client, admin_user, make_user, educator, media
):
    job = ImportJobFactory(requested_by=admin_user, filename="a.xlsx", state="done", summary={})
    for other, status in ((make_user("administrator"), 404), (educator, 403)):
        client.force_login(other)
        assert client.get(reverse("exchange:import-job", args=[job.pk])).status_code == status
        confirm = client.post(reverse("exchange:import-job-confirm", args=[job.pk]))
        assert confirm.status_code == status
    client.force_login(educator)
    response = client.post(
        reverse("exchange:records-import"),
        {"file": SimpleUploadedFile("r.xlsx", EXAMPLE.read_bytes())},
    )
    assert response.status_code == 403
    assert ImportJob.objects.count() == 1


def test_uploads_older_than_a_day_are_swept_and_their_jobs_closed(admin_user, media):
    folder = media / "imports"
    folder.mkdir()
    old, recent = folder / "old.xlsx", folder / "recent.xlsx"
    old.write_bytes(b"x")
    recent.write_bytes(b"x")
    two_days_ago = (timezone.now() - datetime.timedelta(days=2)).timestamp()
    os.utime(old, (two_days_ago, two_days_ago))
    job = ImportJobFactory(
        requested_by=admin_user,
        filename="a.xlsx",
        upload="imports/old.xlsx",
        state="running",
        problems=[{"value": "Lola"}],
        requested_at=timezone.now() - datetime.timedelta(days=2),
    )
    assert sweep_stale_uploads() == 1
    assert [f.name for f in folder.iterdir()] == ["recent.xlsx"]
    job.refresh_from_db()
    assert (job.state, job.upload.name, job.problems) == ("failed", "", [])

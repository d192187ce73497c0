"""Exports asked from the interface: background jobs, the account's own sheets, the
access log, and the figures as CSV, XLSX and JSON."""

import datetime
import io
import json
import os
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from entractes.models import AccessLogEntry
from exchange.export_jobs import sweep_stale_exports
from exchange.models import ExportJob
from reporting.figures import all_figures
from tests.factories import (
    ConsultationFactory,
    ContactFactory,
    MinorFileFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def records(educator, nurse):
    person = PersonFactory(nickname="Corina", uses_drugs=True, birth_year=1985)
    ContactFactory(
        person=person, author=educator, occurred_at=datetime.datetime(2023, 5, 3, 15, tzinfo=PARIS)
    )
    ConsultationFactory(
        person=person, author=nurse, at=datetime.datetime(2023, 4, 3, 11, tzinfo=PARIS)
    )
    MinorFileFactory()
    return person


def ask(client, callbacks, **data):
    with callbacks(execute=True):
        response = client.post(reverse("exchange:exports"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == reverse("exchange:export-job", args=[job.pk])
    return job


def download(client, job):
    response = client.get(reverse("exchange:export-job-file", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_director_exports_the_records_she_may_read_never_health_in_the_background(
    client, director, records, media, django_capture_on_commit_callbacks
):
    client.force_login(director)
    job = ask(client, django_capture_on_commit_callbacks, what="records", fmt="xlsx", year="")
    job.refresh_from_db()
    assert job.state == "done" and job.steps_done == job.steps_total == len(job.sheets)
    page = client.get(reverse("exchange:export-job", args=[job.pk])).content.decode()
    assert reverse("exchange:export-job-file", args=[job.pk]) in page
    assert not AccessLogEntry.objects.filter(action="export").exists()
    workbook = load_workbook(io.BytesIO(download(client, job)))
    assert {"persons", "minor_files", "procedures", "reference_figures"} <= set(workbook.sheetnames)
    # Health records are read with health.use, sessions and contacts with field work.
    assert not {"consultations", "health_sessions", "workshops", "contacts"} & set(
        workbook.sheetnames
    )
    assert set(workbook.sheetnames) == set(job.sheets)
    nicknames = [row[2] for row in workbook["persons"].iter_rows(min_row=2, values_only=True)]
    assert "Corina" in nicknames
    entry = AccessLogEntry.objects.get(action="export")
    assert entry.user == director
    assert "minor_files" in entry.detail


def test_the_figures_export_in_each_format_gives_the_year_s_figures(
    client, director, records, media, django_capture_on_commit_callbacks
):
    client.force_login(director)
    values = all_figures(2023)
    job = ask(client, django_capture_on_commit_callbacks, what="figures", fmt="json", year="2023")
    document = json.loads(download(client, job))
    assert document["year"] == 2023
    assert document["figures"]["attendance.contacts"] == values["attendance.contacts"] == 1
    assert set(document["figures"]) == set(values)
    job = ask(client, django_capture_on_commit_callbacks, what="figures", fmt="csv", year="2023")
    assert "attendance.contacts,1" in download(client, job).decode()
    job = ask(client, django_capture_on_commit_callbacks, what="figures", fmt="xlsx", year="2023")
    workbook = load_workbook(io.BytesIO(download(client, job)))
    keys = {row[0] for sheet in workbook for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "attendance.contacts" in keys
    assert AccessLogEntry.objects.filter(action="export", user=director).count() == 3


def test_the_direct_json_export_answers(client, director, records):
    client.force_login(director)
    response = client.get(reverse("exchange:export", args=[2023, "json"]))
    assert response.status_code == 200
    assert json.loads(response.content)["figures"]["attendance.contacts"] == 1
    assert AccessLogEntry.objects.filter(action="export", user=director).count() == 1


def test_the_administrator_s_records_export_holds_no_person(
    client, admin_user, records, media, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    job = ask(client, django_capture_on_commit_callbacks, what="records", fmt="xlsx", year="")
    assert not {"persons", "contacts", "consultations", "minor_files"} & set(job.sheets)
    workbook = load_workbook(io.BytesIO(download(client, job)))
    assert "persons" not in workbook.sheetnames
    for sheet in workbook:
        for row in sheet.iter_rows(values_only=True):
            assert "Corina" not in row


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"what": "figures", "fmt": "csv", "year": "1850"}, "year"),
        ({"what": "figures", "fmt": "csv", "year": "abc"}, "year"),
        ({"what": "records", "fmt": "json", "year": ""}, "fmt"),
        ({"what": "everything", "fmt": "csv", "year": "2023"}, "what"),
        ({}, "what"),
    ],
)
def test_a_bad_request_names_the_field_and_starts_nothing(client, director, data, field):
    client.force_login(director)
    response = client.post(reverse("exchange:exports"), data)
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not ExportJob.objects.exists()


def test_only_its_owner_sees_a_job_and_roles_without_export_are_refused(
    client, director, make_user, educator, records, media, django_capture_on_commit_callbacks
):
    client.force_login(director)
    job = ask(client, django_capture_on_commit_callbacks, what="figures", fmt="csv", year="2023")
    other = make_user("director", username="director2")
    client.force_login(other)
    for name in ("exchange:export-job", "exchange:export-job-file"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    client.force_login(educator)
    assert client.get(reverse("exchange:exports")).status_code == 403
    assert client.get(reverse("exchange:export-job-file", args=[job.pk])).status_code == 403


def test_export_files_are_swept_after_a_day(
    client, director, records, media, django_capture_on_commit_callbacks
):
    client.force_login(director)
    job = ask(client, django_capture_on_commit_callbacks, what="figures", fmt="csv", year="2023")
    path = media / job.file.name
    assert path.exists()
    old = timezone.now() - datetime.timedelta(days=2)
    os.utime(path, (old.timestamp(), old.timestamp()))
    ExportJob.objects.filter(pk=job.pk).update(requested_at=old)
    assert sweep_stale_exports() == 1
    assert not path.exists()
    assert client.get(reverse("exchange:export-job-file", args=[job.pk])).status_code == 404

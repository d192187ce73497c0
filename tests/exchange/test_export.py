import datetime
import io
import zoneinfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from entractes.models import AccessLogEntry
from tests.factories import ConsultationFactory, ContactFactory, PersonFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.fixture
def year_2023(educator, nurse):
    person = PersonFactory(nickname="Corina", uses_drugs=True, birth_year=1985)
    for month in (2, 5, 9):
        ContactFactory(
            person=person,
            author=educator,
            occurred_at=datetime.datetime(2023, month, 3, 15, tzinfo=PARIS),
        )
    ContactFactory(
        person=None, author=educator, occurred_at=datetime.datetime(2023, 3, 3, 15, tzinfo=PARIS)
    )
    ConsultationFactory(
        person=person, author=nurse, at=datetime.datetime(2023, 4, 3, 11, tzinfo=PARIS)
    )
    return person


def test_exports_have_the_same_keys(client, director, year_2023):
    client.force_login(director)
    csv_body = client.get(reverse("exchange:export", args=[2023, "csv"])).content.decode()
    assert "attendance.contacts,4" in csv_body
    xlsx = client.get(reverse("exchange:export", args=[2023, "xlsx"])).content
    workbook = load_workbook(io.BytesIO(xlsx))
    assert workbook.sheetnames[0].startswith("1. Chiffres")
    keys = {row[0] for sheet in workbook for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {
        "attendance.contacts",
        "health.nurse.consultations",
        "minors.people",
        "schools.pupils",
    } <= keys
    assert AccessLogEntry.objects.filter(action="export").count() == 2


def test_an_unknown_format_is_not_found(client, director):
    client.force_login(director)
    assert client.get(reverse("exchange:export", args=[2023, "pdf"])).status_code == 404
    assert not AccessLogEntry.objects.filter(action="export").exists()


def test_figures_exports_carry_each_key_s_label(client, director, year_2023):
    client.force_login(director)
    csv_lines = client.get(reverse("exchange:export", args=[2023, "csv"])).content.decode()
    assert csv_lines.splitlines()[0] == "key,2023,label"
    assert "attendance.people,1,Personnes accueillies ou rencontrées" in csv_lines
    document = client.get(reverse("exchange:export", args=[2023, "json"])).json()
    assert document["labels"]["caarud.contacts"] == "Contacts CAARUD"
    assert set(document["labels"]) == set(document["figures"])
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("exchange:export", args=[2023, "xlsx"])).content)
    )
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]][:3] == ["key", "label", "2023"]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["attendance.contacts"][1:3] == ("Contacts", 4)

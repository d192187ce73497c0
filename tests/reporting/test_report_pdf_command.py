"""``manage.py report_pdf YEAR PATH``: the page's PDF, written without the task worker."""

import datetime
import shutil
import subprocess
import zoneinfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from reporting.models import ReportRender
from tests.factories import ContactFactory, NarrativeBlockFactory, PersonFactory

PDFTOTEXT = shutil.which("pdftotext")  # Debian's poppler-utils
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not PDFTOTEXT, reason="pdftotext (poppler-utils) missing"),
]
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def pdf_text(path) -> str:
    return subprocess.run(
        [PDFTOTEXT or "pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


@pytest.fixture
def year_2023(educator):
    person = PersonFactory(nickname="Corina", uses_drugs=True, birth_year=1985)
    for month in (2, 5, 9):
        ContactFactory(
            person=person,
            author=educator,
            caarud=True,
            occurred_at=datetime.datetime(2023, month, 3, 15, tzinfo=PARIS),
            material={"crack_pipe": 2},
        )
    NarrativeBlockFactory(
        year=2023,
        kind="editorial",
        body="Une année **forte** pour le service, écrite par la commande.",
        signature="La direction",
        updated_by=educator,
    )


def test_command_writes_the_same_document_as_the_pdf_page(
    client, director, year_2023, tmp_path, django_capture_on_commit_callbacks
):
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reporting:pdf-start", args=[2023]))
    render = ReportRender.objects.get(status="done")
    page_pdf = tmp_path / "page.pdf"
    page_pdf.write_bytes(render.file.read())

    target = tmp_path / "rapport-2023.pdf"
    call_command("report_pdf", "2023", str(target))

    text = pdf_text(target)
    assert "écrite par la commande" in text
    assert text == pdf_text(page_pdf)
    assert ReportRender.objects.count() == 1  # no render queued by the command
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".part"] == []


@pytest.mark.parametrize(
    ("year", "message"),
    [("deux-mille", "n'est pas une année"), ("1999", "comprise entre 2000"), ("2999", "2999")],
)
def test_a_bad_year_is_refused_in_french(tmp_path, year, message):
    target = tmp_path / "rapport.pdf"
    with pytest.raises(CommandError, match=message):
        call_command("report_pdf", year, str(target))
    assert not target.exists()


def test_an_unwritable_path_is_refused_in_french(tmp_path):
    with pytest.raises(CommandError, match="n'existe pas"):
        call_command("report_pdf", "2023", str(tmp_path / "absent" / "rapport.pdf"))
    with pytest.raises(CommandError, match="est un dossier"):
        call_command("report_pdf", "2023", str(tmp_path))

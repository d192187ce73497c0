"""The demo's 2023 report as a document: laid out like the seed, labelled, no internal
key before the appendix, the listed records present, the seed's percentages."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from entractes.lib import typography
from health.models import Workshop
from minors.models import AwarenessSession, TrainingCycle
from reporting import figures

PDFTOTEXT = shutil.which("pdftotext")
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed" / "rapport-activite-2023.md"
pytestmark = [
    pytest.mark.skipif(not PDFTOTEXT, reason="pdftotext (poppler-utils) missing"),
]
SPACES = re.compile(r"[\s\u00a0\u202f]+")
# A dotted key as the specification writes them (attendance.people_minors, ...).
DOTTED = re.compile(r"\b[a-z]+(?:_[a-z]+)*\.[a-z0-9_]+(?:\.[a-z0-9_]+)*\b")


def flat(text: str) -> str:
    return SPACES.sub(" ", text).replace("’", "'").strip()


def pages_of(path: Path) -> list[str]:
    out = subprocess.run(
        [PDFTOTEXT or "pdftotext", "-raw", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return out.split("\f")[:-1]


@pytest.fixture
def demo_report(demo_db, tmp_path) -> tuple[list[str], dict]:
    path = tmp_path / "rapport-2023.pdf"
    call_command("report_pdf", "2023", str(path))
    return pages_of(path), figures.all_figures(2023)


# The entries of the 2023 report's contents (« SOMMAIRE »), as the report words them.
OUTLINE = [
    "Edito",
    "01. Présentation d'Entr'Actes",
    "1. Équipe, principes et objectifs",
    "2. Fonctionnement",
    "02. Activité du service en 2023",
    "1. Chiffres clés",
    "2. La Réduction des Risques et des Dommages",
    "3. Le Pôle Santé",
    "4. L'accès aux droits",
    "5. La médiation sociale",
    "6. Entr'Actes 2.0 : notre présence sur Internet et les réseaux sociaux",
    "03. Prostitution des mineur·e·s",
    "1. L'action « Entr'Actes en mode mineur »",
    "2. Données chiffrées",
    "3. Partenariats",
    "04. Former et sensibiliser",
    "05. Plan d'amélioration continue de l'activité",
    "Conclusion",
]


def seed_outline() -> list[str]:
    """The entries of the seed's contents, without dots and page numbers (the seed lies
    beside the project on the machines it is written on, not in a clone of it)."""
    text = SEED.read_text(encoding="utf-8")
    contents = text.split("# SOMMAIRE", 1)[1].split("\n# ", 1)[0]
    entries = []
    for line in contents.splitlines():
        line = re.sub(r"<[^>]+>", "", line)
        line = re.sub(r"\.{3,}.*$|\t.*$", "", line).strip()
        if line:
            entries.append(flat(line))
    return entries


@pytest.mark.skipif(not SEED.exists(), reason="the seed report is not beside the project")
def test_the_outline_is_the_seed_s():
    assert [flat(entry) for entry in OUTLINE] == seed_outline()


APPENDIX = "Annexe : tous les chiffres"


def parts(pages: list[str]) -> tuple[str, str, str]:
    """The text outside the contents and the appendix, the contents, the appendix."""
    text = flat(" ".join(pages))
    toc_start = text.index("Sommaire")
    toc_end = text.index(APPENDIX, toc_start) + len(APPENDIX)
    appendix = text.index(APPENDIX, toc_end)
    return text[:toc_start] + text[toc_end:appendix], text[toc_start:toc_end], text[appendix:]


def test_every_entry_of_the_seed_outline_is_a_heading_of_the_document(demo_report):
    pages, _values = demo_report
    outline = [flat(entry) for entry in OUTLINE]
    body, contents, _appendix = (text.lower() for text in parts(pages))
    for entry in outline:
        assert entry.lower() in contents, entry
        assert entry.lower() in body, entry


def test_no_internal_key_is_printed_before_the_appendix(demo_report):
    pages, values = demo_report
    body, _contents, appendix = parts(pages)
    assert DOTTED.findall(body) == []
    assert not [key for key in values if key in body]
    # The appendix keeps every key beside its label.
    assert all(key in appendix for key in values)


def test_the_workshops_host_institutions_and_training_cycles_are_listed(demo_report):
    pages, _values = demo_report
    text = flat(" ".join(pages))
    workshops = Workshop.objects.filter(date__year=2023)
    hosts = AwarenessSession.objects.filter(date__year=2023)
    cycles = TrainingCycle.objects.filter(start_date__year=2023)
    assert workshops and hosts and cycles
    for workshop in workshops:
        assert flat(f"{workshop.title} {workshop.date.day} octobre 2023") in text
    for session in hosts:
        assert flat(session.host) in text
    for cycle in cycles:
        assert flat(cycle.institute) in text


def test_shares_print_as_the_seed_prints_them(demo_report):
    pages, values = demo_report
    text = flat(" ".join(pages))
    printed = {
        "caarud.share_of_people": "58 %",
        "digital.reply_rate": "11 %",
        "training.satisfaction": "100 %",
        "schools.satisfaction": "94 %",
        "schools.interest": "86 %",
    }
    for key, seed in printed.items():
        shown = flat(typography.percent(values[key]))
        assert shown == seed, key
        assert shown in text, key
    men = values["caarud.gender.male"] / values["caarud.people"]
    assert (
        flat(f"hommes parmi les personnes usagères de drogues : {typography.percent(men)}") in text
    )
    assert "32 %" in text
    # Thousands with a space, as the seed prints them; never a raw share.
    assert flat(f"{typography.number(values['rdr.material.male_condom'])}") in text
    assert "0,58" not in text and "0.58" not in text


def test_sentence_labels_and_previous_year_as_in_the_seed(demo_report):
    pages, values = demo_report
    text = flat(" ".join(pages))
    people = values["caarud.people"]
    assert (
        flat(f"{typography.number(people)} travailleur·se·s du sexe usager·ère·s de drogues")
        in text
    )
    contacts = typography.number(values["attendance.contacts"])
    previous = figures.all_figures(2022)["attendance.contacts"]
    assert flat(f"{contacts} contacts ({typography.number(previous)} en 2022") in text
    # The health unit practitioner by practitioner, the material in its two families.
    for heading in ("Infirmière", "Médecin addictologue", "Sage-femme"):
        assert heading in text
    assert flat(f"Frottis réalisés : {values['health.midwife.smears']}") in text
    assert "Liés à l'usage de drogues Pipe à crack" in text
    assert "Liés à l'activité prostitutionnelle Préservatif masculin" in text


def test_no_page_is_nearly_empty_or_ends_on_a_heading(demo_report):
    pages, _values = demo_report
    footer = re.compile(r"^\d+ / \d+$")
    headings = {
        "La fréquentation générale",
        "Les prestations au local",
        "L'équipe du Pôle Santé",
        "Les ateliers santé collectifs",
        "Les maraudes numériques",
        "Les réseaux sociaux",
        "La file active",
        "La fugue",
        "Le genre",
    }
    for number, page in enumerate(pages[1:], start=2):
        lines = [
            line.strip()
            for line in page.splitlines()
            if line.strip()
            and line.strip() != "•"
            and not footer.match(line.strip())
            and not line.startswith("Entr'Actes — Rapport")
        ]
        assert len(lines) >= 4, f"page {number} nearly empty: {lines}"
        assert lines[-1] not in headings, f"page {number} ends on a heading: {lines[-1]}"
        assert not re.match(r"^\d\. [A-ZÉ ]+$", lines[-1]), f"page {number}: {lines[-1]}"

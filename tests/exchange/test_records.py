"""Import and export of records in spreadsheets."""

import datetime
import io

import pytest
from auditlog.context import disable_auditlog
from django.core.management import call_command
from openpyxl import load_workbook

from contacts import models as c
from exchange.engine import ImportRefused, export_records, import_records, read, record_counts
from exchange.models import ExternalId
from health import models as h
from minors import models as m
from reporting.figures import all_figures
from reporting.models import NarrativeBlock
from rights import models as r
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@disable_auditlog()
def wipe():
    """Empty the records (not the reference lists nor the accounts); a test's own
    clearing, left out of the change history."""
    for model in (
        c.ContactMaterial,
        c.SessionMaterial,
        c.OnlineRoundSite,
        c.Contact,
        c.Session,
        c.FollowerSnapshot,
        c.MediationEvent,
        h.ConsultationAct,
        h.Consultation,
        h.HealthSession,
        h.Workshop,
        r.ProcedureStep,
        r.Procedure,
        m.EducationalMeasure,
        m.Runaway,
        m.ProductUse,
        m.PartnerExchange,
        m.SafeguardingReport,
        m.MinorFile,
        m.ReceivedReport,
        m.FilePartner,
        m.TrainingCycle,
        m.AwarenessSession,
        m.SchoolSession,
        c.PersonMerge,
        c.LegalIdentity,
        c.ActiveFileChange,
        c.Action,
        c.HandoverNote,
        NarrativeBlock,
        ExternalId,
    ):
        model._base_manager.all().delete()
    r.PSPFile.objects.filter(previous__isnull=False).delete()
    r.PSPFile.objects.all().delete()
    c.Person.all_objects.filter(merged_into__isnull=False).delete()
    c.Person.all_objects.all().delete()
    c.Partner.objects.all().delete()


@disable_auditlog()
def keep_four_months_of_field_work():
    """The demo's rounds, contacts and consultations taken away but for January to
    April 2023 (in the test's transaction): the round trip below carries four months of
    field work, every kind of record and every file still in it. The whole demo, both
    years, goes through ``scripts/round-trip``."""
    kept = {"gte": datetime.date(2023, 1, 1), "lt": datetime.date(2023, 5, 1)}
    for model, day in (
        (c.Contact, "day"),
        (c.Session, "date"),
        (h.Consultation, "day"),
        (h.HealthSession, "date"),
    ):
        model._base_manager.exclude(
            **{f"{day}__gte": kept["gte"], f"{day}__lt": kept["lt"]}
        ).delete()


@pytest.fixture
def demo_data(demo_db):
    return next(user for user in demo_db.accounts if user.username == "admin")


def test_a_bad_cell_writes_nothing_then_the_fixed_export_gives_the_same_figures_once(
    demo_data, tmp_path
):
    """The demo's records exported, the database emptied: a workbook with one bad cell
    is refused whole, naming the cell; fixed, it gives back every figure of both years;
    imported again, it changes nothing."""
    keep_four_months_of_field_work()
    before = {year: all_figures(year) for year in (2022, 2023)}
    counts = record_counts()
    assert all(
        counts[kind] > 0
        for kind in (
            "narratives",
            "procedure_steps",
            "partners",
            "merges",
            "health_sessions.participants",
        )
    )
    assert before[2022]["attendance.contacts"] == 0 < before[2023]["attendance.contacts"]
    path = tmp_path / "records.xlsx"
    export_records(path, "xlsx")
    wipe()
    assert all_figures(2023)["attendance.contacts"] == 0
    workbook = load_workbook(path)
    sheet = workbook["contacts"]
    header = [cell.value for cell in sheet[1]]
    channel = header.index("channel") + 1
    good = sheet.cell(row=700, column=channel).value
    sheet.cell(row=700, column=channel).value = "pigeon voyageur"
    bad = io.BytesIO()
    workbook.save(bad)
    bad.seek(0)
    with pytest.raises(ImportRefused) as refused:
        import_records(read(bad), by=demo_data)
    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "contacts",
        700,
        "channel",
        "pigeon voyageur",
    )
    assert "valeur inconnue" in problem.reason
    assert c.Person.all_objects.count() == 0 and c.Contact.objects.count() == 0

    sheet.cell(row=700, column=channel).value = good
    fixed = io.BytesIO()
    workbook.save(fixed)
    summary = import_records(read(io.BytesIO(fixed.getvalue())), by=demo_data)
    assert (
        summary["contacts"]["created"]
        == before[2022]["attendance.contacts"] + before[2023]["attendance.contacts"]
    )
    for year in (2022, 2023):
        assert all_figures(year) == before[year], year
    assert record_counts() == counts
    again = import_records(read(io.BytesIO(fixed.getvalue())), by=demo_data)
    assert all(counts["created"] == counts["updated"] == 0 for counts in again.values())


def write_csv(folder, name, text):
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.csv").write_text(text, encoding="utf-8")


def test_french_dates_labels_and_updates(tmp_path, admin_user):
    folder = tmp_path / "in"
    write_csv(
        folder,
        "persons",
        "id,nickname,gender,birth_date,uses_drugs,products\n"
        "p1,Bella,Femme,31/12/1990,oui,Cocaïne basée (crack);cannabis\n",
    )
    write_csv(
        folder,
        "contacts",
        "id,occurred_at,channel,person,caarud,material\n"
        "k1,02/03/2023 23:10,Antenne mobile,p1,oui,crack_pipe=2;male_condom=10\n",
    )
    summary = import_records(read(folder), by=admin_user)
    assert summary["persons"]["created"] == 1
    person = c.Person.objects.get()
    assert str(person.birth_date) == "1990-12-31"
    assert set(person.products.values_list("slug", flat=True)) == {"crack", "cannabis"}
    contact = c.Contact.objects.get()
    assert contact.channel.slug == "mobile_unit" and contact.caarud
    assert {line.material.slug: line.quantity for line in contact.material_lines.all()} == {
        "crack_pipe": 2,
        "male_condom": 10,
    }
    # The same id again, with a change: updated, not created.
    write_csv(
        folder,
        "persons",
        "id,nickname,gender,birth_date,uses_drugs,products\n"
        "p1,Bella B,female,1990-12-31,oui,crack\n",
    )
    summary = import_records(read(folder), by=admin_user)
    assert summary["persons"] == {"created": 0, "updated": 1, "unchanged": 0}
    assert c.Person.objects.get().nickname == "Bella B"


def test_every_problem_is_named_in_french(tmp_path, admin_user):
    folder = tmp_path / "in"
    write_csv(
        folder, "persons", "id,nickname,gender,birth_date\np1,,female,2999-01-01\np1,Bis,licorne,\n"
    )
    write_csv(folder, "contacts", "id,occurred_at,channel,person\nk1,hier,street,p9\n")
    write_csv(
        folder,
        "school_sessions",
        "id,school,date,pupils,boys,girls\ns1,Collège,2023-03-01,20,15,10\n",
    )
    with pytest.raises(ImportRefused) as refused:
        import_records(read(folder), by=admin_user)
    found = {(p.sheet, p.row, p.column) for p in refused.value.problems}
    assert ("persons", 2, "nickname") in found
    assert ("persons", 2, "birth_date") in found
    assert ("persons", 3, "id") in found
    assert ("contacts", 2, "occurred_at") in found
    assert ("contacts", 2, "person") in found
    assert ("school_sessions", 2, "girls") in found
    assert c.Person.all_objects.count() == 0


def test_commands_dry_run_and_refusal(tmp_path, admin_user):
    folder = tmp_path / "in"
    write_csv(folder, "persons", "id,nickname,gender\np1,Lola,female\n")
    out = io.StringIO()
    call_command("import_records", str(folder), "--dry-run", stdout=out)
    assert "Simulation — persons : 1 créé(s)" in out.getvalue()
    assert not c.Person.objects.exists()
    call_command("import_records", str(folder), stdout=io.StringIO())
    assert c.Person.objects.count() == 1
    write_csv(folder, "persons", "id,nickname,gender\np2,Mia,dragon\n")
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="rien n'a été écrit"):
        call_command("import_records", str(folder), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_example_workbook_imports_and_the_documentation_lists_every_column(admin_user):
    from pathlib import Path

    from exchange.spec import KIND_TEXT, SHEETS, document

    root = Path(__file__).resolve().parents[2]
    summary = import_records(read(root / "docs/examples/records-example.xlsx"), by=admin_user)
    assert all(counts["created"] >= 1 for counts in summary.values())
    assert c.Contact.objects.count() == 6
    doc = (root / "docs/import.md").read_text(encoding="utf-8")
    # The tables are the importer's own declaration: `make import-doc` writes them.
    assert document(doc) == doc, "docs/import.md is behind exchange/spec.py: make import-doc"
    for sheet in SHEETS:
        assert f"## {sheet.name} " in doc
        for col in sheet.columns:
            assert f"| {col.name} |" in doc, (sheet.name, col.name)
    # Every kind of value the importer reads is described, and every rule it applies.
    kinds = {col.kind for sheet in SHEETS for col in sheet.columns}
    assert kinds <= {*KIND_TEXT, "choice", "ref", "refs", "link", "links", "quantities", "acts"}
    for rule in ("merges", "cellule date", "quantité 0", "deux fois dans une cellule"):
        assert rule in doc.replace("\n  ", " "), rule


def test_formulas_are_never_exported_as_formulas_and_come_back_intact(tmp_path, admin_user):
    folder = tmp_path / "in"
    write_csv(
        folder, "persons", 'id,nickname,gender,notes\np1,Lola,female,"=HYPERLINK(""http://x"")"\n'
    )
    import_records(read(folder), by=admin_user)
    export_records(tmp_path / "out.xlsx", "xlsx")
    sheet = load_workbook(tmp_path / "out.xlsx")["persons"]
    notes = [c.value for c in sheet[1]].index("notes") + 1
    cell = sheet.cell(row=2, column=notes).value
    assert cell.startswith("'=")
    export_records(tmp_path / "csv", "csv")
    assert "'=HYPERLINK" in (tmp_path / "csv" / "persons.csv").read_text()
    c.Person.all_objects.update(notes="")
    import_records(read(tmp_path / "out.xlsx"), by=admin_user)
    assert c.Person.objects.get().notes == '=HYPERLINK("http://x")'


def test_ten_thousand_codes_drawn_are_distinct_from_each_other_and_from_the_database(
    admin_user,
):
    import random

    from contacts.models import generate_code, generate_codes

    existing = PersonFactory.create_batch(3)
    taken = {p.code for p in existing}
    codes = generate_codes(10_000)
    assert len(set(codes)) == 10_000
    assert not taken & set(codes)
    # A draw from a small pool collides all the time, with the file and the database too.
    pool = [generate_code() for _ in range(10_050)] + sorted(taken)
    drawn = generate_codes(10_000, taken={pool[0]}, draw=lambda: random.choice(pool))
    assert len(set(drawn)) == 10_000
    assert pool[0] not in drawn
    assert not taken & set(drawn)


def test_an_import_of_hundreds_of_persons_without_codes_gives_each_a_distinct_code(
    tmp_path, admin_user
):
    rows = "".join(f"p{i},Nom{i},female\n" for i in range(400))
    write_csv(tmp_path, "persons", "id,nickname,gender\n" + rows)
    import_records(read(tmp_path), by=admin_user)
    codes = set(c.Person.all_objects.values_list("code", flat=True))
    assert len(codes) == 400
    # The same file again (codes still empty) changes nobody's code.
    summary = import_records(read(tmp_path), by=admin_user)
    assert summary["persons"] == {"created": 0, "updated": 0, "unchanged": 400}
    assert set(c.Person.all_objects.values_list("code", flat=True)) == codes


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("latin-1", b""),
        ("cp1252", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-8", b""),
        ("utf-16-le", b"\xff\xfe"),
        ("utf-16-be", b"\xfe\xff"),
    ],
)
def test_csv_in_the_usual_encodings_is_read(tmp_path, admin_user, encoding, bom):
    nickname = "Hélène Œdipe’s" if encoding == "cp1252" else "Hélène Ça"
    text = f"id,nickname,gender,notes\r\np1,{nickname},female,à suivre\r\n"
    (tmp_path / "persons.csv").write_bytes(bom + text.encode(encoding))
    import_records(read(tmp_path), by=admin_user)
    person = c.Person.objects.get()
    assert (person.nickname, person.notes) == (nickname, "à suivre")


def test_csv_that_is_not_text_is_refused_with_a_message_naming_the_file(tmp_path):
    from exchange.engine import Unreadable

    (tmp_path / "persons.csv").write_bytes("id,nickname\np1,Léa\n".encode("utf-16-le"))
    with pytest.raises(Unreadable, match=r"persons\.csv : encodage non reconnu"):
        read(tmp_path)


def test_a_nul_byte_is_a_problem_of_the_report_and_nothing_is_written(tmp_path, admin_user):
    (tmp_path / "persons.csv").write_bytes(
        b"id,nickname,gender\np1,Lola,female\np2,Li\x00la,female\np\x003,Zoe,female\n"
    )
    with pytest.raises(ImportRefused) as refused:
        import_records(read(tmp_path), by=admin_user)
    assert [(p.sheet, p.row, p.column) for p in refused.value.problems] == [
        ("persons", 3, "nickname"),
        ("persons", 4, "id"),
    ]
    assert "caractère nul" in str(refused.value.problems[0])
    assert not c.Person.all_objects.exists()


def test_the_command_names_an_unreadable_csv(tmp_path, admin_user):
    from django.core.management.base import CommandError

    (tmp_path / "persons.csv").write_bytes(b"\x81\x8d\x8f\x90\x9d" * 10)
    with pytest.raises(CommandError, match=r"persons\.csv"):
        call_command("import_records", str(tmp_path), stdout=io.StringIO())


def test_imported_records_have_their_change_history_by_the_importing_account(tmp_path, admin_user):
    from auditlog.models import LogEntry

    folder = tmp_path / "in"
    write_csv(folder, "persons", "id,nickname,gender,products\np1,Bella,female,cannabis\n")
    write_csv(
        folder,
        "contacts",
        "id,occurred_at,channel,person,material\nk1,02/03/2023 23:10,street,p1,crack_pipe=2\n",
    )
    import_records(read(folder), by=admin_user)
    person, contact = c.Person.objects.get(), c.Contact.objects.get()
    for record in (person, contact):
        entries = LogEntry.objects.get_for_object(record)
        assert entries.filter(action=LogEntry.Action.CREATE).count() == 1
        assert {entry.actor for entry in entries} == {admin_user}
    write_csv(folder, "persons", "id,nickname,gender,products\np1,Bella B,female,cannabis\n")
    import_records(read(folder), by=admin_user)
    updates = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE)
    assert any("Bella B" in str(u.changes) and u.actor == admin_user for u in updates)


def test_a_rule_refusing_a_row_when_it_is_written_refuses_the_whole_import(tmp_path, admin_user):
    folder = tmp_path / "in"
    write_csv(folder, "persons", "id,nickname,gender\np1,Bella,female\n")
    write_csv(
        folder,
        "consultations",
        "id,person,at,line,acts\n"
        "h1,p1,02/03/2023 10:00,nurse,trod_hiv:negative\n"
        "h2,p1,03/03/2023 10:00,nurse,trod_hiv:\n",
    )
    with pytest.raises(ImportRefused) as refused:
        import_records(read(folder), by=admin_user)
    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row) == ("consultations", 3)
    assert not c.Person.all_objects.exists() and not h.Consultation.objects.exists()


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("k1,02/03/2023 23:10,Antenne mobile,,", "anonymous_gender", "genre estimé"),
        ("k1,02/03/2099 23:10,Antenne mobile,,female", "occurred_at", "futur"),
    ],
)
def test_an_import_refuses_a_contact_the_pages_refuse(tmp_path, admin_user, row, column, message):
    folder = tmp_path / "in"
    write_csv(folder, "contacts", f"id,occurred_at,channel,person,anonymous_gender\n{row}\n")
    with pytest.raises(ImportRefused) as refused:
        import_records(read(folder), by=admin_user)
    problems = [(p.sheet, p.column) for p in refused.value.problems]
    assert problems == [("contacts", column)]
    assert message in refused.value.problems[0].reason
    assert not c.Contact.all_objects.exists()


def test_an_import_refuses_a_reference_figure_of_an_unknown_key(tmp_path, admin_user):
    folder = tmp_path / "in"
    write_csv(
        folder,
        "reference_figures",
        "id,key,year,value,source\nRF-1,attendance.contacts,2021,10,r\nRF-2,attendance.visits,2021,3,r\n",
    )
    with pytest.raises(ImportRefused) as refused:
        import_records(read(folder), by=admin_user)
    assert [(p.sheet, p.column) for p in refused.value.problems] == [("reference_figures", "key")]
    from reporting.models import ReferenceFigure

    assert not ReferenceFigure.all_objects.exists()

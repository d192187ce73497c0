"""Imports that can be repeated and corrected: same file, same records; corrections
take effect everywhere; merges survive; spreadsheet cells typed in Excel are read; rules
that span rows are refused in the report."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from contacts import models as c
from contacts import services as contact_services
from exchange.engine import ImportRefused, export_records, import_records, read
from health import models as h
from minors.models import TrainingCycle
from reporting.figures import all_figures
from rights import models as r
from tests.factories import (
    ContactFactory,
    FollowerSnapshotFactory,
    PartnerFactory,
    PersonFactory,
    PSPDocumentKindFactory,
    PSPFileFactory,
)

pytestmark = pytest.mark.django_db


def workbook(sheets: dict[str, list[list]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


def cell(*parts) -> datetime.datetime:
    """A date-and-time cell as a spreadsheet holds it: no time zone."""
    return datetime.datetime(*parts)  # noqa: DTZ001


def again(sheets):
    return read(workbook(sheets))


PERSONS = [
    ["id", "code", "nickname", "gender", "birth_date", "birth_year", "uses_drugs"],
    ["p1", None, "Lola", "female", datetime.date(1990, 1, 2), None, True],
    ["p2", "", "Mia", "female", None, 1985, False],
    ["p3", "ab 12", "Nour", "female", None, None, True],
]


def test_cells_typed_in_a_spreadsheet_are_read_and_the_same_file_twice_changes_nothing(
    admin_user,
):
    sheets = {
        "persons": PERSONS,
        "sessions": [
            ["id", "kind", "date", "start_time", "end_time"],
            ["s1", "night_round", datetime.date(2023, 12, 30), datetime.time(21), None],
        ],
        "contacts": [
            ["id", "occurred_at", "session", "channel", "person", "caarud", "material"],
            ["k1", cell(2023, 12, 30, 22), "s1", "mobile_unit", "p1", True, None],
            [
                "k2",
                cell(2023, 12, 30, 23),
                "s1",
                "mobile_unit",
                "p3",
                1,
                "crack_pipe=0",
            ],
        ],
        "training_cycles": [
            ["id", "title", "start_date", "end_date", "days", "trainees"],
            ["t1", "Cycle", datetime.date(2023, 3, 1), cell(2023, 3, 2), 1.5, 12.0],
        ],
    }
    summary = import_records(again(sheets), by=admin_user)
    assert summary["persons"]["created"] == 3
    lola = c.Person.objects.get(nickname="Lola")
    assert (lola.birth_date, lola.birth_year) == (datetime.date(1990, 1, 2), 1990)
    assert c.Person.objects.get(nickname="Nour").code == "AB12"
    session = c.Session.objects.get()
    assert (session.date, session.start_time) == (datetime.date(2023, 12, 30), datetime.time(21))
    assert c.Contact.objects.get(person__nickname="Nour").material_lines.count() == 0
    cycle = c.Person.objects.none().model

    cycle = TrainingCycle.objects.get()
    assert (str(cycle.days), cycle.trainees, cycle.end_date) == (
        "1.5",
        12,
        datetime.date(2023, 3, 2),
    )

    codes = dict(c.Person.all_objects.values_list("nickname", "code"))
    summary = import_records(again(sheets), by=admin_user)
    assert all(counts["created"] == counts["updated"] == 0 for counts in summary.values()), summary
    assert dict(c.Person.all_objects.values_list("nickname", "code")) == codes


def test_a_corrected_session_date_moves_its_contacts_into_the_new_year(admin_user):
    sheets = {
        "persons": PERSONS[:2],
        "sessions": [
            ["id", "kind", "date", "start_time"],
            ["s1", "night_round", "2023-12-30", "21:00"],
        ],
        "contacts": [
            ["id", "occurred_at", "session", "channel", "person"],
            ["k1", "2023-12-30 22:00", "s1", "mobile_unit", "p1"],
        ],
    }
    import_records(again(sheets), by=admin_user)
    assert all_figures(2023)["attendance.contacts"] == 1
    sheets["sessions"][1][2] = "2024-01-03"
    summary = import_records(again(sheets), by=admin_user)
    assert summary["sessions"]["updated"] == 1
    contact = c.Contact.objects.get()
    assert contact.day == datetime.date(2024, 1, 3)
    assert all_figures(2023)["attendance.contacts"] == 0
    assert all_figures(2024)["attendance.contacts"] == 1


CONSULTATIONS = [
    ["id", "person", "at", "line", "acts"],
    ["h1", "p1", "2023-03-02 10:00", "nurse", "trod_hiv:negative"],
    ["h2", "p2", "2023-04-02 10:00", "nurse", ""],
]


def test_a_merges_sheet_merges_and_a_second_import_keeps_it(admin_user):
    sheets = {
        "persons": PERSONS[:3],
        "consultations": CONSULTATIONS,
        "merges": [["duplicate", "kept"], ["p2", "p1"]],
    }
    summary = import_records(again(sheets), by=admin_user)
    assert summary["merges"] == {"created": 1, "updated": 0, "unchanged": 0}
    assert all_figures(2023)["health.nurse.people"] == 1
    assert set(h.Consultation.objects.values_list("person__nickname", flat=True)) == {"Lola"}
    summary = import_records(again(sheets), by=admin_user)
    assert summary["merges"] == {"created": 0, "updated": 0, "unchanged": 1}
    assert summary["consultations"]["updated"] == 0
    assert all_figures(2023)["health.nurse.people"] == 1


def test_a_merge_made_in_the_app_survives_the_import_of_the_old_file(admin_user):
    sheets = {"persons": PERSONS[:3], "consultations": CONSULTATIONS}
    import_records(again(sheets), by=admin_user)
    assert all_figures(2023)["health.nurse.people"] == 2
    contact_services.person_merge(
        kept=c.Person.objects.get(nickname="Lola"),
        duplicate=c.Person.objects.get(nickname="Mia"),
        by=admin_user,
    )
    assert all_figures(2023)["health.nurse.people"] == 1
    summary = import_records(again(sheets), by=admin_user)
    assert summary["consultations"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert set(h.Consultation.objects.values_list("person__nickname", flat=True)) == {"Lola"}
    assert all_figures(2023)["health.nurse.people"] == 1
    # The export carries the merge: into an empty database, the same persons, one merge.
    out = io.BytesIO()
    export_records(out, "xlsx")
    merges = list(load_workbook(io.BytesIO(out.getvalue()))["merges"].iter_rows(values_only=True))
    assert merges == [("duplicate", "kept"), ("p2", "p1")]


def test_a_merge_that_cannot_be_made_is_a_problem_of_the_report(admin_user):
    sheets = {"persons": PERSONS[:3], "merges": [["duplicate", "kept"], ["p2", "p2"]]}
    with pytest.raises(ImportRefused) as refused:
        import_records(again(sheets), by=admin_user)
    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("merges", 2, "duplicate")
    assert not c.Person.all_objects.exists()


def test_rows_breaking_a_uniqueness_rule_and_a_slug_twice_in_a_cell_are_refused(admin_user):
    channel = c.Channel.objects.filter(kind="social").first() or c.Channel.objects.first()
    FollowerSnapshotFactory(channel=channel, date=datetime.date(2023, 6, 1), followers=10)
    sheets = {
        "persons": PERSONS[:2],
        "contacts": [
            ["id", "occurred_at", "channel", "person", "material", "themes"],
            ["k1", "2023-03-02 10:00", "street", "p1", "male_condom=3;male_condom=2", ""],
            ["k2", "2023-03-02 11:00", "street", "p1", "", "health;health"],
        ],
        "followers": [
            ["id", "network", "date", "followers"],
            ["f1", channel.slug, "2023-05-01", 100],
            ["f2", channel.slug, "2023-05-01", 120],
            ["f3", channel.slug, "2023-06-01", 130],
        ],
        "reference_figures": [
            ["id", "key", "year", "value", "source"],
            ["r1", "caarud.people", 2022, 10, "rapport 2022"],
            ["r2", "caarud.people", 2022, 11, "rapport 2022 bis"],
        ],
    }
    with pytest.raises(ImportRefused) as refused:
        import_records(again(sheets), by=admin_user)
    found = {(p.sheet, p.row, p.column): p.reason for p in refused.value.problems}
    assert "deux fois" in found["contacts", 2, "material"]
    assert ("contacts", 3, "themes") in found
    assert "la ligne 2" in found["followers", 3, "network"]
    assert "un autre enregistrement" in found["followers", 4, "network"]
    assert "la ligne 2" in found["reference_figures", 3, "key"]
    assert ("followers", 2, "network") not in found
    assert not c.Person.all_objects.exists()


def test_records_made_in_the_app_exported_then_imported_again_are_not_created_twice(
    admin_user, educator
):
    person = PersonFactory(nickname="Aya")
    ContactFactory(person=person, author=educator)
    partner = PartnerFactory(name="Planning familial")
    contact = ContactFactory(person=person, author=educator)
    contact.referrals.add(partner)
    out = io.BytesIO()
    export_records(out, "xlsx")
    summary = import_records(read(io.BytesIO(out.getvalue())), by=admin_user)
    assert all(counts["created"] == counts["updated"] == 0 for counts in summary.values()), summary
    assert c.Contact.objects.count() == 2 and c.Person.all_objects.count() == 1
    assert list(c.Contact.objects.get(pk=contact.pk).referrals.all()) == [partner]


def test_a_psp_file_keeps_its_whole_decision_history_through_export_and_import(
    admin_user,
):
    from tests.exchange.test_records import wipe

    kinds = [PSPDocumentKindFactory(slug="passport"), PSPDocumentKindFactory(slug="lease")]
    person = PersonFactory(nickname="Grace")
    first = PSPFileFactory(
        person=person,
        kind="first_request",
        state="decided",
        worker=admin_user,
        created_by=admin_user,
        filed_on=datetime.date(2022, 2, 1),
        commission_date=datetime.date(2022, 3, 1),
        decision="unfavourable",
        decision_on=datetime.date(2022, 3, 1),
        decision_reason="dossier incomplet",
        review_outcome="favourable",
        review_on=datetime.date(2022, 5, 1),
        path_start=datetime.date(2022, 5, 1),
        path_end=datetime.date(2022, 11, 1),
        permit_start=datetime.date(2022, 5, 10),
        permit_end=datetime.date(2022, 11, 10),
        dependants=2,
    )
    first.documents.set(kinds)
    fields = [
        "kind",
        "state",
        "filed_on",
        "decision",
        "decision_on",
        "decision_reason",
        "review_outcome",
        "review_on",
        "path_start",
        "path_end",
        "permit_start",
        "permit_end",
        "dependants",
    ]
    before = list(r.PSPFile.objects.values(*fields))
    out = io.BytesIO()
    export_records(out, "xlsx")
    wipe()
    import_records(read(io.BytesIO(out.getvalue())), by=admin_user)
    assert list(r.PSPFile.objects.values(*fields)) == before
    assert set(r.PSPFile.objects.get().documents.values_list("slug", flat=True)) == {
        "passport",
        "lease",
    }


def test_a_column_left_out_of_a_sheet_leaves_the_records_values_as_they_are(admin_user):
    sheets = {
        "persons": PERSONS[:2],
        "contacts": [
            ["id", "occurred_at", "channel", "person", "material", "themes"],
            ["k1", "2023-03-02 10:00", "street", "p1", "male_condom=3", "health"],
        ],
        "consultations": CONSULTATIONS[:2],
    }
    import_records(again(sheets), by=admin_user)
    sheets["contacts"] = [["id", "occurred_at", "channel", "person"], sheets["contacts"][1][:4]]
    sheets["consultations"] = [row[:4] for row in CONSULTATIONS[:2]]
    sheets["persons"] = [row[:4] for row in PERSONS[:2]]
    summary = import_records(again(sheets), by=admin_user)
    assert all(counts["updated"] == 0 for counts in summary.values()), summary
    contact = c.Contact.objects.get()
    assert {line.material.slug: line.quantity for line in contact.material_lines.all()} == {
        "male_condom": 3
    }
    assert list(contact.themes.values_list("slug", flat=True)) == ["health"]
    assert h.Consultation.objects.get().acts.count() == 1
    assert c.Person.objects.get(nickname="Lola").birth_date == datetime.date(1990, 1, 2)


def test_group_session_participants_are_imported_and_counted(admin_user):
    sheets = {
        "persons": PERSONS,
        "health_sessions": [
            ["id", "line", "kind", "date", "participants"],
            ["g1", "sophrology", "workshop", "2023-05-02", "p1;p2"],
            ["g2", "sophrology", "workshop", "2023-06-02", "p2;p3"],
        ],
    }
    import_records(again(sheets), by=admin_user)
    assert all_figures(2023)["health.sophrology.people"] == 3
    sheets["health_sessions"][2][4] = "p2;p2"
    with pytest.raises(ImportRefused) as refused:
        import_records(again(sheets), by=admin_user)
    assert [(p.sheet, p.row, p.column) for p in refused.value.problems] == [
        ("health_sessions", 3, "participants")
    ]
    sheets["health_sessions"][2][2] = "permanence"
    sheets["health_sessions"][2][4] = "p3"
    with pytest.raises(ImportRefused) as refused:
        import_records(again(sheets), by=admin_user)
    assert refused.value.problems[0].column == "participants"


def test_a_partner_the_database_already_lists_is_found_by_its_name_not_doubled(admin_user):
    listed = PartnerFactory(name="CSAPA Le Cèdre bleu", kind="csapa")
    sheets = {
        "partners": [
            ["id", "name", "kind", "phone"],
            ["partners-1", "CSAPA Le Cèdre bleu", "csapa", "03 20 00 00 00"],
        ]
    }
    summary = import_records(again(sheets), by=admin_user)
    assert summary["partners"] == {"created": 0, "updated": 1, "unchanged": 0}
    listed.refresh_from_db()
    assert listed.phone == "03 20 00 00 00"
    assert c.Partner.objects.filter(name="CSAPA Le Cèdre bleu").count() == 1
    summary = import_records(again(sheets), by=admin_user)
    assert summary["partners"] == {"created": 0, "updated": 0, "unchanged": 1}


def test_merges_of_merges_in_one_sheet_end_in_one_person_and_hold_at_the_next_import(
    admin_user,
):
    sheets = {
        "persons": PERSONS,
        "consultations": [*CONSULTATIONS, ["h3", "p3", "2023-05-02 10:00", "nurse", ""]],
        "merges": [["duplicate", "kept"], ["p3", "p2"], ["p2", "p1"]],
    }
    summary = import_records(again(sheets), by=admin_user)
    assert summary["merges"]["created"] == 2
    assert all_figures(2023)["health.nurse.people"] == 1
    summary = import_records(again(sheets), by=admin_user)
    assert summary["merges"] == {"created": 0, "updated": 0, "unchanged": 2}
    assert summary["consultations"]["updated"] == 0

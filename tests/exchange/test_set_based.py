"""The import writes sets of rows: its number of queries does not grow with the rows."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts import models as c
from exchange.engine import import_records, read
from health import models as h
from rights import models as r
from tests.exchange.test_round_trip import workbook

pytestmark = pytest.mark.django_db


def generated(prefix: str, count: int, note: str = "", products: str = "cannabis;crack") -> dict:
    """A workbook of ``count`` persons, each with a round, two contacts of it, a
    consultation with its acts, a procedure and its step; read as an import reads it."""
    day = datetime.date(2023, 3, 1)
    sheets: dict[str, list[list]] = {
        "partners": [["id", "name", "kind"], [f"{prefix}-partner", f"Relais {prefix}", "csapa"]],
        "persons": [["id", "nickname", "gender", "birth_year", "products", "notes"]],
        "sessions": [["id", "kind", "date", "start_time", "zones"]],
        "contacts": [
            [
                "id",
                "occurred_at",
                "session",
                "channel",
                "person",
                "themes",
                "material",
                "referrals",
                "note",
            ]
        ],
        "consultations": [["id", "person", "at", "line", "acts"]],
        "procedures": [["id", "person", "theme", "request", "opened_on"]],
        "procedure_steps": [["id", "procedure", "date", "note"]],
    }
    for i in range(count):
        person, session = f"{prefix}-p{i}", f"{prefix}-s{i}"
        when = day + datetime.timedelta(days=i % 200)
        sheets["persons"].append(
            [person, f"Nom {prefix} {i}", "female", 1980 + i % 20, products, note]
        )
        sheets["sessions"].append([session, "street_round", when.isoformat(), "20:00", ""])
        for k in range(2):
            sheets["contacts"].append(
                [
                    f"{prefix}-k{i}-{k}",
                    f"{when.isoformat()} 21:{10 + k}",
                    session,
                    "street",
                    person,
                    "",
                    "crack_pipe=2;male_condom=10",
                    f"{prefix}-partner",
                    note,
                ]
            )
        sheets["consultations"].append(
            [f"{prefix}-h{i}", person, f"{when.isoformat()} 10:00", "nurse", "trod_hiv:negative"]
        )
        sheets["procedures"].append(
            [f"{prefix}-d{i}", person, "housing", f"Logement {note}", when.isoformat()]
        )
        sheets["procedure_steps"].append(
            [f"{prefix}-e{i}", f"{prefix}-d{i}", when.isoformat(), f"Appel {note}"]
        )
    return read(workbook(sheets))


def queries(data, by) -> int:
    with CaptureQueriesContext(connection) as captured:
        import_records(data, by=by)
    return len(captured)


def test_the_import_s_queries_do_not_grow_with_its_rows(admin_user):
    import_records(generated("warm", 1), by=admin_user)  # the content types, read once
    small, large = generated("a", 10), generated("b", 30)
    created_small, created_large = queries(small, admin_user), queries(large, admin_user)
    assert c.Person.objects.count() == 41 and c.Contact.objects.count() == 82
    assert h.ConsultationAct.objects.count() == 41 and r.ProcedureStep.objects.count() == 41
    assert created_large == created_small
    # The same files, every row changed: updated in as many queries whatever their number.
    updated_small = queries(generated("a", 10, note="suite"), admin_user)
    updated_large = queries(generated("b", 30, note="suite"), admin_user)
    assert c.Person.objects.filter(notes="suite").count() == 40
    assert c.Contact.objects.filter(note="suite").count() == 80
    assert updated_large == updated_small
    # Unchanged: read, compared, nothing written.
    assert queries(generated("b", 30, note="suite"), admin_user) <= updated_small


def test_bulk_writes_keep_the_change_history_lists_and_derived_fields(admin_user):
    data = generated("a", 3)
    summary = import_records(data, by=admin_user)
    assert summary["contacts"] == {"created": 6, "updated": 0, "unchanged": 0}
    person = c.Person.objects.get(nickname="Nom a 1")
    assert person.nickname_key and person.turns_18_on == datetime.date(1999, 1, 1)
    assert set(person.products.values_list("slug", flat=True)) == {"cannabis", "crack"}
    contact = c.Contact.objects.filter(person=person).first()
    assert contact.day == contact.session.date and contact.author == admin_user
    assert list(contact.session.staff.all()) == [admin_user]
    assert {line.material.slug: line.quantity for line in contact.material_lines.all()} == {
        "crack_pipe": 2,
        "male_condom": 10,
    }
    entries = LogEntry.objects.get_for_object(person)
    assert {entry.actor for entry in entries} == {admin_user}
    assert entries.filter(action=LogEntry.Action.CREATE).count() == 1
    added = entries.get(action=LogEntry.Action.UPDATE).changes["products"]
    assert (added["operation"], len(added["objects"])) == ("add", 2)
    consultation = h.Consultation.objects.get(person=person)
    assert consultation.day == datetime.date(2023, 3, 2)
    act = consultation.acts.get()
    assert LogEntry.objects.get_for_object(act).get().action == LogEntry.Action.CREATE

    import_records(generated("a", 3, note="suite", products="cannabis"), by=admin_user)
    person.refresh_from_db()
    assert person.version == 2
    assert set(person.products.values_list("slug", flat=True)) == {"cannabis"}
    update = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE)
    assert any(u.changes.get("notes") == ["", "suite"] and u.actor == admin_user for u in update)
    lists = [u.changes["products"] for u in update if "products" in u.changes]
    assert sorted((c["operation"], len(c["objects"])) for c in lists) == [("add", 2), ("delete", 1)]


def test_a_database_rule_refusing_a_batch_names_the_row_and_writes_nothing(tmp_path, admin_user):
    """A contact of a person carries no estimated gender: the database's check refuses
    the batch, the row is found and named, nothing is written."""
    from exchange.engine import ImportRefused

    (tmp_path / "persons.csv").write_text("id,nickname,gender\np1,Lola,female\n")
    (tmp_path / "contacts.csv").write_text(
        "id,occurred_at,channel,person,anonymous_gender\n"
        "k1,02/03/2023 23:10,street,p1,\n"
        "k2,02/03/2023 23:20,street,p1,female\n"
    )
    with pytest.raises(ImportRefused) as refused:
        import_records(read(tmp_path), by=admin_user)
    (problem,) = refused.value.problems
    assert (problem.sheet, problem.row) == ("contacts", 3)
    assert not c.Person.all_objects.exists() and not c.Contact.all_objects.exists()

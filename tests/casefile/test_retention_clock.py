"""The retention clock runs from the person's last activity (meeting or dated event of
their files), never from when a record was created or written."""

import datetime

import pytest
from django.utils import timezone

from casefile import archive, registry
from casefile.retention import persons_due, retention_apply
from contacts.models import Person, years_before
from tests.factories import (
    ConsultationFactory,
    ContactFactory,
    MinorFileFactory,
    PersonFactory,
    ProcedureFactory,
    ProcedureStepFactory,
    PSPFileFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = years_before(TODAY, 3)  # past the default limit of two years
LATELY = TODAY - datetime.timedelta(days=180)


def moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(14)))


def person(created: datetime.date) -> Person:
    found = PersonFactory()
    Person.all_objects.filter(pk=found.pk).update(created_at=moment(created))
    return found


def due() -> set[int]:
    return set(persons_due(today=TODAY, years=2).values_list("pk", flat=True))


def test_a_person_created_long_ago_and_met_lately_is_kept(educator):
    met = person(created=LONG_AGO)
    ContactFactory(person=met, author=educator, occurred_at=moment(LONG_AGO))
    ContactFactory(person=met, author=educator, occurred_at=moment(LATELY))
    assert met.pk not in due()


def test_a_person_imported_lately_with_only_old_meetings_is_due(educator, nurse):
    contacts_only = person(created=TODAY)
    ContactFactory(person=contacts_only, author=educator, occurred_at=moment(LONG_AGO))
    consultation_only = person(created=LATELY)
    ConsultationFactory(person=consultation_only, author=nurse, at=moment(LONG_AGO))

    assert {contacts_only.pk, consultation_only.pk} <= due()
    report = retention_apply(today=TODAY, years=2)
    assert report.anonymised == 2
    assert Person.all_objects.get(pk=contacts_only.pk).anonymised_at is not None


def test_a_person_with_nothing_dated_counts_from_their_creation():
    new = person(created=LATELY)
    forgotten = person(created=LONG_AGO)
    assert new.pk not in due()
    assert forgotten.pk in due()


def test_writing_a_procedure_again_is_no_activity(educator):
    """An import (or a correction) writes ``updated_at`` today on a procedure of old."""
    subject = person(created=LONG_AGO)
    ContactFactory(person=subject, author=educator, occurred_at=moment(LONG_AGO))
    ProcedureFactory(
        person=subject,
        worker=educator,
        opened_on=LONG_AGO,
        status="completed",
        status_on=LONG_AGO,
        updated_at=timezone.now(),
    )
    assert subject.pk in due()


def test_a_psp_file_created_lately_with_old_dates_is_no_activity(educator):
    subject = person(created=LONG_AGO)
    PSPFileFactory(
        person=subject,
        worker=educator,
        state="closed",
        filed_on=LONG_AGO,
        decision_on=LONG_AGO,
        created_at=timezone.now(),
    )
    assert subject.pk in due()


def test_a_dated_event_of_a_file_restarts_the_clock(educator):
    closed_lately = person(created=LONG_AGO)
    MinorFileFactory(person=closed_lately, worker=educator, opened_on=LONG_AGO, closed_on=LATELY)
    step_lately = person(created=LONG_AGO)
    procedure = ProcedureFactory(
        person=step_lately, worker=educator, opened_on=LONG_AGO, status="completed"
    )
    ProcedureStepFactory(procedure=procedure, date=LATELY)
    assert not {closed_lately.pk, step_lately.pk} & due()


def test_archived_records_restart_no_clock(educator):
    """Withdrawn records are no activity: a contact, a procedure and its steps."""
    subject = person(created=LONG_AGO)
    ContactFactory(person=subject, author=educator, occurred_at=moment(LONG_AGO))
    mistake = ContactFactory(person=subject, author=educator, occurred_at=moment(LATELY))
    procedure = ProcedureFactory(
        person=subject, worker=educator, opened_on=LONG_AGO, status="completed"
    )
    ProcedureStepFactory(procedure=procedure, date=LATELY)
    assert subject.pk not in due()

    kinds = archive.kinds()
    archive.archive(kinds["contact"], mistake, by=educator, reason="Mauvaise personne")
    archive.archive(kinds["procedure"], procedure, by=educator, reason="Mauvaise personne")

    assert subject.pk in due()


def test_no_creation_or_write_time_is_declared_as_activity():
    for kind in registry.records():
        for name in kind.activity:
            field = kind.model._meta.get_field(name)
            assert name not in ("created_at", "updated_at"), (kind.model, name)
            assert field.editable, (kind.model, name)
            assert not getattr(field, "auto_now", False), (kind.model, name)
            assert not getattr(field, "auto_now_add", False), (kind.model, name)

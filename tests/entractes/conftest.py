"""Records of every kind, for the pages that take an id (shared by the access tests).

The accounts and records are built once per test module (see ``built_once``); each test
gets fresh instances of the accounts and a copy of the records' keys.
"""

import copy

import pytest

from entractes.permissions import ROLES
from tests.conftest import built_once
from tests.factories import (
    ActionFactory,
    ActiveFileChangeFactory,
    ConsultationFactory,
    ContactFactory,
    DocumentFactory,
    ExportJobFactory,
    HandoverNoteFactory,
    HealthSessionFactory,
    ImportJobFactory,
    LegalIdentityFactory,
    MediationEventFactory,
    MinorFileFactory,
    NarrativeBlockFactory,
    PersonFactory,
    PlaceObservationFactory,
    ProcedureFactory,
    PSPFileFactory,
    PublicationFactory,
    ReceivedReportFactory,
    ReferenceFigureFactory,
    ReportRenderFactory,
    RunawayFactory,
    SessionFactory,
    UserFactory,
)


@pytest.fixture(scope="module")
def _accounts_and_records(django_db_setup, django_db_blocker):
    with built_once(django_db_blocker):
        users = {role: UserFactory(roles=[role], username=f"as-{role}") for role in ROLES}
        records = _records(users)
        yield {role: user.pk for role, user in users.items()}, records


@pytest.fixture
def users_by_role(_accounts_and_records, db):
    """One account per role, keyed by role slug."""
    from entractes.models import User

    pks = _accounts_and_records[0]
    found = User.objects.in_bulk(pks.values())
    return {role: found[pk] for role, pk in pks.items()}


@pytest.fixture
def objects(_accounts_and_records, db):
    return copy.deepcopy(_accounts_and_records[1])


def _records(users_by_role):
    from django.core.files.base import ContentFile

    from contacts.services import person_merge
    from reporting.models import Publication
    from rights.models import ProcedureTheme

    person = PersonFactory()
    LegalIdentityFactory(person=person)
    author = UserFactory(roles=["educator"])
    merge = person_merge(kept=person, duplicate=PersonFactory(), by=author)
    session = SessionFactory(kind="online_round", created_by=author)
    health_session = HealthSessionFactory(created_by=author)
    consultation = ConsultationFactory(person=person, session=health_session, author=author)
    from django.utils import timezone

    # Due today: the agenda lists the next action of the procedure.
    procedure = ProcedureFactory(
        person=person,
        theme=ProcedureTheme.objects.first(),
        request="RSA",
        worker=author,
        next_action_due=timezone.localdate(),
    )
    psp = PSPFileFactory(person=person, kind="first_request", worker=author)
    minor_file = MinorFileFactory(person=person, worker=author, first_meeting_place="outreach")
    runaway = RunawayFactory(file=minor_file, start=minor_file.opened_on)
    report = ReceivedReportFactory(description="x", author=author)
    render = ReportRenderFactory(year=2023, requested_by=author, status="done")
    render.file.save("r.pdf", ContentFile(b"%PDF-1.4"), save=True)
    publication = PublicationFactory(
        year=2023, version=1, figures={}, narrative=[], published_by=author
    )
    publication.pdf.save("p.pdf", ContentFile(b"%PDF-1.4"), save=False)
    Publication.objects.filter(pk=publication.pk).update(pdf=publication.pdf.name)
    block = NarrativeBlockFactory(year=2023, kind="editorial", body="Texte", updated_by=author)
    # An import job is seen by the account that started it only.
    job = ImportJobFactory(
        requested_by=users_by_role["administrator"], filename="a.xlsx", state="done"
    )
    # So is an export, and its file.
    export_job = ExportJobFactory(requested_by=users_by_role["director"], state="done")
    export_job.file.save("chiffres.csv", ContentFile(b"key,2023\n"), save=True)
    return {
        "import_job": {"pk": job.pk},
        "export_job": {"pk": export_job.pk},
        "drill": {},
        "year": {"year": 2023},
        "narrative": {"year": 2023, "pk": block.pk},
        "reference_figure": {"pk": ReferenceFigureFactory(year=2021, created_by=author).pk},
        "render": {"pk": render.pk},
        "publication": {"pk": publication.pk},
        "export": {"year": 2023, "fmt": "csv"},
        "minor_file": {"pk": minor_file.pk},
        "minor_file_add": {"pk": minor_file.pk, "kind": "runaway"},
        "minor_period": {"pk": minor_file.pk, "kind": "runaway", "record": runaway.pk},
        "report": {"pk": report.pk},
        "training_kind": {"kind": "school"},
        "procedure": {"pk": procedure.pk},
        "psp": {"pk": psp.pk},
        "consultation": {"pk": consultation.pk},
        "health_session": {"pk": health_session.pk},
        "session": {"pk": session.pk},
        "contact": {"pk": ContactFactory(session=session, person=None, author=author).pk},
        "mediation": {"pk": MediationEventFactory(author=author, residents=2).pk},
        "place": {"pk": PlaceObservationFactory(author=author).pk},
        # A document of each kind: the person's own, a procedure's, a PSP file's.
        "document": {"pk": DocumentFactory(person=person, uploaded_by=author).pk},
        "procedure_document": {"pk": DocumentFactory(procedure=procedure, uploaded_by=author).pk},
        "psp_document": {"pk": DocumentFactory(psp_file=psp, uploaded_by=author).pk},
        "action": {"pk": ActionFactory(person=person, author=author).pk},
        "health_action": {
            "pk": ActionFactory(person=person, author=author, domain="health", team="health").pk
        },
        "handover": {"pk": HandoverNoteFactory(author=author).pk},
        "person": {"code": person.code},
        "person_out_of_file": {"code": ActiveFileChangeFactory(author=author).person.code},
        "person_pk": {"pk": person.pk},
        "archived": {"kind": "contact", "pk": _archived_contact(author).pk},
        "merge": {"pk": merge.pk},
        "staff": {"pk": UserFactory(roles=["nurse"]).pk},
        "change": {"pk": _pending_change(author).pk},
    }


def _archived_contact(author):
    from django.utils import timezone

    contact = ContactFactory(person=None, author=author)
    contact.archived_at = timezone.now()
    contact.save()
    return contact


def _pending_change(author):
    from entractes.models import AccountChangeRequest

    return AccountChangeRequest.objects.create(
        kind="grant", target=UserFactory(roles=["nurse"]), requested_by=author
    )

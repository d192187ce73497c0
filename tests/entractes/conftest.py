"""Records of every kind, for the pages that take an id (shared by the access tests)."""

import pytest

from tests.factories import (
    ConsultationFactory,
    ContactFactory,
    HealthSessionFactory,
    LegalIdentityFactory,
    MediationEventFactory,
    PersonFactory,
    SessionFactory,
    UserFactory,
)


@pytest.fixture
def objects(make_user, users_by_role):
    from contacts.services import person_merge

    person = PersonFactory()
    LegalIdentityFactory(person=person)
    author = make_user("educator")
    merge = person_merge(kept=person, duplicate=PersonFactory(), by=author)
    session = SessionFactory(kind="online_round", created_by=author)
    health_session = HealthSessionFactory(created_by=author)
    consultation = ConsultationFactory(person=person, session=health_session, author=author)
    from rights.models import Procedure, ProcedureTheme, PSPFile

    procedure = Procedure.objects.create(
        person=person,
        theme=ProcedureTheme.objects.first(),
        request="RSA",
        worker=author,
        created_by=author,
    )
    psp = PSPFile.objects.create(
        person=person, kind="first_request", worker=author, created_by=author
    )
    from minors.models import MinorFile, ReceivedReport, Runaway

    minor_file = MinorFile.objects.create(
        person=person, worker=author, created_by=author, first_meeting_place="outreach"
    )
    runaway = Runaway.objects.create(file=minor_file, start=minor_file.opened_on)
    report = ReceivedReport.objects.create(description="x", author=author)
    from django.core.files.base import ContentFile

    from exchange.models import ImportJob
    from reporting.models import NarrativeBlock, Publication, ReportRender

    render = ReportRender.objects.create(year=2023, requested_by=author, status="done")
    render.file.save("r.pdf", ContentFile(b"%PDF-1.4"), save=True)
    publication = Publication.objects.create(
        year=2023, version=1, figures={}, narrative=[], published_by=author
    )
    publication.pdf.save("p.pdf", ContentFile(b"%PDF-1.4"), save=False)
    Publication.objects.filter(pk=publication.pk).update(pdf=publication.pdf.name)
    block = NarrativeBlock.objects.create(
        year=2023, kind="editorial", body="Texte", updated_by=author
    )
    # An import job is seen by the account that started it only.
    job = ImportJob.objects.create(
        requested_by=users_by_role["administrator"], filename="a.xlsx", state="done"
    )
    return {
        "import_job": {"pk": job.pk},
        "drill": {},
        "year": {"year": 2023},
        "narrative": {"year": 2023, "pk": block.pk},
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
        "person": {"code": person.code},
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

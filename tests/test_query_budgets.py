"""List pages and person pages run a fixed number of queries whatever the data size.

Each page is opened on a small data set (1x: a few persons with their contacts,
consultations, procedures, files...), then again after nine more of the same batches
(10x): the second count may not exceed the first. A count that grows with the rows is
an N+1 query in the view or its template.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    Contact,
    Material,
    MediationTheme,
    Partner,
    Person,
    Session,
    Theme,
    Zone,
    years_before,
)
from contacts.services import person_merge
from entractes.models import AccessLogEntry
from health.models import Act, HealthSession, Modality, ServiceLine
from rights.models import ProcedureTheme
from tests.conftest import built_once
from tests.factories import (
    ActionFactory,
    ConsultationActFactory,
    ConsultationFactory,
    ContactFactory,
    ContactMaterialFactory,
    GroupHealthSessionFactory,
    HandoverNoteFactory,
    HealthSessionFactory,
    LegalIdentityFactory,
    MediationEventFactory,
    MinorFileFactory,
    PartnerFactory,
    PersonFactory,
    ProcedureFactory,
    PSPFileFactory,
    ReceivedReportFactory,
    RunawayFactory,
    SessionFactory,
    UserFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db

BATCHES_1X = 1
BATCHES_10X = 10


@dataclass
class World:
    """The records the pages are opened on, and who wrote them."""

    educator: object
    nurse: object
    minors_educator: object
    subject: Person = None
    session: Session = None
    health_session: object = None
    refs: dict = field(default_factory=dict)
    batches: int = 0


def _refs() -> dict:
    partner = Partner.objects.first() or PartnerFactory(name="CSAPA", kind="other")
    return {
        "materials": list(Material.objects.filter(active=True)[:2]),
        "themes": list(Theme.objects.filter(active=True)[:2]),
        "mediation_themes": list(MediationTheme.objects.filter(active=True)[:2]),
        "zone": Zone.objects.first(),
        "procedure_theme": ProcedureTheme.objects.first(),
        "acts": list(Act.objects.filter(needs_result=False)[:2]),
        "nurse_line": ServiceLine.objects.get(slug="nurse"),
        "partner": partner,
    }


def _contact(world: World, person, session=None, **kwargs) -> Contact:
    contact = ContactFactory(person=person, session=session, author=world.educator, **kwargs)
    contact.themes.set(world.refs["themes"])
    for material in world.refs["materials"]:
        ContactMaterialFactory(contact=contact, material=material, quantity=2)
    return contact


def _consultation(world: World, person, **kwargs):
    consultation = ConsultationFactory(person=person, author=world.nurse, **kwargs)
    for act in world.refs["acts"]:
        ConsultationActFactory(consultation=consultation, act=act)
    return consultation


def add_batch(world: World) -> None:
    """One unit of data: 1x is one batch, 10x ten of them."""
    world.batches += 1
    n = world.batches
    today = timezone.localdate()
    refs = world.refs
    educator, nurse, minors_educator = world.educator, world.nurse, world.minors_educator

    # Persons met on a new round; the subject's contacts on the session under test.
    session = SessionFactory(created_by=educator, date=today - datetime.timedelta(days=n))
    others = [PersonFactory(nickname=f"Personne{n}x{i}") for i in range(3)]
    for person in others:
        _contact(world, person, session=session)
    for _ in range(3):
        _contact(world, world.subject, session=world.session)
    _contact(world, None, session=world.session, anonymous_gender="female")
    LegalIdentityFactory(person=others[0])
    duplicate = PersonFactory(nickname=f"Doublon{n}")
    _contact(world, duplicate)
    person_merge(kept=world.subject, duplicate=duplicate, by=educator)

    # Health: the subject's consultations, today's, this week's remote ones, those due.
    now = timezone.now()
    _consultation(world, world.subject, session=world.health_session, shared_note="Vu CSAPA")
    _consultation(
        world,
        world.subject,
        at=now - datetime.timedelta(days=20),
        next_appointment=today - datetime.timedelta(days=5),
    )
    for person in others:
        _consultation(world, person, at=now, modality=Modality.REMOTE)
    HealthSessionFactory(created_by=nurse, practitioner=nurse, date=today - datetime.timedelta(n))
    # Group sessions: the subject's, and the session under test's participants.
    GroupHealthSessionFactory(
        created_by=nurse, date=today - datetime.timedelta(n), participants=[world.subject]
    )
    world.health_session.participants.add(*others)
    workshop = WorkshopFactory(
        title=f"Atelier {n}", line=refs["nurse_line"], created_by=nurse, participants_count=3
    )
    workshop.participants.set(others)

    # Rights: procedures (the worker's own, the team's) and PSP files.
    for person, status in ((world.subject, "in_progress"), (others[1], "completed")):
        ProcedureFactory(
            person=person,
            theme=refs["procedure_theme"],
            request=f"Demande {n}",
            worker=educator,
            status=status,
            next_action="Relancer",
            next_action_due=today - datetime.timedelta(days=1),
            created_by=educator,
        )
    PSPFileFactory(person=world.subject, kind="first_request", worker=educator, created_by=educator)
    PSPFileFactory(
        person=others[1],
        kind="first_request",
        state="filed",
        filed_on=today,
        commission_date=today + datetime.timedelta(days=10),
        worker=educator,
        created_by=educator,
    )
    PSPFileFactory(
        person=others[2],
        kind="first_request",
        state="path",
        path_start=today - datetime.timedelta(days=150),
        path_end=today + datetime.timedelta(days=20),
        worker=educator,
        created_by=educator,
    )

    # Minors: open files with alerts (silent, turning 18, runaway), the subject's files.
    minors = [
        PersonFactory(nickname=f"Jeune{n}", birth_date=years_before(today, 16)),
        PersonFactory(
            nickname=f"Bientot{n}",
            birth_date=years_before(today + datetime.timedelta(days=10), 18),
        ),
    ]
    files = [
        MinorFileFactory(
            person=person,
            worker=minors_educator,
            created_by=minors_educator,
            first_meeting_place="outreach",
            opened_on=today - datetime.timedelta(days=100),
        )
        for person in [*minors, world.subject]
    ]
    RunawayFactory(file=files[0], start=today - datetime.timedelta(days=3))
    ReceivedReportFactory(description=f"Signalement {n}", author=minors_educator)
    ReceivedReportFactory(
        description=f"Signalement rattaché {n}",
        partner=refs["partner"],
        person=minors[0],
        linked_on=today,
        received_on=today - datetime.timedelta(days=2),
        author=minors_educator,
    )

    # The agenda: actions held by the educator or the team, a handover, a round's report.
    ActionFactory(person=world.subject, assignee=educator, author=educator, urgent=True)
    ActionFactory(person=others[0], assignee=None, team="outreach", author=educator)
    ActionFactory(person=others[1], domain="health", team="health", author=nurse)
    HandoverNoteFactory(author=educator, date=today, shift="evening")
    SessionFactory(created_by=educator, date=today, report=f"Compte rendu {n}")

    # Mediation, staff accounts and the access log.
    for _ in range(2):
        event = MediationEventFactory(
            date=today, place="Place", zone=refs["zone"], residents=2, author=educator
        )
        event.themes.set(refs["mediation_themes"])
    UserFactory(roles=["educator", "minors_team"])
    UserFactory(roles=["nurse"])
    for person in others:
        AccessLogEntry.objects.record(user=educator, action="read", target=person)


def _world(educator, nurse, minors_educator) -> World:
    world = World(educator=educator, nurse=nurse, minors_educator=minors_educator)
    world.refs = _refs()
    world.subject = PersonFactory(nickname="Sujet", uses_drugs=True, sex_work=True)
    LegalIdentityFactory(person=world.subject)
    world.session = SessionFactory(created_by=educator, date=timezone.localdate())
    world.health_session = HealthSessionFactory(
        created_by=nurse, practitioner=nurse, kind=HealthSession.Kind.WORKSHOP
    )
    return world


@pytest.fixture
def world(educator, nurse, minors_educator):
    return _world(educator, nurse, minors_educator)


def _person(name):
    return lambda w: reverse(name, args=[w.subject.code])


# (id, role fixture, method, url from the world, data, htmx)
PAGES = [
    ("person-list", "educator", "get", lambda w: reverse("contacts:person-list"), {}, False),
    ("person-search", "educator", "post", lambda w: reverse("contacts:person-list"), {"q": "p"}, False),
    ("person-search-htmx", "educator", "post", lambda w: reverse("contacts:person-list"), {"q": "p"}, True),
    ("person-detail", "educator", "get", _person("contacts:person-detail"), {}, False),
    ("person-contacts-panel", "educator", "get", _person("contacts:person-contacts-panel"), {}, False),
    ("person-health-panel-nurse", "nurse", "get", _person("health:person-panel"), {}, False),
    ("person-health-panel-educator", "educator", "get", _person("health:person-panel"), {}, False),
    ("person-rights-panel", "educator", "get", _person("rights:person-panel"), {}, False),
    ("person-minors-panel", "minors_educator", "get", _person("minors:person-panel"), {}, False),
    ("session-list", "educator", "get", lambda w: reverse("contacts:session-list"), {}, False),
    ("session-detail", "educator", "get", lambda w: reverse("contacts:session-detail", args=[w.session.pk]), {}, False),
    ("mediation-list", "educator", "get", lambda w: reverse("contacts:mediation-list"), {}, False),
    ("procedure-list", "educator", "get", lambda w: reverse("rights:procedure-list"), {}, False),
    ("procedure-list-team", "educator", "get", lambda w: reverse("rights:procedure-list"), {"team": "1"}, False),
    ("psp-list", "educator", "get", lambda w: reverse("rights:psp-list"), {}, False),
    ("health-home", "nurse", "get", lambda w: reverse("health:home"), {}, False),
    ("health-session-list", "nurse", "get", lambda w: reverse("health:session-list"), {}, False),
    ("health-session-detail", "nurse", "get", lambda w: reverse("health:session-detail", args=[w.health_session.pk]), {}, False),
    ("workshop-list", "nurse", "get", lambda w: reverse("health:workshop-list"), {}, False),
    ("minors-home", "minors_educator", "get", lambda w: reverse("minors:home"), {}, False),
    ("minors-report-list", "minors_educator", "get", lambda w: reverse("minors:report-list"), {}, False),
    ("staff-list", "admin_user", "get", lambda w: reverse("staff-list"), {"show": "all"}, False),
    ("access-log", "director", "get", lambda w: reverse("access-log"), {}, False),
    ("my-day", "educator", "get", lambda w: reverse("agenda:my-day"), {}, False),
    ("my-day-team", "educator", "get", lambda w: reverse("agenda:my-day"), {"vue": "equipe"}, False),
    ("my-day-nurse", "nurse", "get", lambda w: reverse("agenda:my-day"), {}, False),
    ("my-day-minors", "minors_educator", "get", lambda w: reverse("agenda:my-day"), {}, False),
    ("week-team", "educator", "get", lambda w: reverse("agenda:week"), {"vue": "equipe"}, False),
    ("handover", "educator", "get", lambda w: reverse("agenda:handover"), {}, False),
    ("person-agenda-panel", "educator", "get", _person("agenda:person-panel"), {}, False),
]  # fmt: skip


# The roles of the conftest fixtures of the same names.
ROLE_ACCOUNTS = {
    "educator": ["educator"],
    "nurse": ["nurse"],
    "minors_educator": ["educator", "minors_team"],
    "admin_user": ["administrator"],
    "director": ["director"],
}


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker):
    """Every page's queries at 1x, then at 10x, on one world built once for the module.

    Each page is opened once to fill the caches (content types, reference lists), then
    counted at 1x; the nine more batches are added once, and each page counted again.
    """
    from django.test import Client

    with built_once(django_db_blocker):
        users = {
            name: UserFactory(roles=roles, username=f"budget-{name}")
            for name, roles in ROLE_ACCOUNTS.items()
        }
        world = _world(users["educator"], users["nurse"], users["minors_educator"])
        clients = {}
        for page_id, role, *_rest in PAGES:
            clients[page_id] = Client()
            clients[page_id].force_login(users[role])

        def open_page(page_id, method, url, data, htmx):
            headers = {"HX-Request": "true"} if htmx else {}
            response = getattr(clients[page_id], method)(url(world), data, headers=headers)
            assert response.status_code == 200, (page_id, response.status_code)

        def count(page_id, *page):
            with CaptureQueriesContext(connection) as captured:
                open_page(page_id, *page)
            return [query["sql"] for query in captured.captured_queries]

        found, failed = {page[0]: [] for page in PAGES}, {}
        while world.batches < BATCHES_1X:
            add_batch(world)
        for page_id, _role, *page in PAGES:
            try:
                open_page(page_id, *page)
                found[page_id].append(count(page_id, *page))
            except Exception as error:  # raised again by the page's own test
                failed[page_id] = error
        while world.batches < BATCHES_10X:
            add_batch(world)
        for page_id, _role, *page in PAGES:
            if page_id not in failed:
                try:
                    found[page_id].append(count(page_id, *page))
                except Exception as error:
                    failed[page_id] = error
        yield found, failed


@pytest.mark.parametrize("page_id", [page[0] for page in PAGES])
def test_page_runs_the_same_number_of_queries_at_10x_data(request, counts, page_id):
    found, failed = counts
    if page_id in failed:
        raise failed[page_id]
    at_1x, at_10x = found[page_id]
    request.node.user_properties.append(("queries_1x", len(at_1x)))
    request.node.user_properties.append(("queries_10x", len(at_10x)))
    assert len(at_10x) <= len(at_1x), "\n".join(
        [f"{len(at_10x)} queries at 10x, {len(at_1x)} at 1x:", *at_10x]
    )


def test_the_same_pages_are_refused_to_an_account_without_roles(world, client, make_user):
    add_batch(world)
    client.force_login(make_user(username="noroles"))
    for page_id, _role, method, url, data, *_rest in PAGES:
        response = getattr(client, method)(url(world), data)
        assert response.status_code == 403, page_id

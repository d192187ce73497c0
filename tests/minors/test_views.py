import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import years_before
from entractes.models import AccessLogEntry
from minors.models import (
    MinorFile,
    PartnerExchange,
    ReceivedReport,
    Runaway,
    SafeguardingReport,
    SchoolSession,
)
from tests.factories import (
    ContactFactory,
    MinorFileFactory,
    PersonFactory,
    ReceivedReportFactory,
    RunawayFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def young(educator):
    return PersonFactory(nickname="Coralie", birth_date=years_before(timezone.localdate(), 16))


@pytest.fixture
def minor_file(young, minors_educator):
    return MinorFileFactory(
        person=young,
        worker=minors_educator,
        first_meeting_place="online",
        opened_on=timezone.localdate() - datetime.timedelta(days=100),
    )


def all_pages(minor_file):
    runaway = RunawayFactory(file=minor_file, start=minor_file.opened_on)
    report = ReceivedReportFactory(description="x", author=minor_file.worker)
    get = [
        reverse("minors:home"),
        reverse("minors:file-create"),
        reverse("minors:file-detail", args=[minor_file.pk]),
        reverse("minors:file-edit", args=[minor_file.pk]),
        reverse("minors:report-list"),
        reverse("minors:training"),
        reverse("minors:training-add", args=["school"]),
    ]
    post = [
        reverse("minors:file-add", args=[minor_file.pk, "runaway"]),
        reverse("minors:period-end", args=[minor_file.pk, "runaway", runaway.pk]),
        reverse("minors:report-link", args=[report.pk]),
    ]
    return get, post


@pytest.mark.parametrize(
    "role",
    [
        "educator",
        "online_worker",
        "nurse",
        "doctor",
        "midwife",
        "partner_practitioner",
        "peer_volunteer",
        "administrator",
    ],
)
def test_roles_without_the_minors_permission_get_403_everywhere(
    client, make_user, minor_file, role
):
    get, post = all_pages(minor_file)
    client.force_login(make_user(role))
    for url in get:
        assert client.get(url).status_code == 403, url
    for url in post:
        assert client.post(url).status_code == 403, url
    panel = client.get(reverse("minors:person-panel", args=[minor_file.person.code]))
    assert "Dossier ouvert" not in panel.content.decode()


def test_reads_are_logged(client, minors_educator, minor_file):
    client.force_login(minors_educator)
    client.get(reverse("minors:file-detail", args=[minor_file.pk]))
    client.get(reverse("minors:home"))
    actions = set(AccessLogEntry.objects.values_list("target_type", "action"))
    assert ("minors.minorfile", "read") in actions
    assert ("url", "read") in actions


def test_refused_reads_are_logged(client, educator, minor_file):
    client.force_login(educator)
    client.get(reverse("minors:file-detail", args=[minor_file.pk]))
    assert AccessLogEntry.objects.filter(action="refused", user=educator).exists()


def test_closing_before_opening_is_refused(client, minors_educator, minor_file):
    client.force_login(minors_educator)
    response = client.post(
        reverse("minors:file-edit", args=[minor_file.pk]),
        {
            "person": minor_file.person.code,
            "opened_on": "2024-05-01",
            "worker": minors_educator.pk,
            "first_meeting_place": "online",
            "closed_on": "2024-04-01",
            "close_reason": "moved",
        },
    )
    assert (
        "avant d&#x27;avoir été ouvert" in response.content.decode()
        or "avant d'avoir été ouvert" in response.content.decode()
    )
    assert MinorFile.objects.get().closed_on is None


def test_runaway_ending_before_it_starts_is_refused(client, minors_educator, minor_file):
    client.force_login(minors_educator)
    response = client.post(
        reverse("minors:file-add", args=[minor_file.pk, "runaway"]),
        {
            "runaway-start": "2024-05-10",
            "runaway-end": "2024-05-01",
            "runaway-housed_by": "friends",
            "runaway-housed_where": "flat",
        },
    )
    assert "La fin ne peut pas précéder le début" in response.content.decode()
    assert not Runaway.objects.exists()


def test_school_session_with_more_boys_and_girls_than_pupils_is_refused(client, minors_educator):
    client.force_login(minors_educator)
    response = client.post(
        reverse("minors:training-add", args=["school"]),
        {"school": "Collège", "date": "2023-03-01", "pupils": "20", "boys": "12", "girls": "10"},
    )
    assert (
        "dépassent le nombre d&#x27;élèves" in response.content.decode()
        or "dépassent le nombre d'élèves" in response.content.decode()
    )
    assert not SchoolSession.objects.exists()


def test_file_is_for_persons_under_21(client, minors_educator):
    adult = PersonFactory(birth_year=1980)
    client.force_login(minors_educator)
    response = client.post(
        reverse("minors:file-create"),
        {
            "person": adult.code,
            "opened_on": "2023-01-05",
            "worker": minors_educator.pk,
            "first_meeting_place": "outreach",
        },
    )
    assert "moins de 21 ans" in response.content.decode()
    assert not MinorFile.objects.exists()


def test_reported_minor_later_met_is_linked(client, minors_educator, young):
    client.force_login(minors_educator)
    client.post(
        reverse("minors:report-list"),
        {"received_on": "2023-03-01", "from_whom": "MECS", "description": "Lina, 15 ans"},
    )
    report = ReceivedReport.objects.get()
    client.post(
        reverse("minors:report-link", args=[report.pk]),
        {"person": young.code, "linked_on": "2023-04-01"},
    )
    report.refresh_from_db()
    assert (report.person, report.linked_on) == (young, D(2023, 4, 1))


def test_alerts_list_silence_birthdays_and_open_runaways(client, minors_educator, minor_file):
    today = timezone.localdate()
    soon18 = PersonFactory(
        nickname="Soon", birth_date=years_before(today + datetime.timedelta(days=10), 18)
    )
    MinorFileFactory(person=soon18, worker=minors_educator, first_meeting_place="outreach")
    ContactFactory(person=soon18, author=minors_educator)
    RunawayFactory(file=minor_file, start=today - datetime.timedelta(days=3))
    client.force_login(minors_educator)
    alerts = client.get(reverse("minors:home")).context["alerts"]
    assert [f.person for f in alerts["silent"]] == [minor_file.person]
    assert [f.person for f in alerts["turning_18"]] == [soon18]
    assert alerts["runaways"].count() == 1


@pytest.mark.parametrize(
    ("kind", "model", "data"),
    [
        (
            "safeguarding",
            SafeguardingReport,
            {"kind": "signalement", "date": "2024-03-01", "to_whom": "Procureur", "grounds": "x"},
        ),
        ("exchange", PartnerExchange, {"date": "2024-03-01", "note": "Appel à l'ASE"}),
    ],
)
def test_safeguarding_reports_and_exchanges_are_recorded_with_their_author(
    client, minors_educator, minor_file, kind, model, data
):
    client.force_login(minors_educator)
    url = reverse("minors:file-add", args=[minor_file.pk, kind])
    response = client.post(url, {f"{kind}-{k}": v for k, v in data.items()})
    assert response.status_code == 302
    record = model.objects.get(file=minor_file)
    assert record.author == minors_educator


def test_a_wrong_role_cannot_record_a_safeguarding_report(client, educator, minor_file):
    client.force_login(educator)
    url = reverse("minors:file-add", args=[minor_file.pk, "safeguarding"])
    assert client.post(url, {"safeguarding-kind": "signalement"}).status_code == 403
    assert not SafeguardingReport.objects.exists()

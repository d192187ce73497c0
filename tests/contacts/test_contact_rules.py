"""A contact without a person and without an estimated gender, or dated in the future,
is refused by the pages and by the services alike: the field named in French, what was
typed kept, nothing written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from contacts import services
from contacts.models import Channel, Contact, Session
from tests.factories import ContactFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db

GENDER_MISSING = "indiquez le genre estimé"
FUTURE = "ne peut pas être daté dans le futur"


def channel(slug="drop_in"):
    return Channel.objects.get(slug=slug)


def sheet_data(rows):
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": "0",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"form-{index}-{key}"] = value
    return data


@pytest.fixture
def past_session(educator):
    return SessionFactory(
        kind="night_round",
        date=timezone.localdate() - datetime.timedelta(days=5),
        start_time=datetime.time(18),
        created_by=educator,
    )


def test_sheet_row_anonymous_without_gender_is_refused_and_nothing_written(
    login, educator, past_session
):
    rows = [
        {"channel": str(channel("mobile_unit").pk), "anonymous_gender": "female"},
        {"channel": str(channel("mobile_unit").pk), "note": "Sans genre", "qty_male_condom": "4"},
    ]
    response = login(educator).post(
        reverse("contacts:round-sheet", args=[past_session.pk]), sheet_data(rows)
    )
    assert response.status_code == 200
    assert Contact.all_objects.count() == 0
    body = response.content.decode()
    assert "Ligne 2, Genre estimé" in body
    assert GENDER_MISSING in body
    assert 'value="Sans genre"' in body  # what was typed is kept


def test_sheet_row_with_unknown_gender_counts_as_chosen(login, educator, past_session):
    rows = [{"channel": str(channel("mobile_unit").pk), "anonymous_gender": "unknown"}]
    response = login(educator).post(
        reverse("contacts:round-sheet", args=[past_session.pk]), sheet_data(rows)
    )
    assert response.status_code == 302
    assert Contact.objects.get().anonymous_gender == "unknown"


def test_sheet_row_with_a_time_still_to_come_is_refused(login, educator):
    now = timezone.localtime()
    if now.hour >= 22:  # a later hour must exist on the same day
        pytest.skip("too late in the day for an hour still to come")
    session = SessionFactory(kind="drop_in", date=now.date(), created_by=educator)
    later = (now + datetime.timedelta(hours=1, minutes=30)).strftime("%H:%M")
    rows = [
        {"channel": str(channel().pk), "anonymous_gender": "male", "time": later},
    ]
    response = login(educator).post(
        reverse("contacts:round-sheet", args=[session.pk]), sheet_data(rows)
    )
    assert response.status_code == 200
    assert "Ligne 1, Heure" in response.content.decode()
    assert not Contact.all_objects.exists()


def test_sheet_row_without_time_on_a_session_of_today_is_not_dated_later_than_now(login, educator):
    session = SessionFactory(
        kind="drop_in",
        date=timezone.localdate(),
        start_time=datetime.time(23, 59),
        created_by=educator,
    )
    rows = [{"channel": str(channel().pk), "anonymous_gender": "male"}]
    response = login(educator).post(
        reverse("contacts:round-sheet", args=[session.pk]), sheet_data(rows)
    )
    assert response.status_code == 302
    assert Contact.objects.get().occurred_at <= timezone.now()


@pytest.mark.parametrize(
    ("day", "field_error"),
    [
        ((timezone.localdate() + datetime.timedelta(days=1)).isoformat(), FUTURE),
        ("2026-02-30", "Saisissez une date valide"),
        ("", "Indiquez la date du contact"),
    ],
)
def test_single_contact_with_a_future_or_impossible_day_is_refused_keeping_it(
    login, online_worker, day, field_error
):
    person = PersonFactory()
    response = login(online_worker).post(
        reverse("contacts:contact-create"),
        {"person": person.code, "channel": str(channel("phone").pk), "day": day, "note": "Appel"},
    )
    assert response.status_code == 200
    assert not Contact.all_objects.exists()
    body = response.content.decode()
    assert field_error in body
    assert response.context["form"].errors["day"]
    assert f'value="{day}"' in body or not day
    assert 'value="Appel"' in body


def test_single_contact_today_at_an_hour_to_come_is_refused(login, online_worker):
    now = timezone.localtime()
    if now.hour >= 22:
        pytest.skip("too late in the day for an hour still to come")
    later = (now + datetime.timedelta(hours=1, minutes=30)).strftime("%H:%M")
    response = login(online_worker).post(
        reverse("contacts:contact-create"),
        {
            "person": PersonFactory().code,
            "channel": str(channel("phone").pk),
            "day": now.date().isoformat(),
            "time": later,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["time"]
    assert not Contact.all_objects.exists()


def test_single_anonymous_contact_without_gender_is_refused(login, online_worker):
    response = login(online_worker).post(
        reverse("contacts:contact-create"),
        {"channel": str(channel("post").pk), "day": "2026-01-05", "qty_male_condom": "20"},
    )
    assert response.status_code == 200
    assert GENDER_MISSING in response.content.decode()
    assert not Contact.all_objects.exists()


def test_correcting_a_contact_to_a_future_day_changes_nothing(login, educator):
    contact = ContactFactory(author=educator, note="Avant")
    before = contact.occurred_at
    url = reverse("contacts:contact-edit", args=[contact.pk])
    client = login(educator)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url,
        {
            "seen": client.get(url).context["seen"],
            "person": contact.person.code,
            "channel": str(channel().pk),
            "day": tomorrow,
            "note": "Après",
        },
    )
    assert response.status_code == 200
    assert FUTURE in response.content.decode()
    contact.refresh_from_db()
    assert (contact.occurred_at, contact.note) == (before, "Avant")


def test_correcting_a_session_contact_applies_the_time_typed(login, educator, past_session):
    contact = ContactFactory(
        author=educator, session=past_session, occurred_at=past_session.moment(None)
    )
    url = reverse("contacts:contact-edit", args=[contact.pk])
    client = login(educator)
    response = client.post(
        url,
        {
            "seen": client.get(url).context["seen"],
            "person": contact.person.code,
            "channel": str(channel().pk),
            "time": "01:15",
        },
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    moment = timezone.localtime(contact.occurred_at)
    assert (moment.date(), moment.time()) == (
        past_session.date + datetime.timedelta(days=1),
        datetime.time(1, 15),
    )
    assert contact.day == past_session.date


def test_session_dated_tomorrow_is_refused(login, educator):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(educator).post(
        reverse("contacts:session-create"),
        {"kind": "drop_in", "date": tomorrow.isoformat(), "report": "Prévu"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    assert not Session.objects.exists()


# --- The services, as the importer calls them ----------------------------------------


def test_service_refuses_an_anonymous_contact_without_gender(educator):
    with pytest.raises(ValidationError) as refused:
        services.contact_save(
            row={"person": None, "channel": channel()},
            by=educator,
            occurred_at=timezone.now() - datetime.timedelta(days=1),
        )
    assert "anonymous_gender" in refused.value.message_dict
    assert not Contact.all_objects.exists()


def test_service_refuses_a_contact_dated_in_the_future(educator):
    with pytest.raises(ValidationError) as refused:
        services.contact_save(
            row={"person": PersonFactory(), "channel": channel()},
            by=educator,
            occurred_at=timezone.now() + datetime.timedelta(hours=2),
        )
    assert "occurred_at" in refused.value.message_dict
    assert FUTURE in " ".join(refused.value.message_dict["occurred_at"])
    assert not Contact.all_objects.exists()


def test_service_allows_a_few_minutes_of_clock_drift(educator):
    contact = services.contact_save(
        row={"person": PersonFactory(), "channel": channel()},
        by=educator,
        occurred_at=timezone.now() + datetime.timedelta(minutes=2),
    )
    assert contact.pk


def test_service_refuses_a_session_dated_in_the_future(educator):
    with pytest.raises(ValidationError) as refused:
        services.session_create(
            data={"kind": "drop_in", "date": timezone.localdate() + datetime.timedelta(days=1)},
            by=educator,
        )
    assert "date" in refused.value.message_dict
    assert not Session.objects.exists()


def test_round_sheet_service_writes_no_row_when_one_is_refused(educator, past_session):
    rows = [
        {"person": None, "anonymous_gender": "female", "channel": channel()},
        {"person": None, "anonymous_gender": "", "channel": channel()},
    ]
    with pytest.raises(ValidationError) as refused:
        services.round_sheet_save(session=past_session, rows=rows, by=educator)
    assert "anonymous_gender" in refused.value.message_dict
    assert not Contact.all_objects.exists()

"""The round sheet's sends from a phone (contacts:round-sheet-send): JSON in, JSON out,
each contact saved on its own, never twice for one device id."""

import datetime
import json
import threading
import uuid

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from contacts.matching import resolve
from contacts.models import Channel, Contact, Person, sound_key
from contacts.views_round_send import MAX_CONTACTS
from tests.factories import PartnerFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def night_round(educator):
    return SessionFactory(
        kind="night_round",
        date=timezone.localdate() - datetime.timedelta(days=2),
        start_time=datetime.time(18),
        end_time=datetime.time(2),
        created_by=educator,
    )


def url(session):
    return reverse("contacts:round-sheet-send", args=[session.pk])


def contact(**fields):
    return {"device_id": str(uuid.uuid4()), "anonymous_gender": "female", **fields}


def send(client, session, contacts, **extra):
    return client.post(
        url(session),
        json.dumps({"contacts": contacts}),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        **extra,
    )


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Matching ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "names",
    [
        ("Aisha", "Aïcha", "Aicha", "AÏCHA", "aysha"),
        ("Mohamed", "Mohammed", "Muhammad", "Mouhamed"),
        ("Sofia", "Sophia"),
        ("Omar", "Oumar"),
        ("Walid", "Oualid"),
        ("Christine", "Kristine"),
        ("Inès", "Ines"),
    ],
)
def test_names_said_alike_have_one_sound(names):
    assert len({sound_key(name) for name in names}) == 1, [sound_key(n) for n in names]


@pytest.mark.parametrize(("one", "other"), [("Sofia", "Safia"), ("Zora", "Sara"), ("Ina", "Inès")])
def test_names_said_differently_keep_apart(one, other):
    assert sound_key(one) != sound_key(other)


def test_the_sound_is_kept_with_the_nickname():
    person = PersonFactory(nickname="Aïcha")
    assert person.nickname_sound == sound_key("Aisha")
    person.nickname = "Sophia"
    person.save()
    assert Person.objects.get(pk=person.pk).nickname_sound == sound_key("Sofia")


def test_resolve_forgives_accents_case_and_spelling(educator):
    aicha = PersonFactory(nickname="Aïcha")
    for typed in ("Aisha", "Aïcha", "Aicha", "AÏCHA"):
        found = resolve(typed, educator)
        assert (found.kind, found.person) == ("one", aicha), typed
    assert resolve("Zora", educator).kind == "none"


def test_resolve_by_code_then_several_then_only_visible_current_persons(educator, partner):
    aicha, aisha = PersonFactory(nickname="Aïcha"), PersonFactory(nickname="Aisha")
    found = resolve(aicha.code.replace("-", "").lower(), educator)
    assert (found.kind, found.person) == ("code", aicha)
    found = resolve("aicha", educator)
    assert found.kind == "several" and found.person is None
    assert found.persons == [aicha, aisha]  # the one spelt alike first
    # A partner practitioner reaches nobody here.
    assert resolve("aicha", partner).kind == "none"
    assert resolve(aicha.code, partner).kind == "none"
    # A merged-away duplicate is not offered; its code leads to the person kept.
    from contacts.services import person_merge

    person_merge(kept=aicha, duplicate=aisha, by=educator)
    assert resolve("aicha", educator).persons == [aicha]
    assert resolve(aisha.code, educator).person == aicha


def test_suggestions_find_a_name_said_alike(client, educator):
    aicha = PersonFactory(nickname="Aïcha")
    mohamed = PersonFactory(nickname="Mohamed")
    PersonFactory(nickname="Zora")
    client.force_login(educator)
    body = client.post(reverse("contacts:person-suggest"), {"q": "Aisha"}).content.decode()
    assert aicha.code in body and "Zora" not in body
    body = client.post(reverse("contacts:person-suggest"), {"q": "Muhammad"}).content.decode()
    assert mohamed.code in body


# --- Sending ----------------------------------------------------------------------------


def test_an_anonymous_contact_is_saved_with_the_sessions_defaults(client, educator, night_round):
    client.force_login(educator)
    sent = contact(
        anonymous_age_category="adult",
        caarud=True,
        time="00:30",
        material={"male_condom": 10, "lubricant_gel": 2},
        note="RAS",
    )
    [result] = results(send(client, night_round, [sent]))
    assert result["status"] == "saved" and result["device_id"] == sent["device_id"]
    saved = Contact.objects.get(pk=result["contact"])
    assert str(saved.device_id) == sent["device_id"]
    assert (saved.session, saved.author, saved.channel.slug) == (
        night_round,
        educator,
        "mobile_unit",
    )
    assert (saved.anonymous_gender, saved.anonymous_age_category, saved.caarud, saved.note) == (
        "female",
        "adult",
        True,
        "RAS",
    )
    # Past midnight on a night round: the next day, counted on the round's day.
    local = timezone.localtime(saved.occurred_at)
    assert (local.date(), local.time()) == (
        night_round.date + datetime.timedelta(days=1),
        datetime.time(0, 30),
    )
    assert saved.day == night_round.date
    assert {(m.material.slug, m.quantity) for m in saved.material_lines.all()} == {
        ("male_condom", 10),
        ("lubricant_gel", 2),
    }
    # Written in the change history with its author, as every contact.
    entry = LogEntry.objects.get_for_object(saved).get()
    assert entry.actor == educator


def test_reference_slugs_and_partners_are_read(client, educator, night_round):
    from contacts.models import Service, Theme

    theme, service = Theme.objects.filter(active=True)[0], Service.objects.filter(active=True)[0]
    partner = PartnerFactory(name="CSAPA du Port")
    client.force_login(educator)
    sent = contact(
        channel="street", themes=[theme.slug], services=[service.slug], referrals=["csapa du port"]
    )
    [result] = results(send(client, night_round, [sent]))
    saved = Contact.objects.get(pk=result["contact"])
    assert saved.channel == Channel.objects.get(slug="street")
    assert list(saved.themes.all()) == [theme] and list(saved.services.all()) == [service]
    assert list(saved.referrals.all()) == [partner]


def test_a_contact_sent_again_is_already_there(client, educator, night_round):
    client.force_login(educator)
    sent = contact()
    [first] = results(send(client, night_round, [sent]))
    [again] = results(send(client, night_round, [sent]))
    assert first["status"] == "saved"
    assert again == {
        "device_id": sent["device_id"],
        "status": "already",
        "contact": first["contact"],
    }
    assert Contact.objects.filter(session=night_round).count() == 1


def test_five_contacts_sent_three_times_are_five_contacts(client, educator, night_round):
    aicha = PersonFactory(nickname="Aïcha")
    client.force_login(educator)
    sent = [contact(material={"male_condom": n}) for n in range(1, 5)]
    sent.append({"device_id": str(uuid.uuid4()), "person": "Aisha"})
    statuses = [[r["status"] for r in results(send(client, night_round, sent))] for _ in range(3)]
    assert statuses == [["saved"] * 5, ["already"] * 5, ["already"] * 5]
    contacts = Contact.objects.filter(session=night_round)
    assert contacts.count() == 5
    assert contacts.filter(person=aicha).count() == 1


def test_several_persons_said_alike_are_offered_to_choose(client, educator, night_round):
    aicha, aisha = PersonFactory(nickname="Aïcha"), PersonFactory(nickname="Aisha")
    client.force_login(educator)
    sent = {"device_id": str(uuid.uuid4()), "person": "aicha"}
    [result] = results(send(client, night_round, [sent]))
    assert result["status"] == "choose"
    assert result["choices"] == [
        {"id": aicha.pk, "label": str(aicha)},
        {"id": aisha.pk, "label": str(aisha)},
    ]
    assert not Contact.objects.exists()
    # The one chosen is sent back by its id.
    [result] = results(send(client, night_round, [{**sent, "person_id": aisha.pk}]))
    assert result["status"] == "saved"
    assert Contact.objects.get(pk=result["contact"]).person == aisha


def test_a_person_by_code_or_the_one_said_alike_is_linked(client, educator, night_round):
    aicha, zora = PersonFactory(nickname="Aïcha"), PersonFactory(nickname="Zora")
    client.force_login(educator)
    sent = [
        {"device_id": str(uuid.uuid4()), "person": "AÏCHA"},
        {"device_id": str(uuid.uuid4()), "person": f" {zora.code.lower()} "},
    ]
    linked = [
        Contact.objects.get(pk=r["contact"]).person
        for r in results(send(client, night_round, sent))
    ]
    assert linked == [aicha, zora]
    assert Contact.objects.get(person=aicha).anonymous_gender == ""


def test_an_unknown_name_asks_to_create_or_choose(client, educator, night_round):
    PersonFactory(nickname="Sara")
    client.force_login(educator)
    [result] = results(
        send(client, night_round, [{"device_id": str(uuid.uuid4()), "person": "Zora"}])
    )
    assert result["status"] == "unknown"
    assert result["message"] == (
        "Aucune personne ne correspond à « Zora » : créez-la ou choisissez."
    )
    assert not Contact.objects.exists()


def test_a_refused_contact_names_its_field_and_loses_no_other(client, educator, night_round):
    client.force_login(educator)
    sent = [
        contact(),
        contact(anonymous_gender=""),
        contact(channel="pigeon", material={"male_condom": -1, "unicorn": 2}),
        contact(time="25:99"),
        {"device_id": str(uuid.uuid4()), "person_id": 999999},
        contact(),
    ]
    got = results(send(client, night_round, sent))
    assert [r["status"] for r in got] == [
        "saved",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "saved",
    ]
    assert [r["device_id"] for r in got] == [c["device_id"] for c in sent]
    assert got[1]["errors"] == {
        "anonymous_gender": [
            "Contact anonyme : indiquez le genre estimé (« Inconnu » s'il n'a pas pu être estimé)."
        ]
    }
    assert set(got[2]["errors"]) == {"channel", "material"}
    assert any("unicorn" in message for message in got[2]["errors"]["material"])
    assert list(got[3]["errors"]) == ["time"]
    assert list(got[4]["errors"]) == ["person"]
    assert Contact.objects.count() == 2


def test_a_time_still_to_come_is_refused(client, educator):
    today = SessionFactory(kind="drop_in", date=timezone.localdate(), start_time=None)
    client.force_login(educator)
    later = (timezone.localtime() + datetime.timedelta(hours=2)).strftime("%H:%M")
    if later < timezone.localtime().strftime("%H:%M"):
        pytest.skip("two hours from now is tomorrow")
    [result] = results(send(client, today, [contact(time=later)]))
    assert result["status"] == "invalid" and "time" in result["errors"]


def test_a_new_person_is_created_once_with_the_contact(client, educator, night_round):
    client.force_login(educator)
    sent = {
        "device_id": str(uuid.uuid4()),
        "new_person": {"nickname": "  Zora  ", "gender": "female", "birth_year": 1998},
    }
    got = [results(send(client, night_round, [sent]))[0] for _ in range(3)]
    assert [r["status"] for r in got] == ["saved", "already", "already"]
    zora = Person.objects.get()
    assert (zora.nickname, zora.gender, zora.birth_year, zora.created_by) == (
        "Zora",
        "female",
        1998,
        educator,
    )
    saved = Contact.objects.get()
    assert (saved.pk, saved.person, saved.anonymous_gender) == (got[0]["contact"], zora, "")


def test_a_new_person_refused_writes_nothing(client, educator, night_round):
    client.force_login(educator)
    sent = {"device_id": str(uuid.uuid4()), "new_person": {"nickname": " ", "birth_year": 1800}}
    [result] = results(send(client, night_round, [sent]))
    assert result["status"] == "invalid"
    assert {"new_person.nickname", "new_person.birth_year"} <= set(result["errors"])
    assert not Person.objects.exists() and not Contact.objects.exists()


def test_a_volunteer_sends_anonymous_contacts_only(client, volunteer, night_round):
    PersonFactory(nickname="Aïcha")
    client.force_login(volunteer)
    got = results(
        send(
            client,
            night_round,
            [
                contact(),
                {"device_id": str(uuid.uuid4()), "person": "Aïcha"},
                {"device_id": str(uuid.uuid4()), "new_person": {"nickname": "Zora"}},
            ],
        )
    )
    assert [r["status"] for r in got] == ["saved", "invalid", "invalid"]
    assert Contact.objects.get().person is None and not Person.objects.filter(nickname="Zora")


# --- Refusals, all in JSON --------------------------------------------------------------


def test_not_logged_in_answers_401_with_the_login_page(client, night_round):
    response = send(client, night_round, [contact()])
    assert response.status_code == 401
    sheet = reverse("contacts:round-sheet", args=[night_round.pk])
    assert response.json() == {"login": f"{reverse('login')}?next={sheet}"}
    assert not Contact.objects.exists()


def test_an_expired_session_answers_401(client, educator, night_round, settings):
    client.force_login(educator)
    session = client.session
    session["started_at"] = int(timezone.now().timestamp()) - settings.SESSION_MAX_SECONDS - 60
    session.save()
    response = send(client, night_round, [contact()])
    assert response.status_code == 401
    assert response.json()["login"].startswith(reverse("login"))
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("pending", "page"),
    [("second_factor", "otp-verify"), ("password_change", "password_change")],
)
def test_a_login_step_left_answers_401_naming_it(
    client, educator, night_round, settings, pending, page
):
    if pending == "second_factor":
        settings.OTP_REQUIRED = True
    else:
        educator.password_change_required = True
        educator.save()
    client.force_login(educator)
    response = send(client, night_round, [contact()])
    assert response.status_code == 401
    sheet = reverse("contacts:round-sheet", args=[night_round.pk])
    assert response.json() == {"login": f"{reverse(page)}?next={sheet}"}
    assert not Contact.objects.exists()


def test_a_refused_csrf_token_answers_403_json(educator, night_round):
    client = Client(enforce_csrf_checks=True)
    client.force_login(educator)
    response = send(client, night_round, [contact()])
    assert (response.status_code, response.json()) == (403, {"csrf": True})
    assert not Contact.objects.exists()
    # With the cookie's token read again, the send goes through.
    client.get(reverse("contacts:round-sheet", args=[night_round.pk]))
    token = client.cookies["csrftoken"].value
    assert (
        results(send(client, night_round, [contact()], HTTP_X_CSRFTOKEN=token))[0]["status"]
        == "saved"
    )


def test_other_pages_keep_the_french_csrf_page(educator, night_round):
    client = Client(enforce_csrf_checks=True)
    client.force_login(educator)
    response = client.post(reverse("contacts:round-sheet", args=[night_round.pk]), {})
    assert response.status_code == 403
    assert "Le formulaire n'a pas pu être envoyé" in response.content.decode()


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b'{"contacts": {}}',
        b'{"rows": []}',
        b'{"contacts": [1]}',
        b'{"contacts": [{"anonymous_gender": "female"}]}',
        b'{"contacts": [{"device_id": "not-a-uuid"}]}',
        b'{"contacts": [{"device_id": "6f1c2a4e-8b1d-4c1e-9a52-0d0f1e2a3b4c", "caarud": "yes"}]}',
        b'{"contacts": [{"device_id": "6f1c2a4e-8b1d-4c1e-9a52-0d0f1e2a3b4c", "material": {"x": "3"}}]}',
        b'{"contacts": [{"device_id": "6f1c2a4e-8b1d-4c1e-9a52-0d0f1e2a3b4c", "person_id": true}]}',
        b'{"contacts": [{"device_id": "6f1c2a4e-8b1d-4c1e-9a52-0d0f1e2a3b4c", "themes": [{}]}]}',
        b'{"contacts": [{"device_id": "6f1c2a4e-8b1d-4c1e-9a52-0d0f1e2a3b4c", "person": "a\\u0000"}]}',
        b'{"contacts": [{"device_id": "6f1c2a4e-8b1d-4c1e-9a52-0d0f1e2a3b4c", "new_person": {}}]}',
    ],
)
def test_a_body_of_another_shape_answers_400(client, educator, night_round, body):
    client.force_login(educator)
    response = client.post(url(night_round), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Contact.objects.exists()


def test_more_than_the_maximum_answers_400(client, educator, night_round):
    client.force_login(educator)
    response = send(client, night_round, [contact() for _ in range(MAX_CONTACTS + 1)])
    assert response.status_code == 400
    assert str(MAX_CONTACTS) in response.json()["error"]
    assert not Contact.objects.exists()
    assert len(results(send(client, night_round, [contact() for _ in range(MAX_CONTACTS)]))) == 50


def test_a_missing_session_or_a_role_without_contacts_answers_json(client, educator, partner):
    client.force_login(educator)
    response = client.post(
        reverse("contacts:round-sheet-send", args=[999999]),
        json.dumps({"contacts": []}),
        content_type="application/json",
    )
    assert response.status_code == 404 and "error" in response.json()
    session = SessionFactory()
    client.force_login(partner)
    response = send(client, session, [contact()])
    assert response.status_code == 403 and "error" in response.json()
    assert client.get(url(session)).status_code == 403


# --- Sends at the same moment -----------------------------------------------------------


@pytest.fixture(scope="module")
def database_as_found(django_db_setup, django_db_blocker):
    """Put back, after these transactional tests, what the database held before them:
    their flush also empties the reference lists the later tests need."""
    with django_db_blocker.unblock():
        found = connection.creation.serialize_db_to_string()
    yield
    with django_db_blocker.unblock():
        connection.creation.deserialize_db_from_string(found)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite writes one at a time: no race to lose"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("with_person", [False, True], ids=["anonymous", "new-person"])
def test_concurrent_sends_of_one_contact_write_it_once(
    database_as_found, educator, night_round, with_person
):
    sent = contact()
    if with_person:
        sent = {
            "device_id": sent["device_id"],
            "new_person": {"nickname": "Zora", "gender": "female"},
        }
    start = threading.Barrier(4)
    answers = []

    def post():
        client = Client()
        client.force_login(educator)
        start.wait()
        try:
            answers.append(results(send(client, night_round, [sent]))[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 4
    assert sorted(a["status"] for a in answers) == ["already", "already", "already", "saved"]
    assert Contact.objects.count() == 1
    assert {a["contact"] for a in answers} == {Contact.objects.get().pk}
    assert Person.objects.filter(nickname="Zora").count() == (1 if with_person else 0)

import datetime
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import (
    Channel,
    Contact,
    ContactMaterial,
    FollowerSnapshot,
    MediationEvent,
    OpeningSlot,
    Session,
)
from tests.factories import ContactFactory, PersonFactory, SessionFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


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


def channel_pk(slug):
    return str(Channel.objects.get(slug=slug).pk)


@pytest.fixture
def night_round(educator):
    return SessionFactory(
        kind="night_round",
        date=datetime.date(2026, 3, 3),
        start_time=datetime.time(18),
        end_time=datetime.time(2),
        created_by=educator,
    )


def test_round_sheet_of_30_rows_saves_in_one_request(
    login, educator, night_round, django_assert_max_num_queries
):
    known = [PersonFactory(nickname=f"Known{i}") for i in range(2)]
    rows = []
    for index in range(30):
        row = {
            "channel": channel_pk("mobile_unit"),
            "qty_male_condom": "10",
            "qty_lubricant_gel": "2",
        }
        if index < 2:
            row["person"] = known[index].code.lower()
        else:
            row["anonymous_gender"] = "female"
        if index % 3 == 0:
            row["caarud"] = "on"
            row["qty_crack_pipe"] = "1"
        if index == 5:
            row["time"] = "00:40"
        rows.append(row)
    client = login(educator)
    # A handful of queries per row (the contact, its history entry, its material), not one
    # per foreign key and relation.
    with django_assert_max_num_queries(30 * 5 + 10):
        response = client.post(
            reverse("contacts:round-sheet", args=[night_round.pk]), sheet_data(rows)
        )
    assert response.status_code == 302
    contacts = Contact.objects.filter(session=night_round)
    assert contacts.count() == 30
    assert contacts.filter(person__isnull=False).count() == 2
    assert contacts.filter(caarud=True).count() == 10
    assert set(contacts.values_list("day", flat=True)) == {night_round.date}
    after_midnight = timezone.localtime(contacts.get(occurred_at__hour__lt=12).occurred_at)
    assert after_midnight.date() == datetime.date(2026, 3, 4)
    lines = ContactMaterial.objects.filter(contact__session=night_round)
    assert sum(line.quantity for line in lines.filter(material__slug="male_condom")) == 300
    assert sum(line.quantity for line in lines.filter(material__slug="crack_pipe")) == 10


def test_sheet_with_one_bad_row_saves_nothing_and_names_row_and_field(login, educator, night_round):
    rows = [
        {"channel": channel_pk("mobile_unit"), "anonymous_gender": "male", "qty_male_condom": "5"}
        for _ in range(5)
    ]
    rows[3]["qty_male_condom"] = "-4"
    rows[1]["person"] = "ZZZ-999"
    response = login(educator).post(
        reverse("contacts:round-sheet", args=[night_round.pk]), sheet_data(rows)
    )
    assert response.status_code == 200
    assert Contact.objects.count() == 0
    body = response.content.decode()
    assert "Rien n&#x27;a été enregistré" in body or "Rien n'a été enregistré" in body
    assert "Ligne 4, Préservatif masculin" in body
    assert "Ligne 2, Personne (code)" in body
    assert "ZZZ-999" in body


def test_removed_rows_are_not_saved(login, educator, night_round):
    rows = [
        {"channel": channel_pk("mobile_unit"), "anonymous_gender": "male", "qty_male_condom": "5"}
        for _ in range(3)
    ]
    rows[1]["DELETE"] = "on"
    rows[1]["qty_male_condom"] = "-1"  # a removed row is not validated either
    response = login(educator).post(
        reverse("contacts:round-sheet", args=[night_round.pk]), sheet_data(rows)
    )
    assert response.status_code == 302
    assert Contact.objects.count() == 2


def test_rows_left_untouched_are_skipped(login, educator, night_round):
    rows = [
        {"channel": channel_pk("mobile_unit"), "anonymous_gender": "male", "qty_male_condom": "5"},
        {"channel": channel_pk("mobile_unit")},
    ]
    login(educator).post(reverse("contacts:round-sheet", args=[night_round.pk]), sheet_data(rows))
    assert Contact.objects.count() == 1


def test_empty_sheet_says_so(login, educator, night_round):
    response = login(educator).post(
        reverse("contacts:round-sheet", args=[night_round.pk]), sheet_data([])
    )
    assert "Ajoutez au moins un contact" in response.content.decode()


def test_sheet_offers_one_row_with_the_session_channel(login, educator, night_round):
    response = login(educator).get(reverse("contacts:round-sheet", args=[night_round.pk]))
    form = response.context["formset"].forms[0]
    assert form.initial["channel"].slug == "mobile_unit"
    assert 'id="empty-row"' in response.content.decode()


def test_peer_volunteer_logs_anonymous_contacts_and_material_but_opens_no_person_page(
    login, volunteer
):
    client = login(volunteer)
    response = client.post(
        reverse("contacts:session-create"),
        {"kind": "drop_in", "date": timezone.localdate().isoformat(), "start_time": "14:30"},
    )
    session = Session.objects.get()
    assert response["Location"] == reverse("contacts:round-sheet", args=[session.pk])
    page = client.get(response["Location"])
    assert "person" not in page.context["formset"].forms[0].fields
    rows = [
        {"channel": channel_pk("drop_in"), "anonymous_gender": "female", "qty_male_condom": "3"}
        for _ in range(3)
    ]
    rows[0]["person"] = PersonFactory().code  # ignored: no such field for a volunteer
    assert (
        client.post(
            reverse("contacts:round-sheet", args=[session.pk]), sheet_data(rows)
        ).status_code
        == 302
    )
    assert Contact.objects.filter(person__isnull=True).count() == 3
    assert ContactMaterial.objects.filter(material__slug="male_condom").count() == 3
    person = PersonFactory()
    assert client.get(reverse("contacts:person-detail", args=[person.code])).status_code == 403
    assert client.get(reverse("contacts:person-list")).status_code == 403
    assert client.post(reverse("contacts:person-suggest"), {"q": "sur"}).status_code == 403
    session_page = client.get(
        reverse("contacts:session-detail", args=[session.pk])
    ).content.decode()
    assert person.code not in session_page


def test_volunteer_cannot_correct_a_contact_with_a_known_person(login, volunteer, educator):
    contact = ContactFactory(author=educator)
    assert (
        login(volunteer).get(reverse("contacts:contact-edit", args=[contact.pk])).status_code == 404
    )


def test_single_contact_on_a_social_network(login, online_worker):
    person = PersonFactory(nickname="Coralie")
    response = login(online_worker).post(
        reverse("contacts:contact-create"),
        {
            "person": person.code,
            "channel": channel_pk("instagram"),
            "day": "2026-02-10",
            "time": "15:35",
            "themes": [],
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert (contact.person, contact.channel.slug, contact.day) == (
        person,
        "instagram",
        datetime.date(2026, 2, 10),
    )


def test_parcel_by_post_with_hiv_selftests(login, online_worker):
    login(online_worker).post(
        reverse("contacts:contact-create"),
        {
            "channel": channel_pk("post"),
            "anonymous_gender": "unknown",
            "qty_hiv_selftest": "1",
            "qty_male_condom": "20",
            "day": "2026-01-05",
        },
    )
    contact = Contact.objects.get()
    assert contact.is_anonymous
    assert {line.material.slug: line.quantity for line in contact.material_lines.all()} == {
        "hiv_selftest": 1,
        "male_condom": 20,
    }


def test_correcting_a_contact_replaces_its_material(login, educator):
    contact = ContactFactory(author=educator, material={"male_condom": 10})
    url = reverse("contacts:contact-edit", args=[contact.pk])
    login(educator).post(
        url,
        {
            "seen": login(educator).get(url).context["seen"],
            "person": contact.person.code,
            "channel": channel_pk("drop_in"),
            "qty_male_condom": "12",
            "day": "2026-01-05",
        },
    )
    assert [line.quantity for line in contact.material_lines.all()] == [12]


def test_autocomplete_finds_persons_by_post(login, educator):
    person = PersonFactory(nickname="Jessica")
    response = login(educator).post(reverse("contacts:person-suggest"), {"form-3-person": "jess"})
    assert f'value="{person.code}"' in response.content.decode()


def test_moving_a_session_moves_its_contacts_to_its_day(login, educator, night_round):
    ContactFactory(session=night_round, author=educator)
    url = reverse("contacts:session-edit", args=[night_round.pk])
    login(educator).post(
        url,
        {
            "seen": login(educator).get(url).context["seen"],
            "kind": "night_round",
            "date": "2026-03-05",
            "start_time": "18:00",
            "end_time": "02:00",
            "staff": [educator.pk],
        },
    )
    assert Contact.objects.get().day == datetime.date(2026, 3, 5)


@pytest.mark.parametrize(
    ("moment", "kind", "day"),
    [
        (
            datetime.datetime(2026, 11, 24, 18, 30, tzinfo=PARIS),
            "night_round",
            datetime.date(2026, 11, 24),
        ),  # Tuesday
        (
            datetime.datetime(2026, 11, 25, 0, 40, tzinfo=PARIS),
            "night_round",
            datetime.date(2026, 11, 24),
        ),  # past midnight
        (
            datetime.datetime(2026, 11, 26, 15, 0, tzinfo=PARIS),
            "drop_in",
            datetime.date(2026, 11, 26),
        ),  # Thursday
        (
            datetime.datetime(2026, 11, 25, 10, 15, tzinfo=PARIS),
            "breakfast_drop_in",
            datetime.date(2026, 11, 25),
        ),  # Wednesday
        (
            datetime.datetime(2026, 11, 23, 15, 0, tzinfo=PARIS),
            None,
            None,
        ),  # Monday: nothing regular
    ],
)
def test_new_session_form_proposes_the_regular_slot_that_fits_now(moment, kind, day):
    fitting = OpeningSlot.objects.fitting(moment)
    if kind is None:
        assert fitting is None
    else:
        slot, found_day = fitting
        assert (slot.kind, found_day) == (kind, day)


def test_follower_count_recorded_twice_a_day_keeps_the_last(login, online_worker):
    client = login(online_worker)
    data = {"channel": channel_pk("instagram"), "date": "2026-06-30", "followers": "150"}
    client.post(reverse("contacts:followers"), data)
    client.post(reverse("contacts:followers"), {**data, "followers": "155"})
    assert list(FollowerSnapshot.objects.values_list("followers", flat=True)) == [155]


def test_mediation_event_needs_people_met(login, educator):
    client = login(educator)
    response = client.post(
        reverse("contacts:mediation-create"), {"date": "2026-03-03", "place": "Rue X"}
    )
    assert "Indiquez combien" in response.content.decode()
    assert not MediationEvent.objects.exists()
    response = client.post(
        reverse("contacts:mediation-create"),
        {
            "date": "2026-03-03",
            "place": "Rue X",
            "residents": "2",
            "sex_workers": "3",
            "shopkeepers": "0",
            "local_youth": "0",
            "team": "0",
            "clients": "0",
            "other": "0",
        },
    )
    assert response.status_code == 302
    assert MediationEvent.objects.get().people_met == 5


def test_session_list_runs_a_fixed_number_of_queries(
    login, educator, django_assert_max_num_queries
):
    for _ in range(15):
        session = SessionFactory(created_by=educator)
        ContactFactory(session=session, author=educator)
    client = login(educator)
    with django_assert_max_num_queries(11):
        client.get(reverse("contacts:session-list"))


def test_person_page_lists_contacts_in_fixed_queries(
    login, educator, django_assert_max_num_queries
):
    person = PersonFactory()
    for _ in range(12):
        ContactFactory(person=person, author=educator, material={"male_condom": 2})
    client = login(educator)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("contacts:person-contacts-panel", args=[person.code]))
    assert response.content.decode().count("2 préservatifs masculins") == 12


@pytest.mark.parametrize("declared", [None, "100000"])
def test_sheet_of_more_rows_than_a_round_has_is_refused_and_saves_nothing(
    login, educator, night_round, declared
):
    from contacts.forms import ROUND_SHEET_MAX_ROWS

    rows = [{"channel": channel_pk("mobile_unit")} for _ in range(ROUND_SHEET_MAX_ROWS + 1)]
    data = sheet_data(rows)
    if declared:  # a forged count: only the declared number is huge
        data = {**sheet_data(rows[:3]), "form-TOTAL_FORMS": declared}
    response = login(educator).post(reverse("contacts:round-sheet", args=[night_round.pk]), data)
    assert response.status_code == 200
    assert f"au plus {ROUND_SHEET_MAX_ROWS} contacts" in response.content.decode()
    assert Contact.objects.count() == 0
    assert len(response.context["formset"].forms) <= ROUND_SHEET_MAX_ROWS


def test_sheet_of_the_largest_round_saves(login, educator, night_round):
    from contacts.forms import ROUND_SHEET_MAX_ROWS

    rows = [{"channel": channel_pk("mobile_unit")} for _ in range(ROUND_SHEET_MAX_ROWS)]
    for row in rows:
        row["qty_male_condom"] = "1"
        row["anonymous_gender"] = "female"
    response = login(educator).post(
        reverse("contacts:round-sheet", args=[night_round.pk]), sheet_data(rows)
    )
    assert response.status_code == 302
    assert Contact.objects.count() == ROUND_SHEET_MAX_ROWS


def test_a_full_sheet_with_every_field_posted_is_not_refused_for_its_size(
    login, educator, night_round
):
    from contacts.forms import ROUND_SHEET_MAX_ROWS
    from contacts.models import Material

    # As a browser posts it: every field of every row, a quantity box per material.
    row = {"channel": channel_pk("mobile_unit"), "person": "", "time": "", "caarud": "on"}
    row |= {"anonymous_gender": "unknown", "anonymous_age_category": ""}
    row |= {f"qty_{slug}": "1" for slug in Material.objects.values_list("slug", flat=True)}
    data = sheet_data([dict(row) for _ in range(ROUND_SHEET_MAX_ROWS)])
    assert len(data) > 1000  # Django's default limit
    response = login(educator).post(reverse("contacts:round-sheet", args=[night_round.pk]), data)
    assert response.status_code == 302
    assert Contact.objects.count() == ROUND_SHEET_MAX_ROWS

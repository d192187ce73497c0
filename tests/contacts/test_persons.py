import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from contacts.models import (
    AgeCategory,
    LegalIdentity,
    Person,
    generate_code,
    generate_codes,
    search_key,
)
from entractes.concurrency import fingerprint
from entractes.models import AccessLogEntry
from tests.factories import (
    ContactFactory,
    LanguageFactory,
    LegalIdentityFactory,
    PersonFactory,
    ProductFactory,
    ProstitutionModeFactory,
)

pytestmark = pytest.mark.django_db

VALID = {"nickname": "Bella", "gender": "female", "referral_source": "outreach"}


def create(client, **fields):
    return client.post(reverse("contacts:person-create"), {**VALID, **fields})


def test_person_created_with_generated_readable_code(login, educator):
    response = create(login(educator), birth_year="1995")
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person-detail", args=[person.code])
    assert len(person.code) == 7 and person.code[3] == "-"
    assert not set(person.code.replace("-", "")) & set("0O1IL2Z5S8B")
    assert person.created_by == educator


@pytest.mark.parametrize("year", ["1850", "2999", "abc"])
def test_invalid_birth_year_is_a_field_error_and_nothing_is_saved(login, educator, year):
    response = create(login(educator), birth_year=year)
    assert response.status_code == 200
    assert "birth_year" in response.context["form"].errors
    assert Person.all_objects.count() == 0


def test_future_birth_date_is_a_field_error_and_nothing_is_saved(login, educator):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = create(login(educator), birth_date=tomorrow.isoformat())
    errors = response.context["form"].errors
    assert "birth_date" in errors
    assert "futur" in errors["birth_date"][0]
    assert Person.all_objects.count() == 0


def test_duplicate_code_is_a_field_error_and_nothing_is_saved(login, educator):
    PersonFactory(code="ABC-123", nickname="Zoé")
    response = create(login(educator), code="abc-123", nickname="Autre")
    errors = response.context["form"].errors
    assert "code" in errors
    assert "déjà attribué" in errors["code"][0]
    assert Person.all_objects.count() == 1


def test_code_of_a_merged_pointer_cannot_be_reused(login, educator):
    kept, dup = PersonFactory(), PersonFactory(code="OLD-777")
    from contacts.services import person_merge

    person_merge(kept=kept, duplicate=dup, by=educator)
    response = create(login(educator), code="OLD-777", nickname="Nouvelle")
    assert "code" in response.context["form"].errors


def test_likely_duplicates_are_shown_before_saving(login, educator):
    existing = PersonFactory(nickname="Hélène", gender="female", birth_year=1990)
    client = login(educator)
    response = create(client, nickname="helene", birth_year="1991")
    assert response.status_code == 200
    assert list(response.context["duplicates"]) == [existing]
    assert existing.code in response.content.decode()
    assert Person.objects.count() == 1
    # Confirming that it is somebody else creates the record.
    response = create(
        client, nickname="helene", birth_year="1991", confirm_shown="1", confirm_new="on"
    )
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_search_by_part_of_code_or_nickname_ignores_case_and_accents(login, educator):
    a = PersonFactory(nickname="Précieuse", code="KMT-4QX")
    b = PersonFactory(nickname="Dora", code="HJA-777")
    client = login(educator)
    by_name = client.post(reverse("contacts:person-list"), {"q": "precieu"})
    assert list(by_name.context["page"]) == [a]
    by_code = client.post(reverse("contacts:person-list"), {"q": "ja-7"})
    assert list(by_code.context["page"]) == [b]


def test_search_by_htmx_returns_only_the_results_fragment(login, educator):
    PersonFactory(nickname="Dora")
    response = login(educator).post(
        reverse("contacts:person-list"), {"q": "dor"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "Dora" in body
    assert '<nav class="navbar' not in body


def test_list_filters_by_gender_category_and_activity(login, educator):
    today = timezone.localdate()
    minor = PersonFactory(gender="female", birth_year=today.year - 15, sex_work=True)
    PersonFactory(gender="male", birth_year=today.year - 40, uses_drugs=True)
    PersonFactory(gender="female", birth_year=today.year - 40, uses_drugs=True)
    client = login(educator)
    url = reverse("contacts:person-list")
    assert list(client.get(url, {"category": "minor"}).context["page"]) == [minor]
    assert len(client.get(url, {"gender": "female"}).context["page"]) == 2
    assert len(client.get(url, {"activity": "uses_drugs"}).context["page"]) == 2
    assert list(client.get(url, {"activity": "sex_work", "gender": "female"}).context["page"]) == [
        minor
    ]


def test_person_list_runs_a_fixed_number_of_queries(login, educator, django_assert_max_num_queries):
    for _ in range(30):
        ContactFactory(author=educator)
    client = login(educator)
    with django_assert_max_num_queries(11):
        client.get(reverse("contacts:person-list"))


def test_the_list_reads_the_last_contacts_of_its_page_only(login, educator):
    """The last contact is read for the persons shown, never aggregated over every
    person's history; an archived contact is not a last contact."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import contacts.views

    first, second = PersonFactory(nickname="Aline"), PersonFactory(nickname="Zoe")
    at = datetime.datetime(2024, 3, 5, 22, 0, tzinfo=timezone.get_current_timezone())
    ContactFactory(person=first, author=educator, occurred_at=at, day=at.date())
    later = ContactFactory(
        person=first, author=educator, occurred_at=at + datetime.timedelta(days=9)
    )
    later.archived_at = timezone.now()
    later.save()
    ContactFactory(person=second, author=educator)
    client = login(educator)
    page_size = contacts.views.PAGE_SIZE
    contacts.views.PAGE_SIZE = 1
    try:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("contacts:person-list"))
    finally:
        contacts.views.PAGE_SIZE = page_size
    assert [p.nickname for p in response.context["page"]] == ["Aline"]
    assert response.context["page"][0].last_contact == at
    reading_contacts = [
        q["sql"] for q in queries.captured_queries if "contacts_contact" in q["sql"]
    ]
    assert len(reading_contacts) == 1
    # Only the page's person is asked for, by its id.
    assert f"IN ({first.pk})" in reading_contacts[0].replace("'", "")
    assert "05/03/2024" in response.content.decode()


def test_legal_identity_never_in_list_or_search_even_for_allowed_role(login, educator):
    identity = LegalIdentityFactory(
        person=PersonFactory(nickname="Mira"), last_name="ZZMARKERNAME", first_names="ZZMARKERFIRST"
    )
    client = login(educator)
    pages = [
        client.get(reverse("contacts:person-list")),
        client.post(reverse("contacts:person-list"), {"q": "mira"}),
        client.post(
            reverse("contacts:person-list"), {"q": "ZZMARKER"}, headers={"HX-Request": "true"}
        ),
        client.post(reverse("contacts:person-list"), {"q": "mira"}, headers={"HX-Request": "true"}),
        client.get(reverse("contacts:person-detail", args=[identity.person.code])),
    ]
    for response in pages:
        body = response.content.decode()
        assert response.status_code == 200
        assert "ZZMARKER" not in body
    # Searching by the legal name finds nothing.
    assert len(pages[2].context["page"]) == 0


def test_identity_display_is_logged_and_sent_uncached(login, educator):
    identity = LegalIdentityFactory(last_name="ZZMARKERNAME")
    response = login(educator).get(reverse("contacts:identity-show", args=[identity.person.code]))
    assert "ZZMARKERNAME" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = AccessLogEntry.objects.get()
    assert (entry.user, entry.action, entry.target_id) == (
        educator,
        "read",
        str(identity.person.pk),
    )
    assert "ZZMARKER" not in str(entry.__dict__)


def test_identity_refused_to_health_staff_and_refusal_is_logged(login, nurse):
    identity = LegalIdentityFactory(last_name="ZZMARKERNAME")
    response = login(nurse).get(reverse("contacts:identity-show", args=[identity.person.code]))
    assert response.status_code == 403
    assert "ZZMARKER" not in response.content.decode()
    assert AccessLogEntry.objects.get().action == "refused"


def test_identity_is_entered_by_an_educator(login, educator):
    person = PersonFactory()
    response = login(educator).post(
        reverse("contacts:identity-edit", args=[person.code]),
        {"last_name": "Okafor", "first_names": "Blessing", "nationality": "nigériane"},
    )
    assert response["Location"] == reverse("contacts:person-detail", args=[person.code])
    assert LegalIdentity.objects.get(person=person).last_name == "Okafor"


def test_merge_moves_every_linked_record_and_distinct_count_is_unchanged(login, educator):
    kept = PersonFactory(nickname="Lola")
    duplicate = PersonFactory(nickname="Lolla")
    for person in (kept, kept, duplicate, duplicate, duplicate):
        ContactFactory(person=person, author=educator)
    LegalIdentityFactory(person=duplicate)

    def distinct_persons_met():
        return Person.objects.filter(contacts__isnull=False).distinct().count()

    client = login(educator)
    url = reverse("contacts:person-merge", args=[kept.code])
    client.post(url, {"duplicate_code": duplicate.code, "confirm": "1"})

    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert kept.contacts.count() == 5
    assert duplicate.contacts.count() == 0
    assert LegalIdentity.objects.get(person=kept).last_name == "Nomlegal"
    assert distinct_persons_met() == 1
    listed = client.get(reverse("contacts:person-list")).context["page"]
    assert list(listed) == [kept]
    # The pointer's page leads to the kept record.
    response = client.get(reverse("contacts:person-detail", args=[duplicate.code]))
    assert response["Location"] == reverse("contacts:person-detail", args=[kept.code])


def test_undoing_a_merge_restores_both_records(login, educator):
    kept, duplicate = PersonFactory(), PersonFactory()
    own = ContactFactory(person=kept, author=educator)
    theirs = [ContactFactory(person=duplicate, author=educator) for _ in range(2)]
    client = login(educator)
    client.post(
        reverse("contacts:person-merge", args=[kept.code]),
        {"duplicate_code": duplicate.code, "confirm": "1"},
    )
    merge = kept.merges_received.get()
    later = ContactFactory(person=kept, author=educator)

    response = client.post(reverse("contacts:merge-undo", args=[merge.pk]))
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert set(duplicate.contacts.all()) == set(theirs)
    assert set(kept.contacts.all()) == {own, later}
    assert Person.objects.count() == 2
    merge.refresh_from_db()
    assert merge.undone_by == educator


def test_merge_refuses_the_same_record_twice(login, educator):
    kept = PersonFactory()
    response = login(educator).post(
        reverse("contacts:person-merge", args=[kept.code]), {"duplicate_code": kept.code}
    )
    assert "duplicate_code" in response.context["form"].errors


def test_person_changes_are_kept_in_history(login, educator):
    client = login(educator)
    create(client, nickname="Nina", birth_year="1990")
    person = Person.objects.get()
    client.post(
        reverse("contacts:person-edit", args=[person.code]),
        {
            **VALID,
            "code": person.code,
            "nickname": "Ninette",
            "birth_year": "1990",
            "seen": fingerprint(person),
        },
    )
    response = client.get(reverse("casefile:person-history", args=[person.code]))
    entries = [line.entry for line in response.context["lines"] if line.label == "personne"]
    assert len(entries) == 2
    assert entries[0].actor == educator
    assert entries[0].changes_dict["nickname"] == ["Nina", "Ninette"]
    assert "Ninette" in response.content.decode()


def test_generated_codes_are_distinct():
    # Single draws may collide (one chance in a few hundred over 2 000 of them): codes
    # for several persons are drawn by generate_codes, which draws a collision again.
    codes = set(generate_codes(2000))
    assert len(codes) == 2000
    assert all(len(code) == 7 and code[3] == "-" for code in {generate_code() for _ in range(50)})


def test_search_key_drops_case_accents_and_punctuation():
    assert search_key("Hélène-Marie") == "helenemarie"


@settings(max_examples=60, deadline=None)
@given(
    birth=st.dates(min_value=datetime.date(1930, 1, 1), max_value=datetime.date(2025, 12, 31)),
    on=st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2026, 12, 31)),
    year_only=st.booleans(),
)
def test_age_category_in_database_matches_the_record_method(birth, on, year_only):
    person = Person.all_objects.create(
        code=generate_code(),
        nickname="X",
        gender="female",
        birth_date=None if year_only else birth,
        birth_year=birth.year,
    )
    try:
        expected = person.age_category_on(on)
        found = [
            category
            for category in AgeCategory.values
            if Person.all_objects.filter(pk=person.pk).in_age_category(category, on).exists()
        ]
        assert found == [expected]
    finally:
        Person.all_objects.filter(pk=person.pk).delete()


def test_a_concurrent_edit_is_refused_and_shows_the_other_version(client, educator, online_worker):
    person = PersonFactory(nickname="Nina")
    url = reverse("contacts:person-edit", args=[person.code])
    client.force_login(educator)
    opened_version = client.get(url).context["seen"]
    # Somebody else saves first.
    other = client.__class__()
    other.force_login(online_worker)
    other.post(
        url,
        {
            **VALID,
            "code": person.code,
            "nickname": "Nina B",
            "birth_year": "1990",
            "seen": opened_version,
        },
    )
    response = client.post(
        url,
        {
            **VALID,
            "code": person.code,
            "nickname": "Nina C",
            "birth_year": "1990",
            "seen": opened_version,
        },
    )
    assert response.status_code == 200
    assert Person.objects.get().nickname == "Nina B"
    body = response.content.decode().replace("&#x27;", "'")
    assert "Rien n'a été enregistré" in body
    assert "Nina B" in body and 'value="Nina C"' in body
    # Saving again on purpose, from the refreshed form, is allowed.
    again = client.post(
        url,
        {
            **VALID,
            "code": person.code,
            "nickname": "Nina C",
            "birth_year": "1990",
            "seen": response.context["seen"],
        },
    )
    assert again.status_code == 302
    assert Person.objects.get().nickname == "Nina C"


def _met_in_2023(person, author):
    ContactFactory(
        person=person,
        author=author,
        occurred_at=datetime.datetime(2023, 5, 4, 15, tzinfo=datetime.UTC),
    )


def test_merging_a_drug_user_duplicate_keeps_them_in_caarud_people(login, educator):
    from contacts.figures import figures

    kept = PersonFactory(uses_drugs=False)
    duplicate = PersonFactory(uses_drugs=True, sex_work=True)
    duplicate.products.set([ProductFactory(slug="crack"), ProductFactory(slug="cannabis")])
    duplicate.prostitution_modes.set([ProstitutionModeFactory(slug="street")])
    kept.languages.set([LanguageFactory(slug="fr")])
    duplicate.languages.set([LanguageFactory(slug="en")])
    _met_in_2023(kept, educator)
    _met_in_2023(duplicate, educator)
    before = figures(2023)
    assert (before["attendance.people"], before["caarud.people"]) == (2, 1)

    login(educator).post(
        reverse("contacts:person-merge", args=[kept.code]),
        {"duplicate_code": duplicate.code, "confirm": "1"},
    )

    after = figures(2023)
    assert (after["attendance.people"], after["caarud.people"]) == (1, 1)
    assert after["caarud.products.crack"] == after["caarud.products.cannabis"] == 1
    kept.refresh_from_db()
    assert kept.uses_drugs and kept.sex_work
    assert {p.slug for p in kept.prostitution_modes.all()} == {"street"}
    assert {language.slug for language in kept.languages.all()} == {"fr", "en"}


def test_merge_page_asks_which_value_wins_where_the_records_disagree(login, educator):
    kept = PersonFactory(gender="female", birth_year=1990, country_of_origin="Nigéria")
    duplicate = PersonFactory(
        gender="trans_woman", birth_year=1992, country_of_origin="", referral_source="peer"
    )
    client = login(educator)
    url = reverse("contacts:person-merge", args=[kept.code])

    response = client.get(url)
    assert "choice_form" not in response.context or response.context["choice_form"] is None
    response = client.post(url, {"duplicate_code": duplicate.code})
    fields = response.context["choice_form"].fields
    # Empty on one side (country, referral "unknown"): taken without asking.
    assert set(fields) == {"choice_gender", "choice_birth_date"}
    assert response.context["choice_form"]["choice_gender"].initial == "kept"
    page = response.content.decode()
    assert 'name="choice_gender"' in page and "Femme trans" in page

    response = client.post(
        url, {"duplicate_code": duplicate.code, "confirm": "1", "choice_gender": "duplicate"}
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert kept.gender == "trans_woman"
    assert kept.birth_year == 1990  # not chosen: the kept record's value
    assert kept.country_of_origin == "Nigéria"
    assert kept.referral_source == "peer"


def test_a_birth_date_completes_a_birth_year_of_the_same_year(educator):
    from contacts.services import merge_disagreements, person_merge

    kept = PersonFactory(birth_year=1990, birth_date=None)
    duplicate = PersonFactory(birth_date=datetime.date(1990, 6, 3))
    assert merge_disagreements(kept, duplicate) == []
    person_merge(kept=kept, duplicate=duplicate, by=educator)
    kept.refresh_from_db()
    assert kept.birth_date == datetime.date(1990, 6, 3)


def test_undoing_a_merge_gives_the_kept_profile_back(login, educator):
    kept = PersonFactory(gender="female", uses_drugs=False, country_of_origin="", notes="Vue")
    kept.languages.set([LanguageFactory(slug="fr")])
    duplicate = PersonFactory(
        gender="male", uses_drugs=True, country_of_origin="Ghana", notes="Autre note"
    )
    duplicate.languages.set([LanguageFactory(slug="en"), LanguageFactory(slug="fr")])
    duplicate.products.set([ProductFactory(slug="crack")])
    client = login(educator)
    client.post(
        reverse("contacts:person-merge", args=[kept.code]),
        {"duplicate_code": duplicate.code, "confirm": "1", "choice_gender": "duplicate"},
    )
    kept.refresh_from_db()
    assert (kept.gender, kept.uses_drugs, kept.country_of_origin) == ("male", True, "Ghana")
    assert "Autre note" in kept.notes

    merge = kept.merges_received.get()
    client.post(reverse("contacts:merge-undo", args=[merge.pk]))

    kept.refresh_from_db()
    assert (kept.gender, kept.uses_drugs, kept.country_of_origin) == ("female", False, "")
    assert kept.notes == "Vue"
    assert {language.slug for language in kept.languages.all()} == {"fr"}
    assert not kept.products.exists()
    duplicate.refresh_from_db()
    assert (duplicate.gender, duplicate.uses_drugs) == ("male", True)
    assert {language.slug for language in duplicate.languages.all()} == {"en", "fr"}


def test_undo_keeps_a_profile_change_made_after_the_merge(educator):
    from contacts.services import person_merge, person_merge_undo, person_update

    kept = PersonFactory(country_of_origin="")
    duplicate = PersonFactory(country_of_origin="Ghana")
    merge = person_merge(kept=kept, duplicate=duplicate, by=educator)
    kept.refresh_from_db()
    person_update(person=kept, data={"country_of_origin": "Togo"})
    person_merge_undo(merge=merge, by=educator)
    kept.refresh_from_db()
    assert kept.country_of_origin == "Togo"


def test_invalid_merge_choices_are_french_errors_and_nothing_is_merged(login, educator):
    kept = PersonFactory(gender="female")
    duplicate = PersonFactory(gender="male")
    client = login(educator)
    url = reverse("contacts:person-merge", args=[kept.code])

    response = client.post(
        url, {"duplicate_code": duplicate.code, "confirm": "1", "choice_gender": "les deux"}
    )
    assert response.status_code == 200
    errors = response.context["choice_form"].errors["choice_gender"]
    assert "Sélectionnez un choix valide" in errors[0]
    response = client.post(url, {"duplicate_code": "", "confirm": "1"})
    assert response.status_code == 200
    assert "obligatoire" in response.context["form"].errors["duplicate_code"][0]
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    kept.refresh_from_db()
    assert kept.gender == "female"


def test_merge_service_refuses_an_unknown_choice(educator):
    from contacts.services import MergeError, person_merge

    kept, duplicate = PersonFactory(), PersonFactory()
    with pytest.raises(MergeError, match="invalide"):
        person_merge(kept=kept, duplicate=duplicate, by=educator, choices={"gender": "both"})
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None


def test_age_to_establish_is_asked_when_the_records_differ(educator):
    from contacts.services import merge_disagreements, person_merge

    kept = PersonFactory(birth_year=1990, age_to_establish=False)
    duplicate = PersonFactory(birth_year=1990, age_to_establish=True)
    assert merge_disagreements(kept, duplicate) == ["age_to_establish"]
    person_merge(
        kept=kept, duplicate=duplicate, by=educator, choices={"age_to_establish": "duplicate"}
    )
    kept.refresh_from_db()
    assert kept.age_to_establish and kept.turns_18_on is None

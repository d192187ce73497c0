"""The active file: a person leaves it (moved, in care elsewhere, deceased, no news) with
a reason and a day, and comes back; the lists and alerts of the persons followed leave
them out, the figures keep counting what happened."""

import datetime
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from contacts.models import ActiveFileChange, Channel, Contact, Person, years_before
from contacts.services import person_merge, person_merge_undo
from entractes.lib.personfile import ANONYMISED
from reporting.figures import all_figures
from tests.factories import (
    ActiveFileChangeFactory,
    ConsultationFactory,
    ContactFactory,
    MinorFileFactory,
    PersonFactory,
    ProcedureFactory,
    RunawayFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
REASONS = {
    "moved": "Déménagement, départ",
    "care_elsewhere": "Pris·e en charge ailleurs",
    "deceased": "Décès",
    "no_news": "Sans nouvelles",
    "other": "Autre motif",
}


def short(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def leave(client, person, **data):
    return client.post(reverse("contacts:person-leave-file", args=[person.code]), data)


def come_back(client, person, **data):
    return client.post(reverse("contacts:person-return-to-file", args=[person.code]), data)


def page(client, person) -> str:
    return client.get(reverse("contacts:person-detail", args=[person.code])).content.decode()


def fresh(person) -> Person:
    return Person.all_objects.get(pk=person.pk)


# --- Leaving and coming back, on the person's page ------------------------------------


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_a_person_leaves_the_file_with_each_reason(client, educator, reason):
    person = PersonFactory(nickname="Ramona")
    client.force_login(educator)
    day = TODAY - datetime.timedelta(days=4)
    response = leave(client, person, reason=reason, date=day.isoformat(), note="ZQ-note")
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person-detail", args=[person.code])
    person = fresh(person)
    assert (person.left_file_on, person.left_file_reason) == (day, reason)
    change = ActiveFileChange.objects.get(person=person)
    assert (change.kind, change.reason, change.date, change.author) == (
        "left",
        reason,
        day,
        educator,
    )
    html = page(client, person)
    assert f"Hors file active depuis le {short(day)} ({REASONS[reason]})" in html
    assert "Sortie de la file active" in html and "ZQ-note" in html
    assert "Réintégrer la file active" in html


def test_the_day_defaults_to_today(client, educator):
    person = PersonFactory()
    client.force_login(educator)
    form = client.get(reverse("contacts:person-detail", args=[person.code])).context["leave_form"]
    assert form["date"].value() == TODAY
    assert 'value="' + TODAY.isoformat() + '"' in page(client, person)


def test_a_person_comes_back_and_the_history_keeps_both_changes(client, educator):
    person = PersonFactory()
    client.force_login(educator)
    left_on = TODAY - datetime.timedelta(days=30)
    assert leave(client, person, reason="no_news", date=left_on.isoformat()).status_code == 302
    response = come_back(client, person, date=TODAY.isoformat(), note="Revue à l'accueil")
    assert response.status_code == 302
    person = fresh(person)
    assert person.in_active_file and person.left_file_reason == ""
    kinds = list(person.active_file_changes.values_list("kind", "date"))
    assert kinds == [("returned", TODAY), ("left", left_on)]
    html = page(client, person)
    assert "Hors file active depuis" not in html
    assert "Retour dans la file active" in html and "Revue à l&#x27;accueil" in html
    assert "Dans la file active." in html
    # And they may leave again.
    assert leave(client, person, reason="moved", date=TODAY.isoformat()).status_code == 302
    assert fresh(person).left_file_reason == "moved"


def test_an_invalid_leave_names_its_fields_keeps_what_was_typed_and_writes_nothing(
    client, educator
):
    person = PersonFactory()
    client.force_login(educator)
    tomorrow = TODAY + datetime.timedelta(days=1)
    response = leave(client, person, reason="", date=tomorrow.isoformat(), note="ZQ-typed")
    assert response.status_code == 200
    errors = response.context["leave_form"].errors
    assert set(errors) == {"reason", "date"}
    assert "futur" in str(errors["date"])
    html = response.content.decode()
    assert "Ce champ est obligatoire." in html and "La date ne peut pas être dans le futur." in html
    assert 'value="ZQ-typed"' in html and f'value="{tomorrow.isoformat()}"' in html
    assert not ActiveFileChange.objects.exists()
    assert fresh(person).in_active_file
    unknown = leave(client, person, reason="holidays", date=TODAY.isoformat())
    assert unknown.status_code == 200 and "reason" in unknown.context["leave_form"].errors
    assert not ActiveFileChange.objects.exists()


def test_a_return_before_the_leave_or_in_the_future_is_refused(client, educator):
    change = ActiveFileChangeFactory(date=TODAY - datetime.timedelta(days=5), author=educator)
    person = change.person
    client.force_login(educator)
    before = come_back(client, person, date=(TODAY - datetime.timedelta(days=6)).isoformat())
    assert before.status_code == 200
    assert "précéder le dernier changement" in str(before.context["return_form"].errors["date"])
    future = come_back(client, person, date=(TODAY + datetime.timedelta(days=2)).isoformat())
    assert future.status_code == 200 and "futur" in str(future.context["return_form"].errors)
    empty = come_back(client, person, date="", note="ZQ-kept")
    assert empty.status_code == 200 and 'value="ZQ-kept"' in empty.content.decode()
    assert "Ce champ est obligatoire." in empty.content.decode()
    assert person.active_file_changes.count() == 1
    assert not fresh(person).in_active_file


def test_a_leave_before_the_last_return_is_refused(client, educator):
    person = PersonFactory()
    ActiveFileChangeFactory(person=person, date=TODAY - datetime.timedelta(days=20))
    ActiveFileChangeFactory(
        person=person, kind="returned", date=TODAY - datetime.timedelta(days=10)
    )
    client.force_login(educator)
    response = leave(
        client, person, reason="moved", date=(TODAY - datetime.timedelta(days=15)).isoformat()
    )
    assert response.status_code == 200
    assert "date" in response.context["leave_form"].errors
    assert person.active_file_changes.count() == 2 and fresh(person).in_active_file


def test_leaving_twice_or_coming_back_while_in_the_file_is_refused(client, educator):
    out = ActiveFileChangeFactory(author=educator).person
    inside = PersonFactory()
    client.force_login(educator)
    twice = leave(client, out, reason="deceased", date=TODAY.isoformat())
    assert twice.status_code == 302
    assert "déjà hors file active" in page(client, out)
    back = come_back(client, inside, date=TODAY.isoformat())
    assert back.status_code == 302
    assert "déjà dans la file active" in page(client, inside)
    assert ActiveFileChange.objects.count() == 1
    assert fresh(out).left_file_reason == "moved" and fresh(inside).in_active_file


def test_the_services_refuse_a_second_leave_and_a_return_while_in(educator):
    """What a page left open while someone else changed the state meets."""
    from django.core.exceptions import ValidationError

    from contacts.services import person_leave_file, person_return_to_file

    person = PersonFactory()
    with pytest.raises(ValidationError, match="déjà dans la file active"):
        person_return_to_file(person=person, date=TODAY, by=educator)
    person_leave_file(person=person, reason="moved", date=TODAY, by=educator)
    with pytest.raises(ValidationError, match="déjà hors file active"):
        person_leave_file(person=person, reason="deceased", date=TODAY, by=educator)
    with pytest.raises(ValidationError) as future:
        person_return_to_file(person=person, date=TODAY + datetime.timedelta(days=1), by=educator)
    assert set(future.value.error_dict) == {"date"}
    assert person.active_file_changes.count() == 1


@pytest.mark.parametrize(
    "role", ["partner_practitioner", "peer_volunteer", "administrator", "minors_team"]
)
def test_roles_that_do_not_edit_persons_are_refused(client, make_user, role):
    person = PersonFactory()
    out = ActiveFileChangeFactory().person
    client.force_login(make_user(role))
    assert leave(client, person, reason="moved", date=TODAY.isoformat()).status_code == 403
    assert come_back(client, out, date=TODAY.isoformat()).status_code == 403
    assert fresh(person).in_active_file and not fresh(out).in_active_file
    assert ActiveFileChange.objects.count() == 1


def test_changes_go_by_post_only(client, educator):
    person = PersonFactory()
    client.force_login(educator)
    assert client.get(reverse("contacts:person-leave-file", args=[person.code])).status_code == 405
    assert fresh(person).in_active_file


def test_the_history_and_the_forms_are_for_those_who_edit_persons(client, make_user, educator):
    """A partner practitioner reaching the person sees the state, not the notes."""
    from health.models import ServiceLine

    partner = make_user("partner_practitioner")
    line = ServiceLine.objects.get(slug="osteopathy")
    line.practitioners.add(partner)
    person = PersonFactory()
    ConsultationFactory(person=person, line=line, author=partner)
    client.force_login(educator)
    leave(client, person, reason="care_elsewhere", date=TODAY.isoformat(), note="ZQ-private")
    client.force_login(partner)
    html = page(client, person)
    assert "Hors file active depuis le" in html
    assert "ZQ-private" not in html and "Réintégrer" not in html


# --- Lists and search -------------------------------------------------------------------


@pytest.fixture
def two_persons(educator):
    inside = PersonFactory(nickname="Zelie")
    out = PersonFactory(nickname="Zelda")
    ActiveFileChangeFactory(person=out, reason="moved", author=educator)
    return inside, fresh(out)


def listed(response) -> set[str]:
    return {person.code for person in response.context["page"]}


def test_the_person_list_shows_the_active_file_unless_asked(client, educator, two_persons):
    inside, out = two_persons
    client.force_login(educator)
    url = reverse("contacts:person-list")
    assert listed(client.get(url)) == {inside.code}
    assert listed(client.get(url, {"file": "out"})) == {out.code}
    everyone = client.get(url, {"file": "all"})
    assert listed(everyone) == {inside.code, out.code}
    assert "hors file active" in everyone.content.decode()
    # A search by nickname keeps to the active file, and says what it leaves out.
    searched = client.post(url, {"q": "Zel"})
    assert listed(searched) == {inside.code}
    assert searched.context["hidden_out_of_file"] == 1
    assert "1 autre hors file active" in searched.content.decode()
    assert listed(client.post(url, {"q": "Zel", "file": "all"})) == {inside.code, out.code}


def test_a_person_out_of_the_file_is_found_by_code_and_marked(client, educator, two_persons):
    _inside, out = two_persons
    client.force_login(educator)
    for typed in (out.code, out.code.replace("-", "").lower()):
        response = client.post(reverse("contacts:person-list"), {"q": typed})
        assert listed(response) == {out.code}, typed
        html = response.content.decode()
        assert "hors file active" in html
        assert f"Hors file active depuis le {short(out.left_file_on)}" in html


# --- The round sheet and single contacts ----------------------------------------------


def suggested(client, text) -> str:
    return client.post(reverse("contacts:person-suggest"), {"q": text}).content.decode()


def test_the_deceased_are_not_suggested_but_their_code_still_finds_them(client, educator):
    deceased = PersonFactory(nickname="Samira")
    ActiveFileChangeFactory(person=deceased, reason="deceased")
    moved = PersonFactory(nickname="Samia")
    ActiveFileChangeFactory(person=moved, reason="moved")
    followed = PersonFactory(nickname="Samir")
    client.force_login(educator)
    options = suggested(client, "Sami")
    assert followed.code in options and moved.code in options
    assert deceased.code not in options
    assert "Samia · hors file active" in options
    assert deceased.code in suggested(client, deceased.code)


def send(client, session, person_text):
    body = {"contacts": [{"device_id": str(uuid.uuid4()), "person": person_text}]}
    url = reverse("contacts:round-sheet-send", args=[session.pk])
    return client.post(url, json.dumps(body), content_type="application/json").json()["results"][0]


def test_the_round_sheet_does_not_offer_a_deceased_person_by_name(client, educator):
    deceased = PersonFactory(nickname="Kadidja")
    ActiveFileChangeFactory(person=deceased, reason="deceased")
    session = SessionFactory(kind="street_round", created_by=educator)
    client.force_login(educator)
    by_name = send(client, session, "Kadidja")
    assert by_name["status"] == "unknown"
    by_code = send(client, session, deceased.code)
    assert by_code["status"] == "saved"
    assert Contact.objects.get(pk=by_code["contact"]).person == deceased
    # The contact is saved; the person's state is not changed by it.
    assert fresh(deceased).left_file_reason == "deceased"


def test_a_name_said_by_several_marks_those_out_of_the_file(client, educator):
    PersonFactory(nickname="Nadia")
    out = PersonFactory(nickname="Nadia")
    ActiveFileChangeFactory(person=out, reason="no_news")
    session = SessionFactory(kind="street_round", created_by=educator)
    client.force_login(educator)
    result = send(client, session, "Nadia")
    assert result["status"] == "choose"
    labels = {choice["id"]: choice["label"] for choice in result["choices"]}
    assert labels[out.pk].endswith("· hors file active")
    assert sum("hors file active" in label for label in labels.values()) == 1


def test_a_contact_with_a_person_out_of_the_file_is_saved_and_their_page_offers_a_return(
    client, educator
):
    left_on = TODAY - datetime.timedelta(days=40)
    person = ActiveFileChangeFactory(date=left_on, reason="no_news").person
    client.force_login(educator)
    day = TODAY - datetime.timedelta(days=1)
    response = client.post(
        reverse("contacts:contact-create"),
        {"person": person.code, "channel": Channel.objects.get(slug="phone").pk, "day": day},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("contacts:person-detail", args=[person.code])
    assert Contact.objects.filter(person=person, day=day).exists()
    assert not fresh(person).in_active_file
    html = response.content.decode()
    assert "Hors file active : " + person.code in html
    assert f"Un contact a été noté le {short(day)}" in html
    assert response.context["return_form"]["date"].value() == day
    assert come_back(client, person, date=day.isoformat()).status_code == 302
    assert fresh(person).in_active_file


def test_a_contact_on_the_day_of_leaving_offers_no_return(client, educator):
    person = ActiveFileChangeFactory(date=TODAY - datetime.timedelta(days=3)).person
    ContactFactory(
        person=person, author=educator, occurred_at=timezone.now() - datetime.timedelta(days=3)
    )
    client.force_login(educator)
    response = client.get(reverse("contacts:person-detail", args=[person.code]))
    assert response.context["met_since"] is None
    assert "Un contact a été noté" not in response.content.decode()


def test_the_session_page_marks_the_persons_out_of_the_file(client, educator):
    person = ActiveFileChangeFactory(date=TODAY - datetime.timedelta(days=30)).person
    session = SessionFactory(created_by=educator)
    ContactFactory(person=person, session=session, author=educator)
    client.force_login(educator)
    html = client.get(reverse("contacts:session-detail", args=[session.pk])).content.decode()
    assert "hors file active" in html


# --- Alerts -------------------------------------------------------------------------------


def test_minors_alerts_leave_out_a_person_out_of_the_file(client, minors_educator):
    young = PersonFactory(
        nickname="Coralie", birth_date=years_before(TODAY + datetime.timedelta(days=10), 18)
    )
    minor_file = MinorFileFactory(
        person=young,
        worker=minors_educator,
        opened_on=TODAY - datetime.timedelta(days=100),
    )
    RunawayFactory(file=minor_file, start=TODAY - datetime.timedelta(days=3))
    client.force_login(minors_educator)

    def alerts():
        found = client.get(reverse("minors:home")).context["alerts"]
        return {name: [item.pk for item in found[name]] for name in found}

    assert alerts() == {
        "silent": [minor_file.pk],
        "turning_18": [minor_file.pk],
        "turning_21": [],
        "runaways": [minor_file.runaways.get().pk],
    }
    assert leave(client, young, reason="care_elsewhere", date=TODAY.isoformat()).status_code == 302
    assert alerts() == {"silent": [], "turning_18": [], "turning_21": [], "runaways": []}
    assert "Aucune alerte." in client.get(reverse("minors:home")).content.decode()
    assert come_back(client, young, date=TODAY.isoformat()).status_code == 302
    assert alerts()["silent"] == [minor_file.pk]


def test_the_health_follow_ups_due_leave_out_a_person_out_of_the_file(client, nurse, educator):
    person = PersonFactory()
    ConsultationFactory(
        person=person,
        author=nurse,
        at=timezone.now() - datetime.timedelta(days=20),
        next_appointment=TODAY - datetime.timedelta(days=2),
    )
    client.force_login(nurse)
    assert [c.person for c in client.get(reverse("health:home")).context["due"]] == [person]
    assert leave(client, person, reason="moved", date=TODAY.isoformat()).status_code == 302
    assert list(client.get(reverse("health:home")).context["due"]) == []


def test_procedures_of_a_person_out_of_the_file_are_listed_last_and_never_flagged(client, educator):
    late = TODAY - datetime.timedelta(days=5)
    followed = ProcedureFactory(worker=educator, next_action="Relancer", next_action_due=late)
    gone = ProcedureFactory(worker=educator, next_action="Relancer", next_action_due=late)
    ActiveFileChangeFactory(person=gone.person, reason="moved")
    client.force_login(educator)
    response = client.get(reverse("rights:procedure-list"))
    procedures = list(response.context["procedures"])
    assert [p.pk for p in procedures] == [followed.pk, gone.pk]
    assert [(p.out_of_file, p.urgent) for p in procedures] == [(0, 0), (1, 1)]
    assert response.content.decode().count("en retard") == 1


# --- Figures ------------------------------------------------------------------------------


def test_the_years_figures_are_the_same_before_and_after_leaving(client, educator, nurse):
    year = TODAY.year - 1
    moment = datetime.datetime(year, 3, 14, 15, tzinfo=datetime.UTC)
    person = PersonFactory(gender="female", birth_year=year - 16, uses_drugs=True)
    ContactFactory(person=person, author=educator, occurred_at=moment, caarud=True)
    ConsultationFactory(person=person, author=nurse, at=moment)
    ProcedureFactory(person=person, worker=educator, opened_on=moment.date())
    MinorFileFactory(person=person, worker=educator, opened_on=moment.date())
    ContactFactory(person=PersonFactory(), author=educator, occurred_at=moment)
    before = all_figures(year), all_figures(TODAY.year)
    assert before[0]["attendance.people"] == 2 and before[0]["caarud.people"] == 1

    client.force_login(educator)
    leave_on = datetime.date(year, 6, 1)
    assert leave(client, person, reason="deceased", date=leave_on.isoformat()).status_code == 302
    assert (all_figures(year), all_figures(TODAY.year)) == before
    assert come_back(client, person, date=TODAY.isoformat()).status_code == 302
    assert (all_figures(year), all_figures(TODAY.year)) == before


# --- The person's file: merge, history, right of access, anonymisation -------------------


def test_a_merge_keeps_the_kept_persons_state_and_the_undo_takes_the_history_back(client, educator):
    kept = PersonFactory(nickname="Ines")
    duplicate = PersonFactory(nickname="Inès")
    change = ActiveFileChangeFactory(person=duplicate, reason="moved")
    client.force_login(educator)
    check = client.post(
        reverse("contacts:person-merge", args=[kept.code]), {"duplicate_code": duplicate.code}
    )
    assert f"{kept.code} reste dans la file active" in check.content.decode()
    merge = person_merge(kept=kept, duplicate=duplicate, by=educator)
    assert fresh(kept).in_active_file
    change.refresh_from_db()
    assert change.person_id == kept.pk
    assert "Déménagement, départ" in page(client, kept)
    person_merge_undo(merge=merge, by=educator)
    change.refresh_from_db()
    assert change.person_id == duplicate.pk
    assert fresh(duplicate).left_file_reason == "moved" and fresh(kept).in_active_file


def test_the_changes_are_in_the_persons_history_and_right_of_access(client, educator):
    person = PersonFactory()
    client.force_login(educator)
    leave(client, person, reason="no_news", date=TODAY.isoformat(), note="ZQ-access")
    history = client.get(reverse("casefile:person-history", args=[person.code]))
    assert history.status_code == 200
    assert "changement de file active" in history.content.decode().lower()
    response = client.get(reverse("casefile:person-data-export", args=[person.code]))
    document = json.loads(response.content)
    section = next(s for s in document["sections"] if s["titre"] == "File active")
    assert [row["Motif"] for row in section["lignes"]] == ["Sans nouvelles"]
    assert section["lignes"][0]["Précision"] == "ZQ-access"


def test_erasure_clears_the_note_and_keeps_the_person_out_of_the_lists(client, director, educator):
    person = PersonFactory()
    client.force_login(educator)
    leave(client, person, reason="moved", date=TODAY.isoformat(), note="Partie chez sa soeur")
    client.force_login(director)
    response = client.post(
        reverse("casefile:person-erase", args=[person.code]),
        {"reason": "request", "confirm": "on"},
    )
    assert response.status_code == 302
    erased = fresh(person)
    assert erased.nickname == ANONYMISED and erased.left_file_reason == "moved"
    assert erased.active_file_changes.get().note == ""
    assert erased.code not in {
        p.code for p in client.get(reverse("contacts:person-list")).context["page"]
    }


# --- Import and export ---------------------------------------------------------------------


def test_the_state_and_its_history_are_imported_checked_and_exported(tmp_path, admin_user):
    from exchange.engine import ImportRefused, export_records, import_records, read

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "persons.csv").write_text(
        "id,nickname,gender,left_file_on,left_file_reason\n"
        "p1,Lola,female,02/03/2024,deceased\np2,Mina,female,,\n",
        encoding="utf-8",
    )
    (folder / "active_file_changes.csv").write_text(
        "id,person,date,kind,reason,note\n"
        "a1,p2,2024-01-10,left,no_news,\na2,p2,2024-02-01,returned,,Revue\n"
        "a3,p1,2024-03-02,left,deceased,\n",
        encoding="utf-8",
    )
    import_records(read(folder), by=admin_user)
    lola, mina = (Person.objects.get(nickname=name) for name in ("Lola", "Mina"))
    assert (lola.left_file_on, lola.left_file_reason) == (datetime.date(2024, 3, 2), "deceased")
    assert mina.in_active_file
    assert list(mina.active_file_changes.values_list("kind", flat=True)) == ["returned", "left"]

    export_records(tmp_path / "out", "csv")
    exported = (tmp_path / "out" / "persons.csv").read_text(encoding="utf-8")
    assert "left_file_on" in exported and "2024-03-02" in exported and "deceased" in exported
    changes = (tmp_path / "out" / "active_file_changes.csv").read_text(encoding="utf-8")
    assert changes.count("\n") == 4 and "Revue" in changes

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "persons.csv").write_text(
        "id,nickname,gender,left_file_on,left_file_reason\np3,Nour,female,2024-01-01,\n",
        encoding="utf-8",
    )
    (bad / "active_file_changes.csv").write_text(
        "id,person,date,kind,reason\nb1,p1,2024-04-01,returned,moved\n", encoding="utf-8"
    )
    with pytest.raises(ImportRefused) as refused:
        import_records(read(bad), by=admin_user)
    columns = {(problem.sheet, problem.column) for problem in refused.value.problems}
    assert ("persons", "left_file_reason") in columns
    assert ("active_file_changes", "reason") in columns
    assert not Person.objects.filter(nickname="Nour").exists()

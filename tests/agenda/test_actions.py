"""Actions: a dated to-do about a person or the service, written from a person's page,
held by someone or a team, governed by its domain's access rules."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Action
from entractes.models import AccessLogEntry
from tests.factories import ActionFactory, MinorFileFactory, PersonFactory

pytestmark = pytest.mark.django_db


def _post(client, **fields):
    data = {
        "title": "Accompagner au CeGIDD",
        "person": "",
        "due_on": timezone.localdate().isoformat(),
        "due_time": "",
        "category": "appointment",
        "domain": "general",
        "assignee": "",
        "team": "outreach",
        "note": "",
    }
    data.update(fields)
    return client.post(reverse("agenda:action-create"), data)


def test_an_action_written_from_a_person_page_shows_on_it_and_on_my_day(client, educator):
    person = PersonFactory(nickname="Lilou")
    client.force_login(educator)
    panel = client.get(reverse("agenda:person-panel", args=[person.code])).content.decode()
    create = reverse("agenda:action-create") + f"?personne={person.code}"
    assert create in panel
    form = client.get(create)
    assert form.context["form"]["person"].value() == person.code
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = _post(
        client,
        person=person.code,
        due_on=tomorrow.isoformat(),
        due_time="14:30",
        assignee=educator.pk,
        urgent="on",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person-detail", args=[person.code])
    action = Action.objects.get()
    assert (action.person, action.assignee, action.author, action.urgent) == (
        person,
        educator,
        educator,
        True,
    )
    assert action.due_on == tomorrow and action.due_time == datetime.time(14, 30)
    assert (
        "Accompagner au CeGIDD"
        in client.get(reverse("agenda:person-panel", args=[person.code])).content.decode()
    )
    ahead = client.get(reverse("agenda:my-day")).context["ahead"]
    assert [(item.title, item.person_code, item.urgent) for item in ahead] == [
        ("Accompagner au CeGIDD", person.code, True)
    ]


def test_an_invalid_action_names_its_fields_writes_nothing_and_keeps_what_was_typed(
    client, educator
):
    client.force_login(educator)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = _post(
        client, title="", person="ZZZ-999", due_on=yesterday.isoformat(), note="Appeler avant 10 h"
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"title", "person", "due_on"}
    assert "ZZZ-999" in str(errors["person"]) and "passé" in str(errors["due_on"])
    html = response.content.decode()
    assert "Appeler avant 10 h" in html and 'value="ZZZ-999"' in html
    assert not Action.objects.exists()


def test_a_health_action_is_the_health_staffs_only(client, educator, nurse, director):
    person = PersonFactory()
    client.force_login(educator)
    # The educator is not offered the health domain, and cannot force it.
    offered = dict(
        client.get(reverse("agenda:action-create")).context["form"].fields["domain"].choices
    )
    assert "health" not in offered and "rights" in offered
    refused = _post(client, person=person.code, domain="health", title="ZQ-HEALTH-FORCED")
    assert "domain" in refused.context["form"].errors
    client.force_login(nurse)
    assert (
        _post(client, person=person.code, domain="health", title="ZQ-SEROLOGY").status_code == 302
    )
    action = Action.objects.get(title="ZQ-SEROLOGY")
    for reader in (educator, director):
        client.force_login(reader)
        assert client.get(reverse("agenda:action-edit", args=[action.pk])).status_code == 404
        assert (
            client.post(
                reverse("agenda:action-status", args=[action.pk]), {"status": "done"}
            ).status_code
            == 404
        )
        for page in (
            reverse("agenda:my-day") + "?vue=equipe",
            reverse("agenda:week") + "?vue=equipe",
            reverse("agenda:person-panel", args=[person.code]),
            reverse("casefile:person-history", args=[person.code]),
        ):
            assert "ZQ-SEROLOGY" not in client.get(page).content.decode(), (reader, page)
    client.force_login(nurse)
    assert "ZQ-SEROLOGY" in client.get(reverse("agenda:my-day") + "?vue=equipe").content.decode()
    # The nurse's read of a health action is written to the access log.
    client.get(reverse("agenda:action-edit", args=[action.pk]))
    assert AccessLogEntry.objects.filter(user=nurse, detail="actions.action").exists()
    action.refresh_from_db()
    assert action.status == "todo"


def test_the_minors_team_writes_actions_about_the_young_people_it_follows_only(
    client, make_user, educator
):
    worker = make_user("minors_team")
    followed = MinorFileFactory(worker=worker).person
    other = PersonFactory()
    client.force_login(worker)
    offered = dict(
        client.get(reverse("agenda:action-create")).context["form"].fields["domain"].choices
    )
    assert list(offered) == ["minors"]
    assert _post(client, person=other.code, domain="minors").context["form"].errors["person"]
    response = _post(client, person=followed.code, domain="minors", title="ZQ-MINOR-JUDGE")
    assert response.status_code == 302
    assert "ZQ-MINOR-JUDGE" in client.get(reverse("agenda:my-day") + "?vue=equipe").content.decode()
    client.force_login(educator)
    assert (
        "ZQ-MINOR-JUDGE"
        not in client.get(reverse("agenda:my-day") + "?vue=equipe").content.decode()
    )


def test_done_in_one_tap_from_my_day_and_back_to_do(client, educator):
    action = ActionFactory(assignee=educator, title="Rappeler la CAF")
    client.force_login(educator)
    page = client.get(reverse("agenda:my-day"))
    assert [item.action_pk for item in page.context["due_today"]] == [action.pk]
    response = client.post(
        reverse("agenda:action-status", args=[action.pk]),
        {"status": "done", "next": reverse("agenda:my-day")},
    )
    assert response.status_code == 302 and response["Location"] == reverse("agenda:my-day")
    action.refresh_from_db()
    assert (action.status, action.done_by, action.done_on) == (
        "done",
        educator,
        timezone.localdate(),
    )
    assert client.get(reverse("agenda:my-day")).context["due_today"] == []
    client.post(reverse("agenda:action-status", args=[action.pk]), {"status": "todo"})
    action.refresh_from_db()
    assert (action.status, action.done_by, action.done_on) == ("todo", None, None)
    # An unknown state is refused with a message, nothing changes.
    wrong = client.post(
        reverse("agenda:action-status", args=[action.pk]), {"status": "x"}, follow=True
    )
    assert "choisissez" in wrong.content.decode()
    action.refresh_from_db()
    assert action.status == "todo"


def test_an_edit_keeps_the_other_persons_change(client, educator, online_worker):
    action = ActionFactory(assignee=educator)
    url = reverse("agenda:action-edit", args=[action.pk])
    client.force_login(educator)
    form = client.get(url).context
    seen = form["seen"]
    data = {
        "title": "Accompagner au CeGIDD, mardi",
        "person": action.person.code,
        "due_on": action.due_on.isoformat(),
        "category": "appointment",
        "domain": "general",
        "assignee": educator.pk,
        "team": "all",
        "seen": seen,
    }
    Action.objects.filter(pk=action.pk).update(note="Changée entre-temps")
    action.refresh_from_db()
    action.note = "Changée par l'autre"
    action.save()
    response = client.post(url, data)
    assert response.status_code == 200 and response.context["conflict"]
    action.refresh_from_db()
    assert action.title == "Accompagner au CeGIDD"
    data["seen"] = response.context["seen"]
    assert client.post(url, data).status_code == 302
    action.refresh_from_db()
    assert action.title == "Accompagner au CeGIDD, mardi"


def test_an_action_is_archived_not_deleted(client, educator):
    action = ActionFactory(assignee=educator)
    client.force_login(educator)
    response = client.post(
        reverse("casefile:archive-action", args=[action.pk]), {"reason": "Saisie en double"}
    )
    assert response.status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()
    assert Action.all_objects.get(pk=action.pk).archived_at is not None
    assert client.get(reverse("agenda:action-edit", args=[action.pk])).status_code == 404


def test_an_action_written_from_a_procedure_takes_its_domain_and_returns_to_it(client, educator):
    from tests.factories import ProcedureFactory

    procedure = ProcedureFactory(worker=educator)
    client.force_login(educator)
    detail = reverse("rights:procedure-detail", args=[procedure.pk])
    page = client.get(detail).content.decode()
    link = (
        reverse("agenda:action-create")
        + f"?personne={procedure.person.code}&amp;domaine=rights&amp;next={detail}"
    )
    assert link in page
    form = client.get(
        reverse("agenda:action-create"),
        {"personne": procedure.person.code, "domaine": "rights", "next": detail},
    ).context["form"]
    assert (form["person"].value(), form["domain"].value()) == (procedure.person.code, "rights")
    response = _post(client, person=procedure.person.code, domain="rights", next=detail)
    assert response.status_code == 302 and response["Location"] == detail
    assert Action.objects.get().domain == "rights"
    # A "next" leading off the site is not followed.
    elsewhere = _post(client, domain="general", next="https://example.org/")
    assert elsewhere["Location"] == reverse("agenda:my-day")


def test_erasing_a_person_clears_and_cancels_their_actions(client, director, educator):
    person = PersonFactory()
    action = ActionFactory(person=person, title="ZQ-erased-title", note="ZQ-erased-note")
    client.force_login(director)
    response = client.post(
        reverse("casefile:person-erase", args=[person.code]), {"reason": "request", "confirm": "on"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    action.refresh_from_db()
    assert (action.title, action.note, action.status) == ("Anonymisé·e", "", "cancelled")
    client.force_login(educator)
    assert client.get(reverse("agenda:my-day") + "?vue=equipe").context["due_today"] == []

"""Group sessions (sophrology, socio-esthetics, massage workshops): who took part."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import access as contacts_access
from contacts.services import person_merge
from health.models import HealthSession, ServiceLine
from tests.factories import GroupHealthSessionFactory, HealthSessionFactory, PersonFactory

pytestmark = pytest.mark.django_db


def rows(*codes, total=None):
    """A participants formset post: one code a row."""
    total = total or len(codes)
    data = {"form-TOTAL_FORMS": str(total), "form-INITIAL_FORMS": "0"}
    for index, code in enumerate(codes):
        data[f"form-{index}-person"] = code
    return data


def test_a_workshop_created_leads_to_its_participants_who_are_recorded(login, nurse):
    a, b = PersonFactory(nickname="Amina"), PersonFactory(nickname="Binta")
    kept, pointer = PersonFactory(), PersonFactory()
    person_merge(kept=kept, duplicate=pointer, by=nurse)
    client = login(nurse)
    response = client.post(
        reverse("health:session-create"),
        {
            "line": ServiceLine.objects.get(slug="sophrology").pk,
            "kind": "workshop",
            "date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "place": "drop_in",
        },
    )
    session = HealthSession.objects.get()
    url = reverse("health:session-participants", args=[session.pk])
    assert response["Location"] == url
    page = client.get(url).content.decode()
    # Each row suggests persons as a nickname is typed.
    assert 'name="form-0-person"' in page
    assert f'hx-post="{reverse("contacts:person-suggest")}"' in page

    # Lower case, a merged record's old code, a person typed twice, an empty row.
    response = client.post(url, rows(a.code.lower(), b.code, pointer.code, a.code, "", total=6))
    assert response.status_code == 302
    assert set(session.participants.all()) == {a, b, kept}
    detail = client.get(reverse("health:session-detail", args=[session.pk])).content.decode()
    assert "Amina" in detail and "Binta" in detail

    # The list replaces the previous one: an emptied row takes the person off.
    client.post(url, rows(b.code))
    assert list(session.participants.all()) == [b]


def test_an_unknown_code_is_a_french_row_error_and_nothing_is_saved(login, nurse):
    session = GroupHealthSessionFactory(created_by=nurse)
    known = PersonFactory()
    response = login(nurse).post(
        reverse("health:session-participants", args=[session.pk]), rows(known.code, "ZZZ-999")
    )
    assert response.status_code == 200
    errors = response.context["formset"].errors[1]["person"]
    assert "Aucune personne ne porte le code ZZZ-999" in errors[0]
    assert not session.participants.exists()


def test_a_permanence_takes_no_participants(login, nurse):
    session = HealthSessionFactory(created_by=nurse, kind="permanence")
    response = login(nurse).post(
        reverse("health:session-participants", args=[session.pk]), rows(PersonFactory().code)
    )
    assert response.status_code == 200
    assert "séance collective" in response.context["formset"].non_form_errors()[0]
    assert not session.participants.exists()


def test_wrong_roles_neither_read_nor_write_participants(login, educator, make_user):
    session = GroupHealthSessionFactory()
    person = PersonFactory()
    url = reverse("health:session-participants", args=[session.pk])
    assert login(educator).post(url, rows(person.code)).status_code == 403
    osteo = make_user("partner_practitioner", username="osteo")
    ServiceLine.objects.get(slug="osteopathy").practitioners.add(osteo)
    assert login(osteo).get(url).status_code == 404
    assert login(osteo).post(url, rows(person.code)).status_code == 404
    assert not session.participants.exists()


def test_the_line_s_partner_reaches_its_participants_and_only_them(make_user):
    sophrologist = make_user("partner_practitioner", username="sophro")
    ServiceLine.objects.get(slug="sophrology").practitioners.add(sophrologist)
    came, other = PersonFactory(), PersonFactory()
    GroupHealthSessionFactory(participants=[came])
    GroupHealthSessionFactory(line=ServiceLine.objects.get(slug="massage"), participants=[other])
    assert list(contacts_access.persons_for_user(sophrologist)) == [came]


def test_the_person_panel_lists_group_sessions_to_health_staff_only(login, nurse, educator):
    person = PersonFactory()
    session = GroupHealthSessionFactory(participants=[person])
    panel = reverse("health:person-panel", args=[person.code])
    link = reverse("health:session-detail", args=[session.pk])
    assert link in login(nurse).get(panel).content.decode()
    assert link not in login(educator).get(panel).content.decode()

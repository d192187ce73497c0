"""Clinical content is read by health staff only."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from entractes.concurrency import fingerprint
from entractes.models import AccessLogEntry, Role
from health.models import Consultation, ServiceLine
from tests.factories import (
    ConsultationFactory,
    ContactFactory,
    HealthSessionFactory,
    PersonFactory,
    SessionFactory,
    WorkshopFactory,
)

pytestmark = pytest.mark.django_db
MARKER = "ZZCLINICALMARKER"


@pytest.fixture
def clinical(nurse):
    person = PersonFactory(nickname="Sakina")
    session = HealthSessionFactory(created_by=nurse)
    consultation = ConsultationFactory(
        person=person,
        session=session,
        author=nurse,
        clinical_note=f"{MARKER} note",
        acts=[("trod_hiv", "positive")],
    )
    consultation.acts.update(detail=f"{MARKER} detail")
    ContactFactory(person=person, author=nurse, session=SessionFactory(created_by=nurse))
    return {"person": person, "consultation": consultation, "session": session}


def clinical_urls(clinical):
    c, s = clinical["consultation"], clinical["session"]
    return [
        reverse("health:home"),
        reverse("health:consultation-create"),
        reverse("health:consultation-detail", args=[c.pk]),
        reverse("health:consultation-edit", args=[c.pk]),
        reverse("health:session-list"),
        reverse("health:session-create"),
        reverse("health:session-detail", args=[s.pk]),
        reverse("health:session-participants", args=[s.pk]),
        reverse("health:workshop-list"),
        reverse("health:workshop-create"),
    ]


@pytest.fixture
def other_line_partner(make_user):
    partner = make_user("partner_practitioner", username="osteo")
    ServiceLine.objects.get(slug="osteopathy").practitioners.add(partner)
    return partner


@pytest.mark.parametrize(
    "role", ["educator", "director", "peer_volunteer", "administrator", "online_worker"]
)
def test_non_health_roles_get_403_on_every_clinical_page(client, make_user, clinical, role):
    client.force_login(make_user(role))
    for url in clinical_urls(clinical):
        assert client.get(url).status_code == 403, url


def _page(response, url: str) -> str:
    text = response.content.decode().replace(url, "")
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]+', r"\1", text)


def test_partner_of_another_line_gets_the_same_404_as_for_a_missing_record(
    client, clinical, other_line_partner
):
    client.force_login(other_line_partner)
    c, s = clinical["consultation"], clinical["session"]
    for name, pk in (
        ("health:consultation-detail", c.pk),
        ("health:consultation-edit", c.pk),
        ("health:session-detail", s.pk),
    ):
        before = AccessLogEntry.objects.count()
        hidden_url, missing_url = reverse(name, args=[pk]), reverse(name, args=[999999])
        hidden = client.get(hidden_url)
        refused = list(AccessLogEntry.objects.order_by("pk")[before:])
        missing = client.get(missing_url)
        assert (hidden.status_code, missing.status_code) == (404, 404), name
        # Same page but for the address itself (the language form sends one back) and
        # what every response draws afresh (the masked CSRF token, the scripts' nonce).
        assert _page(hidden, hidden_url) == _page(missing, missing_url)
        assert [(e.action, e.user) for e in refused] == [("refused", other_line_partner)]
    home = client.get(reverse("health:home")).content.decode()
    assert MARKER not in home


def test_partner_sees_their_own_line(client, other_line_partner, nurse):
    own = ConsultationFactory(
        line=ServiceLine.objects.get(slug="osteopathy"), author=nurse, clinical_note="dos"
    )
    client.force_login(other_line_partner)
    assert client.get(reverse("health:consultation-detail", args=[own.pk])).status_code == 200
    lines = (
        client.get(reverse("health:consultation-create")).context["form"].fields["line"].queryset
    )
    assert [line.slug for line in lines] == ["osteopathy"]


@pytest.mark.parametrize("role", ["nurse", "doctor", "midwife"])
def test_health_roles_get_their_pages(client, make_user, clinical, role):
    client.force_login(make_user(role))
    for url in clinical_urls(clinical):
        assert client.get(url).status_code == 200, url
    assert (
        MARKER
        in client.get(
            reverse("health:consultation-detail", args=[clinical["consultation"].pk])
        ).content.decode()
    )


def test_reading_a_consultation_is_logged(client, nurse, clinical):
    client.force_login(nurse)
    client.get(reverse("health:consultation-detail", args=[clinical["consultation"].pk]))
    entry = AccessLogEntry.objects.get(target_type="health.consultation")
    assert (entry.user, entry.action, entry.target_id) == (
        nurse,
        "read",
        str(clinical["consultation"].pk),
    )
    assert MARKER not in str(
        AccessLogEntry.objects.values_list("detail", "target_id", "target_type")
    )


@pytest.mark.parametrize(
    "role", ["educator", "director", "peer_volunteer", "administrator", "partner_practitioner"]
)
def test_clinical_marker_never_reaches_a_non_health_role(client, make_user, clinical, role):
    client.force_login(make_user(role))
    person = clinical["person"]
    urls = [
        reverse("home"),
        reverse("contacts:person-list"),
        reverse("contacts:person-detail", args=[person.code]),
        reverse("health:person-panel", args=[person.code]),
        reverse("casefile:person-history", args=[person.code]),
        reverse("contacts:session-list"),
        reverse("access-log"),
        reverse("health:consultation-detail", args=[clinical["consultation"].pk]),
        "/sante/consultations/999999/",
    ]
    for url in urls:
        response = client.get(url)
        assert MARKER not in response.content.decode(), url
    response = client.post(reverse("contacts:person-list"), {"q": "sakina"})
    assert MARKER not in response.content.decode()


def test_educator_sees_the_shared_note_never_the_lines_until_the_person_objects(
    client, educator, nurse, clinical
):
    consultation = clinical["consultation"]
    Consultation.objects.filter(pk=consultation.pk).update(
        shared_note="Orientée vers le CSAPA, rdv le 12"
    )
    line = str(consultation.line)
    url = reverse("health:person-panel", args=[clinical["person"].code])
    client.force_login(nurse)
    assert line in client.get(url).content.decode()  # health staff see the line
    client.force_login(educator)
    body = client.get(url).content.decode()
    assert "Orientée vers le CSAPA" in body
    assert line not in body and "dernière consultation" not in body
    assert MARKER not in body and "TROD" not in body
    # A person never seen by health staff gets the same panel, notes aside.
    empty = client.get(reverse("health:person-panel", args=[PersonFactory().code]))
    assert "Orientée" not in empty.content.decode()
    clinical["person"].objects_to_health_sharing = True
    clinical["person"].save()
    body = client.get(url).content.decode()
    assert "Orientée vers le CSAPA" not in body


def test_partner_lists_and_opens_only_the_adults_met_in_their_line(
    client, nurse, other_line_partner, educator
):
    import datetime as dt

    osteo = ServiceLine.objects.get(slug="osteopathy")
    seen = PersonFactory(nickname="Vuedansligne", birth_year=1990)
    minor = PersonFactory(nickname="Mineurevue", birth_year=timezone.localdate().year - 15)
    unseen = PersonFactory(nickname="Jamaisvue", birth_year=1990)
    for person in (seen, minor):
        ConsultationFactory(person=person, line=osteo, author=nurse)
    ConsultationFactory(person=unseen, author=nurse)  # the nurse's line, not the partner's
    assert minor.turns_18_on > timezone.localdate() - dt.timedelta(days=1)
    client.force_login(other_line_partner)
    listed = {p.code for p in client.get(reverse("contacts:person-list")).context["page"]}
    assert listed == {seen.code}
    found = client.post(reverse("contacts:person-suggest"), {"q": unseen.code}).content.decode()
    assert "Jamaisvue" not in found
    assert client.get(reverse("contacts:person-detail", args=[seen.code])).status_code == 200
    for person in (minor, unseen):
        before = AccessLogEntry.objects.count()
        response = client.get(reverse("contacts:person-detail", args=[person.code]))
        assert response.status_code == 404
        assert AccessLogEntry.objects.order_by("pk")[before:].get().action == "refused"
    # A new person is still recorded by their exact code, and then found.
    response = client.post(
        reverse("health:consultation-create"), consultation_post(unseen, line=osteo.pk)
    )
    assert response.status_code == 302
    assert client.get(reverse("contacts:person-detail", args=[unseen.code])).status_code == 200
    # Field staff still reach everyone (the wrong-role side of the rule).
    client.force_login(educator)
    listed = {p.code for p in client.get(reverse("contacts:person-list")).context["page"]}
    assert {seen.code, minor.code, unseen.code} <= listed


def consultation_post(person, **overrides):
    # Yesterday at 10:00: never in the future, whatever the time the suite runs.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    data = {
        "person": person.code,
        "line": ServiceLine.objects.get(slug="nurse").pk,
        "date": yesterday.isoformat(),
        "time": "10:00",
        "modality": "drop_in",
        "acts-TOTAL_FORMS": "1",
        "acts-INITIAL_FORMS": "0",
        "acts-MIN_NUM_FORMS": "0",
        "acts-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_act_needing_a_result_without_one_is_refused(client, nurse):
    from health.models import Act

    person = PersonFactory()
    client.force_login(nurse)
    response = client.post(
        reverse("health:consultation-create"),
        consultation_post(person, **{"acts-0-act": Act.objects.get(slug="trod_hiv").pk}),
    )
    assert response.status_code == 200
    assert "result" in response.context["acts"].forms[0].errors
    assert "demande un résultat" in response.content.decode()
    assert not Consultation.objects.exists()


def test_future_consultation_is_refused(client, nurse):
    person = PersonFactory()
    client.force_login(nurse)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("health:consultation-create"), consultation_post(person, date=tomorrow)
    )
    assert "date" in response.context["form"].errors
    assert not Consultation.objects.exists()


def test_consultation_with_a_rapid_test_is_recorded(client, nurse):
    from health.models import Act

    person = PersonFactory()
    client.force_login(nurse)
    response = client.post(
        reverse("health:consultation-create"),
        consultation_post(
            person,
            **{"acts-0-act": Act.objects.get(slug="trod_hiv").pk, "acts-0-result": "negative"},
        ),
    )
    consultation = Consultation.objects.get()
    assert response["Location"] == reverse("health:consultation-detail", args=[consultation.pk])
    assert [(a.act.slug, a.result) for a in consultation.acts.all()] == [("trod_hiv", "negative")]


def test_administrator_cannot_give_themselves_a_health_role(client, admin_user):
    client.force_login(admin_user)
    roles = [r.pk for r in Role.objects.filter(slug__in=["administrator", "nurse"])]
    response = client.post(
        reverse("staff-edit", args=[admin_user.pk]),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "",
            "roles": roles,
            "seen": fingerprint(admin_user),
        },
    )
    assert "pôle santé" in response.content.decode()
    assert "nurse" not in admin_user.__class__.objects.get(pk=admin_user.pk).role_slugs


def test_merging_moves_consultations_and_workshop_participation(educator, nurse):
    from contacts.services import person_merge, person_merge_undo

    kept, dup = PersonFactory(), PersonFactory()
    ConsultationFactory(person=dup, author=nurse)
    workshop = WorkshopFactory(title="Octobre rose", created_by=nurse, participants_count=2)
    workshop.participants.set([kept, dup])
    merge = person_merge(kept=kept, duplicate=dup, by=educator)
    assert kept.consultations.count() == 1
    assert list(workshop.participants.all()) == [kept]
    person_merge_undo(merge=merge, by=educator)
    assert dup.consultations.count() == 1
    assert set(workshop.participants.all()) == {kept, dup}


def test_partner_finds_the_person_but_not_the_field_teams_contact_notes(
    client, nurse, other_line_partner, educator
):
    osteo = ServiceLine.objects.get(slug="osteopathy")
    person = PersonFactory(nickname="Vuedansligne", birth_year=1990)
    ConsultationFactory(person=person, line=osteo, author=nurse)
    ContactFactory(person=person, author=educator, note="ZQFIELDNOTE")
    url = reverse("contacts:person-contacts-panel", args=[person.code])
    client.force_login(other_line_partner)
    assert client.get(reverse("contacts:person-detail", args=[person.code])).status_code == 200
    panel = client.get(url)
    assert panel.status_code == 200
    assert "ZQFIELDNOTE" not in panel.content.decode()
    # The field team reads them (the wrong-role side of the rule).
    client.force_login(educator)
    assert "ZQFIELDNOTE" in client.get(url).content.decode()

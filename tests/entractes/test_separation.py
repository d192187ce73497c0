"""Separation of powers: no single account comes to read what it is not entitled to."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from entractes.concurrency import fingerprint
from entractes.models import AccessLogEntry, AccountChangeRequest, AuthenticatorDevice, Role, User
from entractes.services import enrolment_code_issue
from health.models import ServiceLine
from tests import tally
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

# Each way one administrator alone tried to reach restricted content (quoted by the README).
ESCALATION_PATHS = [
    "password reset of a nurse: link or secret shown to the administrator",
    "second-factor reset of a nurse, then pairing as the nurse with her password",
    "creation of a nurse account by the administrator",
    "administrator grants itself the director role",
    "administrator grants itself the minors' team role",
    "administrator adds a partner to a health line in the settings site",
    "administrator adds a partner to a health line on the account page",
    "administrator confirms its own request",
]


def role_ids(*slugs):
    return [r.pk for r in Role.objects.filter(slug__in=slugs)]


def edit(client, account, *roles, lines=()):
    return client.post(
        reverse("staff-edit", args=[account.pk]),
        {
            "first_name": account.first_name,
            "last_name": account.last_name,
            "email": account.email,
            "roles": role_ids(*roles),
            "lines": [line.pk for line in lines],
            "seen": fingerprint(account),
        },
    )


def test_password_reset_shows_the_administrator_no_secret(client, admin_user, nurse, director):
    client.force_login(admin_user)
    response = client.post(reverse("staff-force-reset", args=[nurse.pk]), follow=True)
    body = response.content.decode()
    assert "/compte/reinitialiser/" not in body and "code" not in response.context
    change = AccountChangeRequest.objects.get(target=nurse, kind="password_reset")
    client.force_login(director)
    code = client.post(reverse("staff-request-confirm", args=[change.pk])).context["code"]
    # The administrator's own pages never show it.
    client.force_login(admin_user)
    for page in (reverse("staff-edit", args=[nurse.pk]), reverse("staff-requests")):
        assert code not in client.get(page).content.decode()
    client.logout()
    assert not client.login(username=nurse.username, password=PASSWORD)
    tally.add("escalation_paths", 1)


def test_second_factor_reset_then_pairing_with_the_password_alone_is_refused(
    client, admin_user, nurse, director, settings
):
    AuthenticatorDevice.objects.create(user=nurse, name="phone", confirmed=True)
    client.force_login(admin_user)
    client.post(reverse("staff-reset-2fa", args=[nurse.pk]))
    change = AccountChangeRequest.objects.get(target=nurse)
    client.force_login(director)
    client.post(reverse("staff-request-confirm", args=[change.pk]))
    settings.OTP_REQUIRED = True
    assert not AuthenticatorDevice.objects.filter(user=nurse, confirmed=True).exists()
    # Whoever holds the nurse's password logs in and tries to pair a device.
    client.logout()
    assert client.login(username=nurse.username, password=PASSWORD)
    client.get(reverse("otp-enrol"))
    from tests.entractes.test_second_factor import current_code

    device = AuthenticatorDevice.objects.get(user=nurse)
    refused = client.post(reverse("otp-enrol"), {"code": "", "token": current_code(device)})
    assert "code" in refused.context["form"].errors
    guessed = client.post(
        reverse("otp-enrol"), {"code": "ABCDE-FGHJK", "token": current_code(device)}
    )
    assert "code" in guessed.context["form"].errors
    assert not AuthenticatorDevice.objects.filter(user=nurse, confirmed=True).exists()
    assert client.get(reverse("health:home"))["Location"].startswith(reverse("otp-verify"))
    tally.add("escalation_paths", 1)


def test_nurse_account_created_by_the_administrator_holds_no_health_role_until_confirmed(
    client, admin_user, director
):
    client.force_login(admin_user)
    client.post(
        reverse("staff-create"),
        {
            "username": "camille",
            "first_name": "Camille",
            "last_name": "Martin",
            "email": "",
            "roles": role_ids("nurse"),
            "password1": "tisane-lanterne-2026",
            "password2": "tisane-lanterne-2026",
        },
    )
    camille = User.objects.get(username="camille")
    assert camille.role_slugs == set() and not camille.has_capability("health.use")
    change = camille.change_requests.get(state="pending")
    assert change.payload["roles"] == ["nurse"]
    client.force_login(director)
    assert change.get_kind_display() in client.get(reverse("staff-requests")).content.decode()
    shown = client.post(reverse("staff-request-confirm", args=[change.pk]))
    assert shown.context["code"]
    assert User.objects.get(pk=camille.pk).has_capability("health.use")
    tally.add("escalation_paths", 1)


@pytest.mark.parametrize("role", ["director", "minors_team"])
def test_administrator_granting_itself_a_restricted_role_waits_and_cannot_confirm(
    client, admin_user, director, role
):
    client.force_login(admin_user)
    edit(client, admin_user, "administrator", role)
    assert User.objects.get(pk=admin_user.pk).role_slugs == {"administrator"}
    change = AccountChangeRequest.objects.get(target=admin_user, state="pending")
    assert change.payload["roles"] == [role]
    assert (
        reverse("staff-request-confirm", args=[change.pk])
        not in client.get(reverse("staff-requests")).content.decode()
    )
    assert client.post(reverse("staff-request-confirm", args=[change.pk])).status_code == 404
    assert User.objects.get(pk=admin_user.pk).role_slugs == {"administrator"}
    # The director refuses: nothing changes.
    client.force_login(director)
    client.post(reverse("staff-request-refuse", args=[change.pk]))
    assert AccountChangeRequest.objects.get(pk=change.pk).state == "refused"
    assert User.objects.get(pk=admin_user.pk).role_slugs == {"administrator"}
    # Its own role each time; confirming its own request, counted once.
    tally.add("escalation_paths", 2 if role == "director" else 1)


def test_settings_site_does_not_change_who_belongs_to_a_health_line(client, admin_user, partner):
    line = ServiceLine.objects.get(slug="osteopathy")
    client.force_login(admin_user)
    url = reverse("settings:health_serviceline_change", args=[line.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="practitioners"' not in page.content.decode()
    client.post(
        url,
        {
            "label": line.label,
            "position": line.position,
            "active": "on",
            "practitioners": [partner.pk],
        },
    )
    assert not line.practitioners.filter(pk=partner.pk).exists()
    tally.add("escalation_paths", 1)


def test_health_line_on_the_account_page_waits_for_the_director(
    client, admin_user, partner, director
):
    line = ServiceLine.objects.get(slug="osteopathy")
    client.force_login(admin_user)
    edit(client, partner, "partner_practitioner", lines=[line])
    assert not line.practitioners.filter(pk=partner.pk).exists()
    change = AccountChangeRequest.objects.get(target=partner)
    assert change.line_labels() == [line.label]
    client.force_login(director)
    client.post(reverse("staff-request-confirm", args=[change.pk]))
    assert line.practitioners.filter(pk=partner.pk).exists()
    tally.add("escalation_paths", 1)


def test_director_account_is_decided_by_another_administrator(client, make_user, director):
    first = make_user("administrator", username="admin1")
    second = make_user("administrator", username="admin2")
    client.force_login(first)
    client.post(reverse("staff-force-reset", args=[director.pk]))
    change = AccountChangeRequest.objects.get(target=director)
    assert client.post(reverse("staff-request-confirm", args=[change.pk])).status_code == 404
    client.force_login(director)
    assert client.post(reverse("staff-request-confirm", args=[change.pk])).status_code == 404
    client.force_login(second)
    assert client.post(reverse("staff-request-confirm", args=[change.pk])).context["code"]


def test_confirmed_change_is_effective_and_the_owner_is_told_once(
    client, admin_user, director, make_user
):
    camille = make_user("educator", username="camille")
    client.force_login(admin_user)
    edit(client, camille, "educator", "minors_team")
    change = AccountChangeRequest.objects.get(target=camille)
    client.force_login(director)
    client.post(reverse("staff-request-confirm", args=[change.pk]))
    client.logout()
    response = client.post(
        reverse("login"), {"username": "camille", "password": PASSWORD}, follow=True
    )
    notice = [str(m) for m in response.context["messages"] if "Votre compte a changé" in str(m)]
    assert len(notice) == 1 and "Équipe mineurs" in notice[0] and str(director) in notice[0]
    assert User.objects.get(pk=camille.pk).has_capability("minors.read_file")
    client.logout()
    again = client.post(
        reverse("login"), {"username": "camille", "password": PASSWORD}, follow=True
    )
    assert not [m for m in again.context["messages"] if "Votre compte a changé" in str(m)]


def test_audit_names_the_requester_and_the_confirmer(client, admin_user, director, make_user):
    camille = make_user("educator", username="camille")
    client.force_login(admin_user)
    edit(client, camille, "educator", "minors_team")
    change = AccountChangeRequest.objects.get(target=camille)
    client.force_login(director)
    client.post(reverse("staff-request-confirm", args=[change.pk]))
    requests = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(AccountChangeRequest), object_pk=change.pk
    ).order_by("timestamp", "pk")
    assert [entry.actor for entry in requests] == [admin_user, director]
    roles = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=camille.pk,
        changes_text__contains="",
    ).order_by("-timestamp", "-pk")
    grant = next(entry for entry in roles if "Équipe mineurs" in str(entry.changes))
    assert grant.actor == director


def test_session_begun_with_a_code_is_marked_in_the_access_log(
    client, director, make_user, settings
):
    from tests.factories import LegalIdentityFactory, PersonFactory

    educator = make_user("educator", username="ines")
    code = enrolment_code_issue(user=educator)
    client.post(
        reverse("password-with-code"),
        {
            "username": "ines",
            "code": code,
            "new_password1": "nouveau-mot-de-passe-solide",
            "new_password2": "nouveau-mot-de-passe-solide",
        },
    )
    person = PersonFactory()
    LegalIdentityFactory(person=person)
    client.get(reverse("contacts:identity-show", args=[person.code]))
    entry = AccessLogEntry.objects.filter(user=educator).latest("id")
    assert entry.after_reset
    # The reader is who was logged in, and the log page shows the mark.
    client.force_login(director)
    assert "après réinitialisation" in client.get(reverse("access-log")).content.decode()
    client.logout()
    client.post(reverse("login"), {"username": "ines", "password": "nouveau-mot-de-passe-solide"})
    before = AccessLogEntry.objects.filter(user=educator).count()
    client.get(reverse("contacts:identity-show", args=[person.code]))
    assert AccessLogEntry.objects.filter(user=educator).count() == before + 1
    assert not AccessLogEntry.objects.filter(user=educator).latest("id").after_reset


def test_wrong_role_cannot_list_or_decide_requests(client, educator, admin_user, make_user):
    target = make_user("nurse", username="n2")
    change = AccountChangeRequest.objects.create(
        kind="grant", target=target, requested_by=admin_user, payload={"roles": ["doctor"]}
    )
    client.force_login(educator)
    assert client.get(reverse("staff-requests")).status_code == 403
    assert client.post(reverse("staff-request-confirm", args=[change.pk])).status_code == 403
    assert User.objects.get(pk=target.pk).role_slugs == {"nurse"}

import pytest
from django.core import mail
from django.urls import reverse

from entractes.concurrency import fingerprint
from entractes.models import User

pytestmark = pytest.mark.django_db

NEW = {
    "username": "camille",
    "first_name": "Camille",
    "last_name": "Martin",
    "email": "camille@example.org",
    "roles": [],
    "password1": "tisane-lanterne-2026",
    "password2": "tisane-lanterne-2026",
}


def role_ids(*slugs):
    from entractes.models import Role

    return [r.pk for r in Role.objects.filter(slug__in=slugs)]


def test_administrator_creates_an_account_with_roles(login, admin_user, director, client):
    response = login(admin_user).post(
        reverse("staff-create"), {**NEW, "roles": role_ids("educator", "minors_team")}
    )
    assert response.status_code == 302
    user = User.objects.get(username="camille")
    assert user.role_slugs == set()  # both expose restricted content: confirmed first
    change = user.change_requests.get()
    login(director).post(reverse("staff-request-confirm", args=[change.pk]))
    user = User.objects.get(username="camille")
    assert user.role_slugs == {"educator", "minors_team"}
    assert user.has_capability("minors.read_file")
    assert user.password_change_required
    # The new holder logs in and must first choose a password.
    client.logout()
    assert client.login(username="camille", password="tisane-lanterne-2026")
    response = client.get(reverse("contacts:person-list"))
    assert response["Location"] == reverse("password_change")
    client.post(
        reverse("password_change"),
        {
            "old_password": "tisane-lanterne-2026",
            "new_password1": "un-autre-mot-de-passe-long",
            "new_password2": "un-autre-mot-de-passe-long",
        },
    )
    assert client.get(reverse("contacts:person-list")).status_code == 200


@pytest.mark.parametrize("password", ["court", "12345678901234", "password1234"])
def test_weak_password_is_refused_and_nothing_is_created(login, admin_user, password):
    response = login(admin_user).post(
        reverse("staff-create"),
        {**NEW, "roles": role_ids("nurse"), "password1": password, "password2": password},
    )
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert not User.objects.filter(username="camille").exists()


def test_account_needs_a_role(login, admin_user):
    response = login(admin_user).post(reverse("staff-create"), NEW)
    assert "roles" in response.context["form"].errors


def test_roles_exposing_nothing_restricted_are_changed_at_once(login, admin_user, make_user):
    user = make_user("educator")
    login(admin_user).post(
        reverse("staff-edit", args=[user.pk]),
        {
            "first_name": "A",
            "last_name": "B",
            "email": "",
            "roles": role_ids("educator", "peer_volunteer"),
            "seen": fingerprint(user),
        },
    )
    assert User.objects.get(pk=user.pk).role_slugs == {"educator", "peer_volunteer"}
    assert User.objects.get(pk=user.pk).first_name == "A"
    assert not user.change_requests.exists()


def test_deactivated_account_cannot_log_in_and_is_reactivated(login, admin_user, make_user, client):
    user = make_user("educator", username="paula")
    login(admin_user).post(reverse("staff-deactivate", args=[user.pk]))
    assert not User.objects.get(pk=user.pk).is_active
    client.logout()
    assert not client.login(username="paula", password="a-long-test-password")
    login(admin_user).post(reverse("staff-reactivate", args=[user.pk]))
    client.logout()
    assert client.login(username="paula", password="a-long-test-password")
    assert User.objects.filter(pk=user.pk).exists()


def test_administrator_cannot_deactivate_own_account(login, admin_user):
    login(admin_user).post(reverse("staff-deactivate", args=[admin_user.pk]))
    assert User.objects.get(pk=admin_user.pk).is_active


def test_forced_reset_is_confirmed_and_the_owner_sets_a_password_with_the_code(
    login, admin_user, director, make_user, client
):
    user = make_user("nurse", username="sonia", email="sonia@example.org")
    asked = login(admin_user).post(reverse("staff-force-reset", args=[user.pk]), follow=True)
    assert "Demande enregistrée" in asked.content.decode()
    assert client.login(username="sonia", password="a-long-test-password")  # not yet
    change = user.change_requests.get(state="pending")
    shown = login(director).post(reverse("staff-request-confirm", args=[change.pk]))
    code = shown.context["code"]
    assert code in shown.content.decode()
    assert code not in mail.outbox[0].body  # the mail says only that the account changed
    client.logout()
    assert not client.login(username="sonia", password="a-long-test-password")
    done = client.post(
        reverse("password-with-code"),
        {
            "username": "sonia",
            "code": code.lower(),
            "new_password1": "nouveau-mot-de-passe-solide",
            "new_password2": "nouveau-mot-de-passe-solide",
        },
    )
    assert done.status_code == 302
    client.logout()
    assert client.login(username="sonia", password="nouveau-mot-de-passe-solide")
    # The code served once.
    again = client.post(
        reverse("password-with-code"),
        {
            "username": "sonia",
            "code": code,
            "new_password1": "encore-un-autre-mot-de-passe",
            "new_password2": "encore-un-autre-mot-de-passe",
        },
    )
    assert again.status_code == 200 and "code d'activation" in again.content.decode()


def test_password_reset_by_email(client, make_user):
    make_user("educator", username="ines", email="ines@example.org")
    response = client.post(reverse("password_reset"), {"email": "ines@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/compte/reinitialiser/" in mail.outbox[0].body


def test_staff_are_never_deleted_from_the_app(login, admin_user):
    assert "supprimer" not in login(admin_user).get(reverse("staff-list")).content.decode().lower()


def test_login_and_logout(client, make_user):
    make_user("educator", username="marie")
    response = client.post(
        reverse("login"), {"username": "marie", "password": "a-long-test-password"}
    )
    assert response["Location"] == reverse("home")
    response = client.post(reverse("logout"))
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_language_switch_to_english(login, educator):
    client = login(educator)
    assert 'lang="fr"' in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("home")).content.decode()


def test_browser_language_is_ignored_french_by_default(login, educator):
    body = (
        login(educator)
        .get(reverse("home"), headers={"Accept-Language": "en-US,en"})
        .content.decode()
    )
    assert 'lang="fr"' in body


def test_sessions_end_after_12_hours_and_when_the_account_is_deactivated(
    client, make_user, settings
):
    user = make_user("educator", username="nuit")
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["started_at"] -= settings.SESSION_MAX_SECONDS + 60
    session.save()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    user.is_active = False
    user.save()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    assert settings.SESSION_COOKIE_AGE == 1800 and settings.SESSION_SAVE_EVERY_REQUEST


def _login(client, username, password, address):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_five_failures_lock_the_account_from_that_address_only(
    client, make_user, admin_user, settings
):
    settings.AXES_ENABLED = True
    make_user("educator", username="camille")
    for _ in range(5):
        _login(client, "camille", "mauvais", "10.0.0.1")
    locked = _login(client, "camille", "a-long-test-password", "10.0.0.1")
    assert locked.status_code == 429
    assert "15 minutes" in locked.content.decode()
    # The same account from another address is not locked out.
    assert _login(client, "camille", "a-long-test-password", "10.0.0.2")["Location"] == reverse(
        "home"
    )
    client.logout()
    # The administrator lifts the lockout.
    client.force_login(admin_user)
    client.post(
        reverse("staff-unlock", args=[admin_user.__class__.objects.get(username="camille").pk])
    )
    client.logout()
    assert _login(client, "camille", "a-long-test-password", "10.0.0.1")["Location"] == reverse(
        "home"
    )

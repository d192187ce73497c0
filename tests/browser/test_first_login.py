"""A new account's first login with the second factor on: password, pairing, home."""

import pytest
from django_otp.oath import totp

from entractes.models import AuthenticatorDevice, User
from entractes.services import staff_create
from tests.browser.conftest import log_in, path_of, screenshot

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_new_account_changes_its_password_then_pairs_its_phone_then_reaches_home(
    new_page, make_user, settings
):
    settings.OTP_REQUIRED = True
    director = make_user("director", username="direction")
    admin = make_user("administrator", username="admin")
    from entractes.models import Role

    initial, own = "bienvenue-chez-Entractes-42", "mon-secret-infirmier-2026"
    nurse, change = staff_create(
        form_data={
            "username": "sonia",
            "first_name": "Sonia",
            "last_name": "Lemaire",
            "email": "",
            "roles": list(Role.objects.filter(slug="nurse")),
        },
        password=initial,
        by=admin,
    )
    from entractes.services import account_change_confirm

    code = account_change_confirm(change=change, by=director)

    page = log_in(new_page(phone=True), nurse, initial)
    assert path_of(page) == "/compte/mot-de-passe/"
    page.locator("input[name=old_password]").fill(initial)
    page.locator("input[name=new_password1]").fill(own)
    page.locator("input[name=new_password2]").fill(own)
    page.get_by_role("button", name="Enregistrer").click()

    # Then straight to the pairing, which asks for the code handed over in person.
    page.get_by_role("heading", name="Activer la double authentification").wait_for()
    device = AuthenticatorDevice.objects.get(user=nurse, confirmed=False)
    page.locator("input[name=code]").fill(code)
    page.locator("input[name=token]").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Activer").click()
    page.get_by_role("heading", name="Double authentification activée").wait_for()
    page.get_by_role("link", name="Continuer").click()
    page.get_by_role("heading", name="Bonjour Sonia").wait_for()
    page.goto("/sante/")  # a verified session: the health unit opens, no detour
    assert path_of(page) == "/sante/"

    nurse = User.objects.get(pk=nurse.pk)
    assert nurse.check_password(own) and not nurse.password_change_required
    assert AuthenticatorDevice.objects.filter(user=nurse, confirmed=True).count() == 1
    screenshot(page, "first-login-second-factor")

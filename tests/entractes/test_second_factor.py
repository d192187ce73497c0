import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


DATA_PAGES = ["home", "contacts:person-list", "contacts:session-list", "staff-list"]


def test_password_only_session_reaches_no_data_page(client, educator, settings):
    settings.OTP_REQUIRED = True
    client.force_login(educator)
    for name in DATA_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("otp-verify")
        ), name
    assert client.get(reverse("otp-verify"))["Location"] == reverse("otp-enrol")


def test_enrolment_by_qr_code_then_recovery_codes_then_access(client, educator, settings):
    settings.OTP_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no wait after the wrong code below
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    client.force_login(educator)
    page = client.get(reverse("otp-enrol"))
    assert page.context["qr"].startswith("data:image/svg+xml;base64,")
    device = TOTPDevice.objects.get(user=educator)
    wrong = client.post(
        reverse("otp-enrol"), {"token": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert "Code incorrect" in wrong.content.decode()
    done = client.post(reverse("otp-enrol"), {"token": current_code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10
    assert client.get(reverse("contacts:person-list")).status_code == 200
    # A new session: the recovery code works once.
    client.logout()
    client.force_login(educator)
    assert client.get(reverse("home")).status_code == 302
    client.post(reverse("otp-verify"), {"token": codes[0]})
    assert client.get(reverse("contacts:person-list")).status_code == 200
    client.logout()
    client.force_login(educator)
    refused = client.post(reverse("otp-verify"), {"token": codes[0]})
    assert "Code incorrect" in refused.content.decode()


def test_administrator_resets_the_second_factor(client, educator, admin_user, settings):
    TOTPDevice.objects.create(user=educator, name="x", confirmed=True)
    StaticDevice.objects.create(user=educator, name="y")
    client.force_login(admin_user)
    client.post(reverse("staff-reset-2fa", args=[educator.pk]))
    assert not TOTPDevice.objects.filter(user=educator).exists()
    assert not StaticDevice.objects.filter(user=educator).exists()


def test_required_by_default_in_production():
    import subprocess
    import sys

    code = "import django,os;django.setup();from django.conf import settings;print(settings.OTP_REQUIRED)"
    env = {
        "DJANGO_SETTINGS_MODULE": "entractes.settings",
        "DEBUG": "off",
        "SECRET_KEY": "x" * 60,
        "FIELD_ENCRYPTION_KEYS": "f" * 40,
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"

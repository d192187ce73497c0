import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from entractes.models import AuthenticatorDevice as TOTPDevice
from entractes.models import RecoveryDevice as StaticDevice
from entractes.services import enrolment_code_issue

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
    code = enrolment_code_issue(user=educator)
    client.force_login(educator)
    page = client.get(reverse("otp-enrol"))
    assert page.context["qr"].startswith("data:image/svg+xml;base64,")
    device = TOTPDevice.objects.get(user=educator)
    wrong = client.post(
        reverse("otp-enrol"),
        {"code": code, "token": "000000" if current_code(device) != "000000" else "111111"},
    )
    assert "Code incorrect" in wrong.content.decode()
    done = client.post(reverse("otp-enrol"), {"code": code, "token": current_code(device)})
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


def test_second_factor_reset_is_confirmed_by_the_director(
    client, educator, admin_user, director, settings
):
    TOTPDevice.objects.create(user=educator, name="x", confirmed=True)
    StaticDevice.objects.create(user=educator, name="y")
    client.force_login(admin_user)
    client.post(reverse("staff-reset-2fa", args=[educator.pk]))
    assert TOTPDevice.objects.filter(user=educator).exists()  # waiting
    change = educator.change_requests.get()
    client.force_login(director)
    assert "code" in client.post(reverse("staff-request-confirm", args=[change.pk])).context
    assert not TOTPDevice.objects.filter(user=educator).exists()
    assert not StaticDevice.objects.filter(user=educator).exists()


def test_secrets_are_not_stored_in_clear(client, educator, settings):
    from django.db import connection

    settings.OTP_REQUIRED = True
    code = enrolment_code_issue(user=educator)
    client.force_login(educator)
    client.get(reverse("otp-enrol"))
    device = TOTPDevice.objects.get(user=educator)
    done = client.post(reverse("otp-enrol"), {"code": code, "token": current_code(device)})
    recovery = done.context["codes"]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {TOTPDevice._meta.db_table}")
        (raw_key,) = cursor.fetchone()
        cursor.execute("SELECT code_hash FROM entractes_recoverycode")
        raw_codes = " ".join(row[0] for row in cursor.fetchall())
        cursor.execute("SELECT code_hash FROM entractes_enrolmentcode")
        raw_enrolment = " ".join(row[0] for row in cursor.fetchall())
    raw_key = raw_key if isinstance(raw_key, str) else bytes(raw_key).decode()
    assert device.key not in raw_key and device.key.upper() not in raw_key
    assert len(device.key) == 40
    assert not any(c in raw_codes for c in recovery)
    assert code.replace("-", "") not in raw_enrolment


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

"""Login lockout behind the reverse proxy: per (account, address), and a global slow-down."""

import datetime
import runpy

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

import entractes.settings

PROXY = "127.0.0.1"
ADDRESS_SETTINGS = (
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "AXES_IPWARE_PROXY_COUNT",
    "AXES_IPWARE_PROXY_ORDER",
    "IPWARE_STRICT",
)


def _apply_environment(settings, monkeypatch, **environ):
    """Give the address settings that entractes/settings.py derives from this environment."""
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    derived = runpy.run_path(entractes.settings.__file__)
    # What ipware and axes assume when a setting is absent.
    defaults = {"AXES_IPWARE_PROXY_ORDER": "left-most", "IPWARE_STRICT": True}
    for name in ADDRESS_SETTINGS:
        setattr(settings, name, derived.get(name, defaults.get(name)))
    settings.AXES_ENABLED = True


@pytest.fixture
def behind_proxy(settings, monkeypatch):
    _apply_environment(settings, monkeypatch, BEHIND_PROXY="on", PROXY_COUNT="1")


@pytest.fixture
def direct(settings, monkeypatch):
    monkeypatch.delenv("PROXY_COUNT", raising=False)
    _apply_environment(settings, monkeypatch, BEHIND_PROXY="off")


def _login(client, username, password, forwarded_for=None, remote=PROXY):
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def _logged_in(response):
    return response.status_code == 302 and response["Location"] == reverse("home")


def test_behind_the_proxy_five_failures_from_one_client_do_not_lock_another(
    client, make_user, behind_proxy
):
    make_user("educator", username="camille")
    for _ in range(5):
        _login(client, "camille", "mauvais", forwarded_for="198.51.100.7")
    assert _login(client, "camille", "a-long-test-password", "198.51.100.7").status_code == 429
    # The colleague behind the same proxy, from her own address, logs in.
    assert _logged_in(_login(client, "camille", "a-long-test-password", "203.0.113.20"))
    # Failures are recorded under the client's address, not the proxy's.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


def test_behind_the_proxy_a_forged_header_part_is_ignored(client, make_user, behind_proxy):
    make_user("educator", username="camille")
    # The proxy appends the real address to whatever the client sent.
    for forged in ("10.9.9.1", "10.9.9.2", "10.9.9.3", "not-an-address", "10.9.9.5"):
        _login(client, "camille", "mauvais", forwarded_for=f"{forged}, 198.51.100.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    locked = _login(client, "camille", "a-long-test-password", "10.1.1.1, 198.51.100.7")
    assert locked.status_code == 429


def test_without_the_proxy_setting_the_header_is_never_trusted(client, make_user, direct):
    make_user("educator", username="camille")
    for index in range(5):
        _login(
            client, "camille", "mauvais", forwarded_for=f"198.51.100.{index}", remote="192.0.2.9"
        )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.9"}
    # A forged X-Forwarded-For does not escape the lockout of the real address.
    escape = _login(client, "camille", "a-long-test-password", "203.0.113.20", remote="192.0.2.9")
    assert escape.status_code == 429
    assert _logged_in(_login(client, "camille", "a-long-test-password", remote="192.0.2.10"))


def _age_failures(minutes):
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(
            attempt_time=attempt.attempt_time - datetime.timedelta(minutes=minutes)
        )


def test_an_account_attacked_from_many_addresses_is_slowed_down_not_locked(
    client, make_user, behind_proxy, settings
):
    make_user("educator", username="camille")
    limit = settings.LOGIN_SLOWDOWN_AFTER
    # Attempts from many addresses, each under the per-address limit.
    for index in range(limit):
        _login(client, "camille", "mauvais", forwarded_for=f"198.51.100.{index // 2}")
    assert AccessAttempt.objects.count() == limit // 2
    # Now any attempt, even the right password from a fresh address, waits.
    slowed = _login(client, "camille", "a-long-test-password", "203.0.113.20")
    assert slowed.status_code == 200
    assert "réessayez dans 1 minute" in slowed.content.decode()
    failures = sum(AccessAttempt.objects.values_list("failures_since_start", flat=True))
    assert failures == limit  # refused before the password was tried
    # After the delay, one more failure doubles it...
    _age_failures(1)
    _login(client, "camille", "mauvais", forwarded_for="198.51.100.99")
    assert (
        "réessayez dans 2 minutes"
        in _login(client, "camille", "a-long-test-password", "203.0.113.20").content.decode()
    )
    # ...and once it has passed, the right password from a fresh address logs in.
    _age_failures(2)
    assert _logged_in(_login(client, "camille", "a-long-test-password", "203.0.113.20"))


def test_below_the_slow_down_threshold_the_right_password_logs_in_at_once(
    client, make_user, behind_proxy, settings
):
    make_user("educator", username="camille")
    for index in range(settings.LOGIN_SLOWDOWN_AFTER - 1):
        _login(client, "camille", "mauvais", forwarded_for=f"198.51.100.{index // 2}")
    assert _logged_in(_login(client, "camille", "a-long-test-password", "203.0.113.20"))

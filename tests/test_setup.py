"""The configuration and the commands of the set-up path."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from entractes.models import User

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_SETTINGS_MODULE")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "entractes.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION = {
    "DEBUG": "off",
    "SECRET_KEY": "x" * 40 + "-production-secret-with-enough-entropy-1234567890",
    "FIELD_ENCRYPTION_KEYS": "k" * 40 + ",older-field-encryption-key-with-enough-entropy",
    "ALLOWED_HOSTS": "entractes.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://entractes.example.org",
    "DATABASE_URL": "sqlite:////tmp/entractes-deploy-check.sqlite3",
}


def test_check_deploy_reports_nothing_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = _manage("check", env={**env, "SECRET_KEY": ""})
    assert result.returncode != 0


@pytest.mark.parametrize("keys", ["", "short-key"])
def test_production_refuses_to_start_without_field_encryption_keys(keys):
    result = _manage("check", env={**PRODUCTION, "FIELD_ENCRYPTION_KEYS": keys})
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


@pytest.mark.django_db
def test_demo_is_refused_when_debug_is_off():
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="DEBUG"):
        call_command("demo")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_demo_creates_one_account_per_role_and_is_idempotent():
    with override_settings(DEBUG=True):
        call_command("demo", stdout=io.StringIO())
        call_command("demo", stdout=io.StringIO())
    from entractes.permissions import ROLES

    roles = {slug for user in User.objects.all() for slug in user.role_slugs}
    assert roles == set(ROLES)
    assert User.objects.count() == 10
    assert User.objects.get(username="educatrice").check_password("entractes-demo-2023")

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


# --- Finding Python 3.12+ (scripts/find-python, used by make setup) ----------------------

FIND_PYTHON = ROOT / "scripts" / "find-python"
# What the script and make need besides Python.
TOOLS = ["bash", "env", "dirname", "sort", "cat", "make", "sh", "test"]


def _fake_python_311(bin_dir: Path) -> Path:
    """A python3 that answers like Python 3.11 without pip nor venv: its ``-c`` code runs
    with a 3.11 ``sys.version_info``, and no module can be run with ``-m``."""
    fake = bin_dir / "python3"
    fake.write_text(
        "#!/bin/bash\n"
        'if [ "$1" = -c ]; then\n'
        f'  exec "{sys.executable}" -c "import sys; sys.version_info = (3, 11, 2, \'final\', 0)\n$2"\n'
        "fi\n"
        'if [ "$1" = --version ]; then echo "Python 3.11.2"; exit 0; fi\n'
        'if [ "$1" = -m ]; then echo "$0: No module named $2" >&2; exit 1; fi\n'
        "exit 2\n"
    )
    fake.chmod(0o755)
    return fake


@pytest.fixture
def bare_machine(tmp_path):
    """A PATH whose only Python is a 3.11 and that has no uv; a home without pyenv nor
    uv-managed Pythons."""
    import shutil

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found:
            (bin_dir / tool).symlink_to(found)
    fake = _fake_python_311(bin_dir)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": str(bin_dir),
        "HOME": str(home),
        "ENTRACTES_TOOLS_DIR": str(tmp_path / "tools"),
        "LANG": "C.UTF-8",
    }
    return env, fake


def _find_python(env, **extra):
    return subprocess.run(
        ["/bin/bash", str(FIND_PYTHON)],
        cwd=ROOT,
        env={**env, **extra},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _assert_explains_what_to_install(stderr):
    assert "Python 3.12 ou plus récent est introuvable" in stderr
    assert "pipx install uv" in stderr
    assert "uv python install 3.13" in stderr
    assert "pyenv install 3.13" in stderr
    assert "Permission denied" not in stderr
    assert "command not found" not in stderr


def test_find_python_without_python_3_12_nor_uv_explains_what_to_install(bare_machine):
    env, fake = bare_machine
    assert subprocess.run([str(fake), "--version"], capture_output=True, text=True).stdout == (
        "Python 3.11.2\n"
    )
    result = _find_python(env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    _assert_explains_what_to_install(result.stderr)
    # uv was looked for on PyPI with the only Python there is.
    assert "installation de uv depuis PyPI" in result.stderr
    assert "No module named pip" in result.stderr


def test_make_setup_without_python_3_12_stops_on_the_same_message(bare_machine, tmp_path):
    import shutil

    env, _fake = bare_machine
    make = Path(env["PATH"]) / "make"
    if not make.exists():
        pytest.skip("make is not installed")
    checkout = tmp_path / "checkout"
    (checkout / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "Makefile", checkout / "Makefile")
    shutil.copy(ROOT / "pyproject.toml", checkout / "pyproject.toml")
    shutil.copy(FIND_PYTHON, checkout / "scripts" / "find-python")
    result = subprocess.run(
        [str(make), "setup"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode != 0
    _assert_explains_what_to_install(result.stderr)
    assert not (checkout / ".venv").exists()


def test_find_python_takes_the_python_variable_first(bare_machine):
    env, _fake = bare_machine
    result = _find_python(env, PYTHON=sys.executable)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).resolve() == Path(sys.executable).resolve()


def test_find_python_finds_a_pyenv_version_off_the_path(bare_machine):
    env, _fake = bare_machine
    versions = Path(env["HOME"]) / ".pyenv" / "versions" / "3.13.1" / "bin"
    versions.mkdir(parents=True)
    (versions / "python3").symlink_to(sys.executable)
    result = _find_python(env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert "introuvable" not in result.stderr


def test_find_python_asks_uv_when_it_is_there_and_reports_a_failed_download(bare_machine):
    env, _fake = bare_machine
    uv_bin = Path(env["ENTRACTES_TOOLS_DIR"]) / "uv" / "bin"
    uv_bin.mkdir(parents=True)
    calls = uv_bin.parent / "calls"
    (uv_bin / "uv").write_text(
        "#!/bin/bash\n"
        f'echo "$*" >> "{calls}"\n'
        'case "$1" in\n'
        "  --version) echo 'uv 0.0.0' ;;\n"
        "  python) [ \"$2\" = install ] && echo 'error: Failed to download' >&2; exit 2 ;;\n"
        "esac\n"
    )
    (uv_bin / "uv").chmod(0o755)
    result = _find_python(env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    _assert_explains_what_to_install(result.stderr)
    assert "python install 3.13" in calls.read_text()
    assert "installation de uv depuis PyPI" not in result.stderr

"""The deployment checks: check --deploy warns of a production without second factor."""

from django.core.management import call_command
from django.core.management.base import SystemCheckError


def _deploy_messages(capsys):
    try:
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")
    except SystemCheckError as error:
        return str(error)
    return capsys.readouterr().out


def test_check_deploy_warns_when_the_second_factor_is_off_in_production(settings, capsys):
    settings.DEBUG = False
    settings.OTP_REQUIRED = False
    assert "entractes.W001" in _deploy_messages(capsys)


def test_check_deploy_is_silent_about_it_when_the_second_factor_is_on(settings, capsys):
    settings.DEBUG = False
    settings.OTP_REQUIRED = True
    assert "entractes.W001" not in _deploy_messages(capsys)
    settings.DEBUG = True
    settings.OTP_REQUIRED = False
    assert "entractes.W001" not in _deploy_messages(capsys)

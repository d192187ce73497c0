"""System checks of the deployment (``manage.py check --deploy``)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def second_factor_required(app_configs, **kwargs):
    """Production without the second factor: one stolen password opens an account."""
    if settings.DEBUG or getattr(settings, "OTP_REQUIRED", False):
        return []
    return [
        Warning(
            "OTP_REQUIRED is off while DEBUG is off: accounts log in with a password alone.",
            hint="Remove OTP_REQUIRED from the environment (it defaults to on) or set it to on.",
            id="entractes.W001",
        )
    ]

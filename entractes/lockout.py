"""Login slow-down of an account attacked from several addresses.

django-axes locks the pair (account, address) after AXES_FAILURE_LIMIT failures, so a
person elsewhere is never shut out. An account that gathers LOGIN_SLOWDOWN_AFTER
failures in all (any address, within the cool-off time) is slowed down instead: each
attempt waits a delay from the last failure, doubling from LOGIN_SLOWDOWN_FIRST_DELAY,
at most the cool-off time. Once the delay has passed, the right password from an
address that is not locked logs in. The count is axes's own (AccessAttempt, in the
database, shared by every worker), so an administrator's unlock lifts it too.
"""

from __future__ import annotations

import datetime
import math

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import ngettext


def wait_before_attempt(username: str) -> datetime.timedelta | None:
    """How long the account must wait before its next login attempt, or None."""
    if not settings.AXES_ENABLED or not username:
        return None
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    seen = AccessAttempt.objects.filter(username=username, attempt_time__gt=since).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    failures = seen["failures"] or 0
    if failures < settings.LOGIN_SLOWDOWN_AFTER:
        return None
    excess = min(failures - settings.LOGIN_SLOWDOWN_AFTER, 20)
    delay = min(settings.LOGIN_SLOWDOWN_FIRST_DELAY * 2**excess, settings.AXES_COOLOFF_TIME)
    wait = seen["last"] + delay - timezone.now()
    return wait if wait > datetime.timedelta(0) else None


class SlowedAuthenticationForm(AuthenticationForm):
    """The login form, refusing an attempt (before any password check) while slowed down."""

    def clean(self):
        wait = wait_before_attempt(self.cleaned_data.get("username") or "")
        if wait is not None:
            minutes = math.ceil(wait.total_seconds() / 60)
            raise forms.ValidationError(
                ngettext(
                    "Trop d'essais de mot de passe pour ce compte : réessayez dans %(minutes)d minute.",
                    "Trop d'essais de mot de passe pour ce compte : réessayez dans %(minutes)d minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                code="slowed_down",
            )
        return super().clean()

"""Request middleware of the project: forced password change, refusal logging."""

from django.shortcuts import redirect
from django.urls import reverse

from entractes.jsonapi import is_json_api, login_again
from entractes.models import AccessLogEntry, _pending_refusals, _session_after_reset


class PasswordChangeRequiredMiddleware:
    """Send staff whose password must change to the password form first."""

    allowed = ("password_change", "password_change_done", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.password_change_required
            and request.path not in {reverse(name) for name in self.allowed}
            and not request.path.startswith("/static/")
        ):
            if is_json_api(request):
                return login_again(request, "password_change")
            return redirect("password_change")
        return self.get_response(request)


class AccessLogMiddleware:
    """Write the refusals logged during a view after its transaction has ended."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pending: list[dict] = []
        token = _pending_refusals.set(pending)
        session = getattr(request, "session", None)
        after_reset = _session_after_reset.set(bool(session and session.get("after_reset")))
        try:
            response = self.get_response(request)
        finally:
            _pending_refusals.reset(token)
            _session_after_reset.reset(after_reset)
            if pending:
                AccessLogEntry.objects.flush_refusals(pending)
        return response


class FrenchUnlessChosenMiddleware:
    """The interface is French unless the language switch chose otherwise.

    The browser's Accept-Language is ignored: staff phones set to English still get
    the service's French pages, dates and numbers. Runs before LocaleMiddleware.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class SessionLimitMiddleware:
    """End a session 12 hours after login, however active (idle expiry is the cookie's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.contrib.auth import logout
        from django.utils import timezone

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(timezone.now().timestamp())
            started = request.session.setdefault("started_at", now)
            if now - started > settings.SESSION_MAX_SECONDS:
                logout(request)
                if is_json_api(request):
                    return login_again(request)
                return redirect(f"{reverse('login')}?next={request.path}")
        return self.get_response(request)


class SecondFactorMiddleware:
    """With OTP_REQUIRED, a password-only session reaches nothing but the second-factor pages."""

    allowed = ("otp-verify", "otp-enrol", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings

        user = getattr(request, "user", None)
        if (
            settings.OTP_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and request.path not in {reverse(name) for name in self.allowed}
            and not self._first_password_change(request, user)
            and not request.path.startswith("/static/")
        ):
            if is_json_api(request):
                return login_again(request, "otp-verify")
            return redirect(f"{reverse('otp-verify')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _first_password_change(request, user) -> bool:
        """A new account changes its password first, then pairs its device (the pairing
        needs the enrolment code): without this, the two pages sent it to each other."""
        from django_otp import user_has_device

        return (
            user.password_change_required
            and request.path in {reverse(name) for name in PasswordChangeRequiredMiddleware.allowed}
            and not user_has_device(user)
        )


class RejectNulByteMiddleware:
    """A NUL byte in the path or a parameter is never valid input: answer 400 with a
    French page before any view or database sees it (PostgreSQL refuses NUL in text)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from urllib.parse import unquote_plus

        from django.http import HttpResponseBadRequest
        from django.utils.html import escape
        from django.utils.translation import gettext as _

        raw = [request.path, request.META.get("QUERY_STRING", "")]
        # Posted forms are left to their fields, which name the field in their error.
        if any("\x00" in unquote_plus(part, encoding="latin-1") for part in raw):
            message = escape(_("La requête contient un caractère invalide (octet nul)."))
            title = escape(_("Requête invalide"))
            return HttpResponseBadRequest(
                f'<!doctype html><html lang="fr"><title>{title}</title>'
                f"<h1>{title}</h1><p>{message}</p></html>"
            )
        return self.get_response(request)

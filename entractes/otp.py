"""Second factor: a TOTP application (django-otp), recovery codes, verification."""

from __future__ import annotations

import base64
import io

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

from entractes import services
from entractes.models import AuthenticatorDevice, RecoveryCode, RecoveryDevice
from entractes.permissions import AUTHENTICATED, requires

# Session keys: the session began with an enrolment code (its access-log entries say
# so), and that code already authorised this session's pairing.
AFTER_RESET = "after_reset"
ENROLMENT_AUTHORISED = "enrolment_authorised"

RECOVERY_CODES = 10


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres (ou code de secours)"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return (
        target
        if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
        else "/"
    )


class EnrolForm(TokenForm):
    code = forms.CharField(
        label=gettext_lazy("Code d'activation remis en main propre"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    field_order = ["code", "token"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self):
        match = services.enrolment_code_match(user=self.user, code=self.cleaned_data["code"])
        if match is None:
            raise forms.ValidationError(
                _("Code d'activation inconnu, déjà utilisé ou expiré : demandez-en un nouveau.")
            )
        return match


def reset_devices(user) -> None:
    """Remove the account's second factors: it enrols again at next login."""
    AuthenticatorDevice.objects.filter(user=user).delete()
    RecoveryDevice.objects.filter(user=user).delete()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@never_cache
@requires(AUTHENTICATED)
def enrol(request):
    """Pair an authenticator application by QR code, then show the recovery codes once.

    The first pairing needs the enrolment code handed to the owner in person (unless
    this session began with it): whoever holds the password alone cannot claim it.
    """
    if user_has_device(request.user):
        return redirect("otp-verify")
    device = AuthenticatorDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = AuthenticatorDevice.objects.create(
            user=request.user, name=_("Application"), confirmed=False
        )
    authorised = request.session.get(ENROLMENT_AUTHORISED) == request.user.pk
    form = (TokenForm if authorised else EnrolForm)(
        request.POST or None, **({} if authorised else {"user": request.user})
    )
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            if not authorised:
                services.enrolment_code_use(code=form.cleaned_data["code"])
                request.session[AFTER_RESET] = True
            request.session.pop(ENROLMENT_AUTHORISED, None)
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            static = RecoveryDevice.objects.create(user=request.user, name=_("Codes de secours"))
            codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
            RecoveryCode.objects.bulk_create(
                RecoveryCode(device=static, code_hash=RecoveryDevice.digest(code)) for code in codes
            )
            return render(
                request, "registration/otp_recovery.html", {"codes": codes, "next": _next(request)}
            )
        form.add_error("token", _("Code incorrect : vérifiez l'heure du téléphone et réessayez."))
    svg = io.BytesIO()
    write_qrcode_image(device.config_url, svg)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/otp_enrol.html",
        {
            "form": form,
            "qr": "data:image/svg+xml;base64," + base64.b64encode(svg.getvalue()).decode(),
            "secret": secret,
            "next": _next(request),
        },
    )


@never_cache
@requires(AUTHENTICATED)
def verify(request):
    if not user_has_device(request.user):
        return redirect("otp-enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"].strip())
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice | RecoveryDevice):
                messages.warning(request, _("Code de secours utilisé : il ne servira plus."))
            return redirect(_next(request))
        form.add_error("token", _("Code incorrect."))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _next(request)})

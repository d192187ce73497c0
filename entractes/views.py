"""Home page, staff accounts, access log, and the account views with our rules."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from entractes import services
from entractes.concurrency import save_unless_changed
from entractes.forms import AccessLogFilterForm, CodePasswordForm, StaffCreateForm, StaffEditForm
from entractes.lockout import SlowedAuthenticationForm
from entractes.models import AccessLogEntry, AccountChangeRequest, User
from entractes.permissions import AUTHENTICATED, PUBLIC, RequiresMixin, requires


@requires(AUTHENTICATED)
def home(request):
    # The director's home page is the dashboard of the year to date.
    if request.user.has_capability("reporting.edit"):
        return redirect("reporting:dashboard")
    return render(request, "entractes/home.html")


def _get_staff(pk: int) -> User:
    try:
        return User.objects.with_roles().get(pk=pk)
    except User.DoesNotExist:
        raise Http404 from None


_PENDING_GRANT = _(
    "Les droits qui donnent accès à des contenus protégés attendent la confirmation "
    "d'une autre personne (la direction) : voir « Demandes à confirmer »."
)


@never_cache
@requires("staff.manage")
def staff_list(request):
    show = request.GET.get("show", "active")
    users = User.objects.with_roles()
    if show == "active":
        users = users.filter(is_active=True)
    elif show == "inactive":
        users = users.filter(is_active=False)
    return render(request, "entractes/user_list.html", {"users": users, "show": show})


@never_cache
@requires("staff.manage")
def staff_create(request):
    form = StaffCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {
            k: form.cleaned_data[k]
            for k in ("username", "first_name", "last_name", "email", "roles", "lines")
        }
        user, change = services.staff_create(
            form_data=data, password=form.cleaned_data["password1"], by=request.user
        )
        messages.success(
            request,
            _(
                "Compte %(username)s créé. Son titulaire choisira son mot de passe à la première connexion."
            )
            % {"username": user.username},
        )
        if change.payload.get("roles") or change.payload.get("lines"):
            messages.warning(request, _PENDING_GRANT)
        return redirect("staff-list")
    return render(request, "entractes/user_form.html", {"form": form, "creating": True})


@never_cache
@requires("staff.manage")
def staff_edit(request, pk):
    account = _get_staff(pk)
    form = StaffEditForm(request.POST or None, instance=account)
    outcome: dict[str, object] = {}

    def save():
        outcome["change"] = services.staff_update(
            user=account, form_data=dict(form.cleaned_data), by=request.user
        )

    try:
        edit = save_unless_changed(request, account, form.is_valid(), save)
    except services.StaffError as error:
        form.add_error("roles", str(error))
        edit = save_unless_changed(request, account, False, save)
    if edit.saved:
        messages.success(request, _("Compte mis à jour."))
        if outcome.get("change") is not None:
            messages.warning(request, _PENDING_GRANT)
        return redirect("staff-list")
    pending = account.change_requests.filter(state=AccountChangeRequest.State.PENDING)
    return render(
        request,
        "entractes/user_form.html",
        {
            "form": form,
            "account": account,
            "pending": pending,
            "seen": edit.seen,
            "conflict": edit.conflict,
        },
    )


@require_POST
@requires("staff.manage")
def staff_set_active(request, pk, active):
    account = _get_staff(pk)
    try:
        services.staff_set_active(user=account, active=active, by=request.user)
    except services.StaffError as error:
        messages.error(request, str(error))
    else:
        if active:
            messages.success(request, _("Compte %(u)s réactivé.") % {"u": account.username})
        else:
            messages.success(request, _("Compte %(u)s désactivé.") % {"u": account.username})
    return redirect("staff-edit", pk=account.pk)


@require_POST
@requires("staff.manage")
def staff_reset_second_factor(request, pk):
    account = _get_staff(pk)
    return _ask(request, account, services.staff_reset_second_factor)


def _ask(request, account, service):
    try:
        service(user=account, by=request.user)
    except services.StaffError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _(
                "Demande enregistrée pour %(u)s : elle prendra effet quand une autre personne "
                "l'aura confirmée, qui remettra le code d'activation à son titulaire."
            )
            % {"u": account.username},
        )
    return redirect("staff-edit", pk=account.pk)


@require_POST
@requires("staff.manage")
def staff_unlock(request, pk):
    account = _get_staff(pk)
    services.staff_unlock(user=account)
    messages.success(request, _("Compte %(u)s débloqué.") % {"u": account.username})
    return redirect("staff-edit", pk=account.pk)


@require_POST
@requires("staff.manage")
def staff_force_reset(request, pk):
    account = _get_staff(pk)
    return _ask(request, account, services.staff_force_password_reset)


@never_cache
@requires("staff.confirm")
def staff_requests(request):
    """The pending account changes the user may confirm or refuse."""
    return render(
        request,
        "entractes/user_requests.html",
        {"changes": services.changes_to_decide(request.user)},
    )


@never_cache
@require_POST
@requires("staff.confirm")
def staff_request_decide(request, pk, confirm):
    change = AccountChangeRequest.objects.filter(pk=pk).select_related("target").first()
    if change is None or not services.may_decide(request.user, change):
        AccessLogEntry.objects.record_refusal(
            user=request.user, target=request.path, detail="staff.confirm"
        )
        raise Http404
    try:
        if confirm:
            code = services.account_change_confirm(change=change, by=request.user)
        else:
            services.account_change_refuse(change=change, by=request.user)
            code = None
    except services.StaffError as error:
        messages.error(request, str(error))
        return redirect("staff-requests")
    if code is None:
        messages.success(request, _("Demande traitée."))
        return redirect("staff-requests")
    return render(
        request,
        "entractes/user_code.html",
        {"account": change.target, "code": code, "hours": 72},
    )


@never_cache
@requires(PUBLIC)
def password_with_code(request):
    """The owner sets a new password with the enrolment code handed to them."""
    from django.contrib.auth import login

    from entractes.otp import AFTER_RESET, ENROLMENT_AUTHORISED

    form = CodePasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.password_set_with_code(
            user=form.user, code=form.enrolment_code, password=form.cleaned_data["new_password1"]
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session[AFTER_RESET] = True
        request.session[ENROLMENT_AUTHORISED] = user.pk
        _show_notices(request, user)
        return redirect("home")
    return render(request, "registration/password_with_code.html", {"form": form})


def _show_notices(request, user) -> None:
    for change in services.notices_for_owner(user=user):
        details = ", ".join(change.role_labels() + change.line_labels())
        messages.info(
            request,
            _("Votre compte a changé : %(what)s%(details)s, confirmé par %(by)s le %(at)s.")
            % {
                "what": change.get_kind_display(),
                "details": f" ({details})" if details else "",
                "by": change.decided_by,
                "at": f"{change.decided_at:%d/%m/%Y}",
            },
        )


@never_cache
@requires("accesslog.view")
def access_log(request):
    # Reading the log is itself a restricted read: the page's own line comes first.
    AccessLogEntry.objects.record(
        user=request.user,
        action=AccessLogEntry.Action.READ,
        target="accesslog",
        detail="access log",
    )
    form = AccessLogFilterForm(request.GET or None)
    entries = AccessLogEntry.objects.select_related("user")
    if form.is_valid():
        data = form.cleaned_data
        if data["user"]:
            entries = entries.filter(user=data["user"])
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["start"]:
            entries = entries.filter(at__date__gte=data["start"])
        if data["end"]:
            entries = entries.filter(at__date__lte=data["end"])
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(request, "entractes/accesslogentry_list.html", {"form": form, "page": page})


class LoginView(RequiresMixin, auth_views.LoginView):
    capability = PUBLIC
    redirect_authenticated_user = True
    authentication_form = SlowedAuthenticationForm

    def form_valid(self, form):
        response = super().form_valid(form)
        _show_notices(self.request, form.get_user())
        return response


class LogoutView(RequiresMixin, auth_views.LogoutView):
    capability = PUBLIC

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # The phone keeps nothing once its user has left: the round sheet kept in its
        # storage and the service worker's copies of the static files go too.
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class PasswordChangeView(RequiresMixin, auth_views.PasswordChangeView):
    capability = AUTHENTICATED
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        response = super().form_valid(form)
        User.objects.filter(pk=self.request.user.pk).update(password_change_required=False)
        return response


class PasswordChangeDoneView(RequiresMixin, auth_views.PasswordChangeDoneView):
    capability = AUTHENTICATED


class PasswordResetView(RequiresMixin, auth_views.PasswordResetView):
    capability = PUBLIC


class PasswordResetDoneView(RequiresMixin, auth_views.PasswordResetDoneView):
    capability = PUBLIC


class PasswordResetConfirmView(RequiresMixin, auth_views.PasswordResetConfirmView):
    capability = PUBLIC

    def form_valid(self, form):
        response = super().form_valid(form)
        User.objects.filter(pk=form.user.pk).update(password_change_required=False)
        return response


class PasswordResetCompleteView(RequiresMixin, auth_views.PasswordResetCompleteView):
    capability = PUBLIC

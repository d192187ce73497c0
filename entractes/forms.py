"""Staff account forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import BaseUserCreationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from entractes.models import AccessLogEntry, Role, User


class RoleChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Role) -> str:
        return str(obj.label)


def _health_lines():
    # The health app's lines, reached through the accounts' side of their membership.
    return User._meta.get_field("health_lines").related_model.objects.filter(active=True)


class LinesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(
            queryset=_health_lines(),
            required=False,
            label=_("Lignes de soin (intervenant·e partenaire)"),
            **kwargs,
        )


class StaffCreateForm(BaseUserCreationForm):
    roles = RoleChoiceField(queryset=Role.objects.all(), label=_("Rôles"), required=True)
    lines = LinesField()

    class Meta(BaseUserCreationForm.Meta):
        model = User
        fields = ["username", "first_name", "last_name", "email", "roles"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Cet identifiant est déjà utilisé."))
        return username


class StaffEditForm(forms.ModelForm):
    roles = RoleChoiceField(queryset=Role.objects.all(), label=_("Rôles"), required=True)
    lines = LinesField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["lines"] = list(self.instance.health_lines.values_list("pk", flat=True))

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "roles"]


class AccessLogFilterForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.all(), required=False, label=_("Utilisateur·rice")
    )
    action = forms.ChoiceField(
        choices=[("", _("Toutes"))] + list(AccessLogEntry.Action.choices),
        required=False,
        label=_("Action"),
    )
    start = forms.DateField(
        required=False, label=_("Du"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label=_("Au"), widget=forms.DateInput(attrs={"type": "date"})
    )


class CodePasswordForm(SetPasswordForm):
    """A new password chosen with the enrolment code given in person."""

    username = forms.CharField(label=_("Identifiant"), max_length=150)
    code = forms.CharField(label=_("Code d'activation remis en main propre"), max_length=20)

    field_order = ["username", "code", "new_password1", "new_password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(None, *args, **kwargs)

    def clean(self):
        from entractes import services

        data = super().clean()
        user = User.objects.filter(
            username__iexact=data.get("username", ""), is_active=True
        ).first()
        match = (
            services.enrolment_code_match(user=user, code=data.get("code", ""))
            if user is not None
            else None
        )
        if match is None:
            raise forms.ValidationError(
                _("Identifiant ou code d'activation inconnu, déjà utilisé ou expiré.")
            )
        self.user, self.enrolment_code = user, match
        password = data.get("new_password2")
        if password:
            try:
                password_validation.validate_password(password, user)
            except forms.ValidationError as error:
                self.add_error("new_password2", error)
        return data

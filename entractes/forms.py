"""Staff account forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import BaseUserCreationForm
from django.utils.translation import gettext_lazy as _

from entractes.models import AccessLogEntry, Role, User


class RoleChoiceField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj: Role) -> str:
        return str(obj.label)


class StaffCreateForm(BaseUserCreationForm):
    roles = RoleChoiceField(queryset=Role.objects.all(), label=_("Rôles"), required=True)

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

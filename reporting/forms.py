"""Forms of the reporting app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reporting import figures, services
from reporting.models import NarrativeBlock


class ReferenceFigureForm(forms.Form):
    key = forms.CharField(
        label=_("Clé"), max_length=120, help_text=_("Par exemple : attendance.contacts")
    )
    year = forms.IntegerField(label=_("Année"), min_value=2000, max_value=2100)
    value = forms.DecimalField(label=_("Valeur"), max_digits=12, decimal_places=3)
    source = forms.CharField(label=_("Source"), max_length=200)

    def clean_key(self) -> str:
        key = self.cleaned_data["key"].strip()
        if not key or " " in key or "." not in key:
            raise forms.ValidationError(_("Une clé du rapport, par exemple attendance.contacts."))
        return key

    def clean(self):
        data = super().clean()
        key, year = data.get("key"), data.get("year")
        if key and year and key not in figures.figure_keys(year):
            self.add_error("key", services.unknown_key_error(key))
        return data


class RemoveForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du retrait"),
        max_length=200,
        error_messages={"required": _("Indiquez pourquoi ce chiffre est retiré.")},
    )


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = NarrativeBlock
        fields = ["kind", "part", "title", "body", "signature", "position"]
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}


class AcceptForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=120)
    note = forms.CharField(label=_("Justification"), max_length=300)


class PublishForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif (obligatoire pour une nouvelle version)"), max_length=300, required=False
    )

"""Forms for persons: they validate and normalise; services write."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import AgeCategory, Gender, LegalIdentity, Person, normalize_code

CODE_PATTERN = re.compile(r"^[A-Z0-9-]{3,12}$")


class PersonForm(forms.ModelForm):
    confirm_new = forms.BooleanField(
        label=_("J'ai vérifié : ce n'est aucune des personnes proposées ci-dessus."),
        required=False,
    )

    class Meta:
        model = Person
        fields = [
            "code",
            "nickname",
            "gender",
            "birth_date",
            "birth_year",
            "age_to_establish",
            "languages",
            "country_of_origin",
            "sex_work",
            "prostitution_modes",
            "uses_drugs",
            "products",
            "referral_source",
            "notes",
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "languages": forms.CheckboxSelectMultiple,
            "prostitution_modes": forms.CheckboxSelectMultiple,
            "products": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "code": {"unique": _("Ce code est déjà attribué à une autre personne.")},
        }

    def __init__(self, *args, show_confirm: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["birth_year"].widget.attrs.update({"min": 1900, "inputmode": "numeric"})
        self.fields["nickname"].widget.attrs.update({"autocomplete": "off"})
        for name in ("languages", "prostitution_modes", "products"):
            self.fields[name].queryset = self.fields[name].queryset.filter(active=True)
        if not show_confirm:
            del self.fields["confirm_new"]

    def clean_code(self) -> str:
        code = normalize_code(self.cleaned_data.get("code") or "")
        if code and not CODE_PATTERN.match(code):
            raise forms.ValidationError(
                _("Le code ne peut contenir que des lettres, des chiffres et des tirets (3 à 12).")
            )
        return code

    def clean_nickname(self) -> str:
        nickname = " ".join(self.cleaned_data["nickname"].split())
        if not nickname:
            raise forms.ValidationError(_("Indiquez un prénom d'usage ou un surnom."))
        return nickname


class IdentityForm(forms.ModelForm):
    class Meta:
        model = LegalIdentity
        fields = ["last_name", "first_names", "birth_date", "birth_place", "nationality"]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class PersonFilterForm(forms.Form):
    q = forms.CharField(label=_("Code ou surnom"), required=False, max_length=80)
    gender = forms.ChoiceField(
        label=_("Genre"), required=False, choices=[("", _("Tous"))] + list(Gender.choices)
    )
    category = forms.ChoiceField(
        label=_("Âge"), required=False, choices=[("", _("Tous"))] + list(AgeCategory.choices)
    )
    activity = forms.ChoiceField(
        label=_("Activité"),
        required=False,
        choices=[
            ("", _("Toutes")),
            ("sex_work", _("Travail du sexe")),
            ("uses_drugs", _("Usage de drogues")),
            ("both", _("Les deux")),
        ],
    )


class MergeForm(forms.Form):
    duplicate_code = forms.CharField(
        label=_("Code de la fiche en double"),
        max_length=12,
        help_text=_("Ses contacts et suivis seront rattachés à la fiche actuelle."),
    )

    def __init__(self, *args, kept: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept = kept

    def clean_duplicate_code(self) -> Person:
        code = normalize_code(self.cleaned_data["duplicate_code"])
        duplicate = Person.objects.filter(code=code).first()
        if duplicate is None:
            raise forms.ValidationError(_("Aucune fiche active ne porte ce code."))
        if duplicate.pk == self.kept.pk:
            raise forms.ValidationError(_("C'est la fiche actuelle : indiquez le code du doublon."))
        return duplicate

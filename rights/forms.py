"""Forms of access to rights."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.forms import PersonCodeField
from entractes.models import User
from rights.models import Procedure, ProcedureTheme, PSPDocumentKind, PSPFile


class ProcedureForm(forms.ModelForm):
    person = PersonCodeField()

    class Meta:
        model = Procedure
        fields = [
            "person",
            "theme",
            "request",
            "body",
            "worker",
            "opened_on",
            "missing_documents",
            "next_action",
            "next_action_due",
        ]
        widgets = {
            "opened_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "next_action_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "missing_documents": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        if instance and instance.pk:
            kwargs.setdefault("initial", {})["person"] = instance.person.code
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = ProcedureTheme.objects.filter(active=True)
        self.fields["worker"].queryset = User.objects.filter(is_active=True)

    def clean_opened_on(self):
        day = self.cleaned_data["opened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Une démarche ne peut pas être ouverte dans le futur."))
        return day


class StepForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Démarche effectuée"), max_length=500)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Nouvel état"), choices=Procedure.Status.choices)
    on = forms.DateField(
        label=_("Le"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )


class PSPCreateForm(forms.Form):
    person = PersonCodeField()


class PSPFileForm(forms.ModelForm):
    class Meta:
        model = PSPFile
        fields = ["worker", "documents", "dependants", "permit_start", "permit_end", "notes"]
        widgets = {
            "documents": forms.CheckboxSelectMultiple,
            "permit_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "permit_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = PSPDocumentKind.objects.filter(active=True)
        self.fields["worker"].queryset = User.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if (
            data.get("permit_start")
            and data.get("permit_end")
            and data["permit_end"] <= data["permit_start"]
        ):
            self.add_error("permit_end", _("La fin du titre de séjour doit suivre son début."))
        return data


def _date(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class TransitionForm(forms.Form):
    """The data a step of the PSP workflow may need; the service says what is missing."""

    to = forms.ChoiceField(choices=PSPFile.State.choices, widget=forms.HiddenInput)
    filed_on = _date(_("Déposé le"))
    commission_date = _date(_("Date de commission"))
    decision = forms.ChoiceField(
        label=_("Avis"), required=False, choices=[("", "—"), *PSPFile.Decision.choices]
    )
    decision_on = _date(_("Avis rendu le"))
    decision_reason = forms.CharField(label=_("Motif"), required=False, max_length=300)
    review_outcome = forms.ChoiceField(
        label=_("Issue du réexamen"), required=False, choices=[("", "—"), *PSPFile.Decision.choices]
    )
    review_on = _date(_("Réexamen le"))
    path_start = _date(_("Début du parcours"))
    path_end = _date(_("Fin du parcours"))


class ProcedureFilterForm(forms.Form):
    """The team's procedure list filters, read from the query string."""

    team = forms.BooleanField(required=False)
    theme = forms.SlugField(label=_("Thème"), required=False)
    status = forms.ChoiceField(
        label=_("État"), choices=[("", "—"), *Procedure.Status.choices], required=False
    )
    worker = forms.ModelChoiceField(
        label=_("Intervenant·e"), queryset=User.objects.all(), required=False
    )

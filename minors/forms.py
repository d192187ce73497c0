"""Forms of the minors' follow-up, training and prevention."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.forms import PersonCodeField
from contacts.models import AgeCategory, Partner, Product
from entractes.models import User
from minors.models import (
    AwarenessSession,
    EducationalMeasure,
    FilePartner,
    MinorFile,
    PartnerExchange,
    ProductUse,
    ReceivedReport,
    Runaway,
    SafeguardingReport,
    SchoolSession,
    TrainingCycle,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MinorFileForm(forms.ModelForm):
    person = PersonCodeField()

    class Meta:
        model = MinorFile
        fields = [
            "person",
            "opened_on",
            "worker",
            "first_meeting_on",
            "first_meeting_place",
            "to_assess",
            "closed_on",
            "close_reason",
            "notes",
        ]
        widgets = {
            "opened_on": DATE,
            "first_meeting_on": DATE,
            "closed_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        if instance and instance.pk:
            kwargs.setdefault("initial", {})["person"] = instance.person.code
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = User.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        person, opened = data.get("person"), data.get("opened_on")
        if (
            person
            and opened
            and not self.instance.pk
            and person.age_category_on(opened) == AgeCategory.ADULT
        ):
            self.add_error(
                "person", _("Le suivi est ouvert aux moins de 21 ans (ou d'âge à déterminer).")
            )
        return data


class PeriodForm(forms.ModelForm):
    class Meta:
        fields = ["start", "end"]
        widgets = {"start": DATE, "end": DATE}

    def clean_start(self):
        start = self.cleaned_data["start"]
        if start > timezone.localdate():
            raise forms.ValidationError(_("La date de début ne peut pas être dans le futur."))
        return start


class MeasureForm(PeriodForm):
    class Meta(PeriodForm.Meta):
        model = EducationalMeasure
        fields = ["kind", "start", "end"]


class RunawayForm(PeriodForm):
    class Meta(PeriodForm.Meta):
        model = Runaway
        fields = ["start", "end", "housed_by", "housed_where"]


class ProductUseForm(PeriodForm):
    class Meta(PeriodForm.Meta):
        model = ProductUse
        fields = ["product", "start", "end"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(active=True)


class FilePartnerForm(forms.ModelForm):
    class Meta:
        model = FilePartner
        fields = ["partner", "referent", "referent_contact"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(active=True)


class ExchangeForm(forms.ModelForm):
    class Meta:
        model = PartnerExchange
        fields = ["date", "partner", "note"]
        widgets = {"date": DATE}


class SafeguardingForm(forms.ModelForm):
    class Meta:
        model = SafeguardingReport
        fields = ["kind", "date", "to_whom", "grounds", "answer", "answer_on"]
        widgets = {
            "date": DATE,
            "answer_on": DATE,
            "grounds": forms.Textarea(attrs={"rows": 2}),
            "answer": forms.Textarea(attrs={"rows": 2}),
        }


# Sub-records added from a file's page: slug -> (form, title).
SUBFORMS = {
    "measure": (MeasureForm, _("Mesure éducative")),
    "runaway": (RunawayForm, _("Fugue")),
    "use": (ProductUseForm, _("Consommation")),
    "partner": (FilePartnerForm, _("Partenaire")),
    "exchange": (ExchangeForm, _("Échange avec un partenaire")),
    "safeguarding": (SafeguardingForm, _("Signalement aux autorités")),
}
# Dated sub-records that can be ended from the file's page.
ENDABLE = {"measure": EducationalMeasure, "runaway": Runaway, "use": ProductUse}


class EndForm(forms.Form):
    end = forms.DateField(label=_("Fin"), widget=DATE)


class ReceivedReportForm(forms.ModelForm):
    class Meta:
        model = ReceivedReport
        fields = ["received_on", "partner", "from_whom", "description"]
        widgets = {"received_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}


class LinkReportForm(forms.Form):
    person = PersonCodeField()
    linked_on = forms.DateField(label=_("Rencontré·e le"), widget=DATE)


class TrainingCycleForm(forms.ModelForm):
    class Meta:
        model = TrainingCycle
        fields = [
            "title",
            "institute",
            "start_date",
            "end_date",
            "days",
            "trainees",
            "trainees_departement",
            "satisfaction",
        ]
        widgets = {"start_date": DATE, "end_date": DATE}


class AwarenessSessionForm(forms.ModelForm):
    class Meta:
        model = AwarenessSession
        fields = ["host", "date", "audience", "people"]
        widgets = {"date": DATE}


class SchoolSessionForm(forms.ModelForm):
    class Meta:
        model = SchoolSession
        fields = ["school", "date", "levels", "pupils", "boys", "girls", "satisfaction", "interest"]
        widgets = {"date": DATE}


TRAINING_FORMS = {
    "cycle": (TrainingCycleForm, _("Cycle de formation")),
    "awareness": (AwarenessSessionForm, _("Sensibilisation")),
    "school": (SchoolSessionForm, _("Animation scolaire")),
}

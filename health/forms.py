"""Health forms: they validate and normalise; services write."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.forms import PersonCodeField
from contacts.models import Person, normalize_code
from health.models import Act, Consultation, ConsultationAct, HealthSession, Workshop


class ConsultationForm(forms.ModelForm):
    person = PersonCodeField()
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    time = forms.TimeField(
        label=_("Heure"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    class Meta:
        model = Consultation
        fields = [
            "person",
            "line",
            "session",
            "modality",
            "clinical_note",
            "shared_note",
            "next_appointment",
        ]
        widgets = {
            "clinical_note": forms.Textarea(attrs={"rows": 4}),
            "next_appointment": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, lines, sessions, **kwargs):
        instance = kwargs.get("instance")
        initial = kwargs.setdefault("initial", {})
        moment = timezone.localtime(instance.at if instance and instance.pk else timezone.now())
        initial.setdefault("date", moment.date())
        initial.setdefault("time", moment.time().replace(second=0, microsecond=0))
        if instance and instance.pk:
            initial.setdefault("person", instance.person.code)
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines
        self.fields["session"].queryset = sessions
        self.order_fields(["person", "line", "date", "time", "session", "modality"])

    def clean(self):
        data = super().clean()
        day, time = data.get("date"), data.get("time")
        if day and time:
            moment = timezone.make_aware(datetime.datetime.combine(day, time))
            if moment > timezone.now() + datetime.timedelta(minutes=5):
                self.add_error("date", _("Une consultation ne peut pas être datée dans le futur."))
            data["at"] = moment
        session, line = data.get("session"), data.get("line")
        if session and line and session.line_id != line.pk:
            self.add_error("session", _("Cette permanence est d'une autre ligne."))
        return data

    def consultation_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["at"] = self.cleaned_data["at"]
        return data


class ActForm(forms.ModelForm):
    class Meta:
        model = ConsultationAct
        fields = ["act", "detail", "result"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["act"].queryset = Act.objects.filter(active=True)

    def clean(self):
        data = super().clean()
        act = data.get("act")
        if act and act.needs_detail and not data.get("detail"):
            self.add_error(
                "detail", _("Précisez l'acte « %(act)s » (par exemple quel vaccin).") % {"act": act}
            )
        return data


class BaseActFormSet(forms.BaseFormSet):
    def acts(self) -> list[dict]:
        return [
            {
                "act": f.cleaned_data["act"],
                "detail": f.cleaned_data.get("detail", ""),
                "result": f.cleaned_data.get("result", ""),
            }
            for f in self.forms
            if f.cleaned_data.get("act") and not self._should_delete_form(f)
        ]


ActFormSet = forms.formset_factory(ActForm, formset=BaseActFormSet, extra=3, can_delete=True)


class HealthSessionForm(forms.ModelForm):
    class Meta:
        model = HealthSession
        fields = [
            "line",
            "kind",
            "date",
            "start_time",
            "end_time",
            "place",
            "practitioner",
            "partner_name",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = lines


class ParticipantForm(forms.Form):
    person = PersonCodeField(required=False, label=_("Participant·e (code ou surnom)"))


class BaseParticipantFormSet(forms.BaseFormSet):
    """The persons who took part in a group session, one a row (typing a nickname
    suggests codes); an empty row is ignored, a person named twice counts once."""

    def __init__(self, *args, session: HealthSession, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session

    def clean(self):
        if any(self.errors):
            return
        if self.persons() and self.session.kind != HealthSession.Kind.WORKSHOP:
            raise forms.ValidationError(
                _(
                    "Les participant·es se notent sur une séance collective (type « Atelier ») : "
                    "à une permanence, notez une consultation par personne."
                )
            )

    def persons(self) -> list[Person]:
        found: dict[int, Person] = {}
        for form in self.forms:
            person = form.cleaned_data.get("person")
            if person is not None:
                found.setdefault(person.pk, person)
        return list(found.values())


ParticipantFormSet = forms.formset_factory(
    ParticipantForm, formset=BaseParticipantFormSet, extra=6, max_num=200, validate_max=True
)


class WorkshopForm(forms.ModelForm):
    participant_codes = forms.CharField(
        label=_("Participant·es connu·es (codes séparés par des espaces)"), required=False
    )

    class Meta:
        model = Workshop
        fields = [
            "title",
            "date",
            "line",
            "animators",
            "participants_count",
            "outcomes",
            "appointments_booked",
        ]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_participant_codes(self) -> list[Person]:
        codes = [
            normalize_code(c) for c in (self.cleaned_data.get("participant_codes") or "").split()
        ]
        persons = list(Person.objects.filter(code__in=codes))
        missing = sorted(set(codes) - {p.code for p in persons})
        if missing:
            raise forms.ValidationError(
                _("Codes inconnus : %(codes)s") % {"codes": ", ".join(missing)}
            )
        return persons

    def clean(self):
        data = super().clean()
        known = len(data.get("participant_codes") or [])
        if data.get("participants_count") is not None and data["participants_count"] < known:
            self.add_error(
                "participants_count", _("Moins de participant·es que de personnes connues listées.")
            )
        if data.get("date") and data["date"] > timezone.localdate():
            self.add_error("date", _("Un atelier ne peut pas être daté dans le futur."))
        return data


class SessionParamForm(forms.Form):
    """The ``?session=`` a consultation is started from."""

    session = forms.IntegerField(
        label=_("Permanence"), min_value=1, max_value=2**63 - 1, required=False
    )

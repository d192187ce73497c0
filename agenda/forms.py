"""Forms of the agenda: they validate and normalise; the services of contacts write."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts import access as contacts_access
from contacts.forms import PersonCodeField
from contacts.models import Action, HandoverNote
from entractes.models import User
from minors import access as minors_access

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActionForm(forms.ModelForm):
    person = PersonCodeField(
        required=False,
        label=_("Personne (code)"),
        help_text=_("Vide : une action pour le service."),
    )

    class Meta:
        model = Action
        fields = [
            "title",
            "person",
            "due_on",
            "due_time",
            "urgent",
            "category",
            "domain",
            "assignee",
            "team",
            "note",
        ]
        widgets = {
            "due_on": DATE,
            "due_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user: User, domains: list[str], **kwargs):
        instance = kwargs.get("instance")
        if instance is not None and instance.pk and instance.person is not None:
            kwargs["initial"] = {**(kwargs.get("initial") or {}), "person": instance.person.code}
        super().__init__(*args, **kwargs)
        self.user = user
        # An action read through its domain keeps it (the service's own general ones are
        # read by every holder of "actions.use").
        kept = {instance.domain} if instance is not None and instance.pk else set()
        self.fields["domain"].choices = [
            (value, label) for value, label in Action.Domain.choices if value in {*domains, *kept}
        ]
        self.fields["assignee"].queryset = User.objects.filter(is_active=True).order_by(
            "first_name", "username"
        )
        self.fields["assignee"].empty_label = _("Personne en particulier : l'équipe choisie")
        self.fields["title"].widget.attrs["placeholder"] = _(
            "Ex. : accompagner au CeGIDD, rappeler la CAF…"
        )

    def clean_person(self):
        person = self.cleaned_data["person"]
        if person is None:
            return None
        reachable = contacts_access.persons_for_user(self.user).filter(pk=person.pk).exists()
        if not reachable:
            # A minors' worker reaches the young people they follow, and no one else.
            reachable = minors_access.files_for_user(self.user).filter(person=person).exists()
        if not reachable:
            raise forms.ValidationError(
                _("Aucune personne ne porte le code %(code)s.") % {"code": person.code}
            )
        return person

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        creating = self.instance.pk is None
        if creating and day < timezone.localdate():
            raise forms.ValidationError(
                _("Une nouvelle action ne peut pas être due dans le passé.")
            )
        return day

    def clean(self):
        data = super().clean()
        if (
            data.get("domain") == Action.Domain.GENERAL
            and data.get("person") is not None
            and not self.user.has_capability("persons.view")
        ):
            self.add_error("domain", _("Choisissez le domaine du suivi de cette personne."))
        return data


class HandoverNoteForm(forms.ModelForm):
    class Meta:
        model = HandoverNote
        fields = ["date", "shift", "happened", "to_watch"]
        widgets = {
            "date": DATE,
            "shift": forms.RadioSelect,
            "happened": forms.Textarea(attrs={"rows": 4}),
            "to_watch": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "happened": _("Ce que l'équipe suivante doit savoir : pseudonymes, jamais d'identité."),
            "to_watch": _("Une personne à revoir, un lieu tendu, du matériel à apporter…"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shift"].choices = list(HandoverNote._meta.get_field("shift").choices or [])

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Une transmission ne peut pas être datée dans le futur."))
        return day

    def clean(self):
        data = super().clean()
        if not (data.get("happened") or "").strip() and not (data.get("to_watch") or "").strip():
            self.add_error("happened", _("Écrivez ce qui s'est passé ou ce qu'il faut surveiller."))
        return data


class WeekForm(forms.Form):
    du = forms.DateField(label=_("Semaine du"), required=False, widget=DATE)
    jour = forms.DateField(label=_("Jour"), required=False, widget=DATE)

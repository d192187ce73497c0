"""Forms for persons: they validate and normalise; services write."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from contacts.models import (
    CLOCK_TOLERANCE,
    PARTIES,
    AgeCategory,
    Channel,
    Gender,
    LeaveReason,
    LegalIdentity,
    MediationEvent,
    MediationTheme,
    OnlineRoundSite,
    Partner,
    Person,
    PlaceObservation,
    Service,
    Session,
    SessionKind,
    SessionMaterial,
    SessionService,
    Theme,
    Zone,
    normalize_code,
)
from entractes.models import User

CODE_PATTERN = re.compile(r"^[A-Z0-9-]{3,12}$")


class PersonCodeInput(forms.TextInput):
    """The code box, whose typing asks the server for matching persons (by POST, so no
    name travels in a URL) and fills the page's ``<datalist id="person-options">``."""

    def __init__(self, attrs=None):
        super().__init__(
            {
                "list": "person-options",
                "autocomplete": "off",
                "hx-post": reverse_lazy("contacts:person-suggest"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#person-options",
                "hx-swap": "innerHTML",
                **(attrs or {}),
            }
        )

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Only this box is sent, never the rest of the form.
        context["widget"]["attrs"]["hx-params"] = name
        return context


class PersonCodeField(forms.CharField):
    """A person typed by code (with the autocomplete); merged records lead to the kept one.

    Archived persons are not found.
    """

    widget = PersonCodeInput

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Personne (code)"))
        kwargs.setdefault("max_length", 12)
        super().__init__(**kwargs)

    def clean(self, value):
        code = normalize_code(super().clean(value) or "")
        if not code:
            if self.required:
                raise forms.ValidationError(_("Indiquez la personne par son code."))
            return None
        person = (
            Person.all_objects.filter(code=code, archived_at__isnull=True)
            .select_related("merged_into")
            .first()
        )
        if person is None:
            raise forms.ValidationError(
                _("Aucune personne ne porte le code %(code)s.") % {"code": code}
            )
        return person.merged_into or person


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
            "objects_to_health_sharing",
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
    # Empty: the active file (and whoever the typed code names, out of it or not).
    file = forms.ChoiceField(
        label=_("File active"),
        required=False,
        choices=[("", _("Oui")), ("out", _("Non (sorties)")), ("all", _("Toutes"))],
    )


class _FileChangeForm(forms.Form):
    """A change of the active file: its day (today unless told) and a short note."""

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Précision"),
        required=False,
        max_length=500,
        help_text=_("Facultatif. Pas de nom de tiers, pas de détail médical."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("date", timezone.localdate())
        super().__init__(*args, **kwargs)

    def clean_date(self) -> datetime.date:
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("La date ne peut pas être dans le futur."))
        return day


class LeaveFileForm(_FileChangeForm):
    reason = forms.ChoiceField(
        label=_("Motif"), choices=LeaveReason.choices, widget=forms.RadioSelect
    )
    field_order = ["reason", "date", "note"]


class ReturnFileForm(_FileChangeForm):
    pass


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


class MergeChoiceForm(forms.Form):
    """Which value wins for each profile field on which the two records disagree
    (the kept record's unless told otherwise)."""

    def __init__(self, *args, kept: Person, duplicate: Person, fields: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in fields:
            label = Person._meta.get_field(name).verbose_name
            if name == "birth_date":
                label = _("date ou année de naissance")
            self.fields[f"choice_{name}"] = forms.ChoiceField(
                label=capfirst(label),
                choices=[
                    ("kept", f"{_describe(kept, name)} ({kept.code})"),
                    ("duplicate", f"{_describe(duplicate, name)} ({duplicate.code})"),
                ],
                initial="kept",
                required=False,
                widget=forms.RadioSelect,
            )

    def choices(self) -> dict[str, str]:
        return {
            name.removeprefix("choice_"): value
            for name, value in self.cleaned_data.items()
            if value
        }


def _describe(person: Person, name: str) -> str:
    if name == "birth_date":
        if person.birth_date:
            return date_format(person.birth_date, "SHORT_DATE_FORMAT")
        return str(person.birth_year)
    value = getattr(person, name)
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    display = getattr(person, f"get_{name}_display", None)
    return str(display() if display else getattr(person, name))


# --- Field work -----------------------------------------------------------------------


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = ["kind", "date", "start_time", "end_time", "zones", "staff", "report"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "zones": forms.CheckboxSelectMultiple,
            "staff": forms.CheckboxSelectMultiple,
            "report": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zones"].queryset = Zone.objects.filter(active=True)
        self.fields["staff"].queryset = User.objects.filter(is_active=True)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Une session ne peut pas être datée dans le futur."))
        return day


class ContactRowForm(forms.Form):
    """One contact: a row of the round sheet, or the single-contact form.

    Material quantities are one field per material (``qty_<slug>``); the sheet shows
    the most used ones as columns, the single-contact form all of them. The contact's
    moment comes out as ``occurred_at``: the session's day at the row's time, or, outside
    a session (``with_day``), the day and time typed; a moment to come is refused.
    """

    person = PersonCodeField(required=False, help_text=_("Vide : contact anonyme."))
    anonymous_gender = forms.ChoiceField(
        label=_("Genre estimé"), required=False, choices=[("", "—"), *Gender.choices]
    )
    anonymous_age_category = forms.ChoiceField(
        label=_("Âge estimé"), required=False, choices=[("", "—"), *AgeCategory.choices]
    )
    channel = forms.ModelChoiceField(label=_("Canal"), queryset=Channel.objects.none())
    caarud = forms.BooleanField(label=_("CAARUD"), required=False)
    time = forms.TimeField(
        label=_("Heure"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    themes = forms.ModelMultipleChoiceField(
        label=_("Thèmes"),
        queryset=Theme.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Prestations"),
        queryset=Service.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referrals = forms.ModelMultipleChoiceField(
        label=_("Orientations"),
        queryset=Partner.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)

    def __init__(
        self,
        *args,
        materials,
        can_identify: bool,
        refs=None,
        session: Session | None = None,
        with_day: bool = False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.session = session
        if with_day:
            self.fields["day"] = forms.DateField(
                label=_("Date"),
                error_messages={"required": _("Indiquez la date du contact.")},
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )
        refs = refs or reference_choices()
        for name, (queryset, choices) in refs.items():
            self.fields[name].queryset = queryset
            # Choices read once for the whole sheet, not once per row.
            self.fields[name].choices = choices
        self.materials = list(materials)
        for material in self.materials:
            self.fields[f"qty_{material.slug}"] = forms.IntegerField(
                label=material.name,
                required=False,
                min_value=0,
                max_value=10000,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "class": "qty"}),
            )
        if not can_identify:
            del self.fields["person"]
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"

    def clean(self):
        data = super().clean()
        if data.get("person"):
            data["anonymous_gender"] = ""
            data["anonymous_age_category"] = ""
        elif not data.get("anonymous_gender") and not {"person", "anonymous_gender"} & set(
            self.errors
        ):
            self.add_error(
                "anonymous_gender",
                _(
                    "Contact anonyme : indiquez le genre estimé (« Inconnu » s'il n'a "
                    "pas pu être estimé)."
                ),
            )
        self._clean_moment(data)
        data["material"] = {
            material: data.pop(f"qty_{material.slug}")
            for material in self.materials
            if data.get(f"qty_{material.slug}")
        }
        return data

    def _clean_moment(self, data) -> None:
        if "time" in self.errors:
            return
        time = data.get("time")
        if "day" in self.fields:
            day = data.get("day")
            if day is None:
                return
            if day > timezone.localdate():
                self.add_error("day", _("Un contact ne peut pas être daté dans le futur."))
                return
            time = time or timezone.localtime().time().replace(second=0, microsecond=0)
            moment = timezone.make_aware(datetime.datetime.combine(day, time))
        elif self.session is not None:
            moment = self.session.moment(time)
        else:
            return
        if moment > timezone.now() + CLOCK_TOLERANCE:
            self.add_error(
                "time",
                _(
                    "Cette heure n'est pas encore passée : un contact ne peut pas être daté dans le futur."
                ),
            )
            return
        data["occurred_at"] = moment


def reference_choices() -> dict:
    """The active reference lists of a contact form, read once for a whole sheet."""
    lists = {
        "channel": (Channel.objects.filter(active=True), forms.ModelChoiceField),
        "themes": (Theme.objects.filter(active=True), forms.ModelMultipleChoiceField),
        "services": (Service.objects.filter(active=True), forms.ModelMultipleChoiceField),
        "referrals": (Partner.objects.filter(active=True), forms.ModelMultipleChoiceField),
    }
    return {
        name: (qs, list(field_class(queryset=qs).choices))
        for name, (qs, field_class) in lists.items()
    }


# More contacts than any round has ever had: a bigger post is refused before its rows
# are built, so a forged sheet of 100 000 rows cannot tie a server worker up.
ROUND_SHEET_MAX_ROWS = 200


class BaseRowFormSet(forms.BaseFormSet):
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_many_forms": _(
            "Une feuille de tournée compte au plus %(num)d contacts : rien n'a été "
            "enregistré, enregistrez-la en plusieurs fois."
        ),
    }

    def clean(self):
        if any(self.errors):
            return
        if not any(
            form.has_changed() and not self._should_delete_form(form) for form in self.forms
        ):
            raise forms.ValidationError(_("Ajoutez au moins un contact avant d'enregistrer."))


ContactRowFormSet = forms.formset_factory(
    ContactRowForm,
    formset=BaseRowFormSet,
    extra=0,
    can_delete=True,
    max_num=ROUND_SHEET_MAX_ROWS,
    validate_max=True,
    absolute_max=ROUND_SHEET_MAX_ROWS,
)


class SessionMaterialForm(forms.ModelForm):
    class Meta:
        model = SessionMaterial
        fields = ["material", "quantity", "mode", "partner"]


SessionMaterialFormSet = forms.inlineformset_factory(
    Session, SessionMaterial, form=SessionMaterialForm, extra=2, can_delete=True
)


class SessionServiceForm(forms.ModelForm):
    class Meta:
        model = SessionService
        fields = ["service", "count"]
        widgets = {"count": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(active=True)


SessionServiceFormSet = forms.inlineformset_factory(
    Session, SessionService, form=SessionServiceForm, extra=3, can_delete=True
)


class OnlineRoundSiteForm(forms.ModelForm):
    class Meta:
        model = OnlineRoundSite
        fields = ["site", "messages_sent", "replies"]


OnlineRoundSiteFormSet = forms.inlineformset_factory(
    Session, OnlineRoundSite, form=OnlineRoundSiteForm, extra=3, can_delete=True
)


class FollowerSnapshotForm(forms.Form):
    """A follower count; a second count on the same day replaces the first."""

    channel = forms.ModelChoiceField(
        label=_("Réseau social"),
        queryset=Channel.objects.filter(kind=Channel.Kind.SOCIAL_NETWORK, active=True),
    )
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    followers = forms.IntegerField(label=_("Abonné·es"), min_value=0)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Un relevé ne peut pas être daté dans le futur."))
        return day


class MediationEventForm(forms.ModelForm):
    class Meta:
        model = MediationEvent
        fields = [
            "date",
            "place",
            "zone",
            *[slug for slug, _label in PARTIES],
            "themes",
            "what_happened",
            "follow_up",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "themes": forms.CheckboxSelectMultiple,
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = MediationTheme.objects.filter(active=True)
        for slug, _label in PARTIES:
            self.fields[slug].widget.attrs.update({"inputmode": "numeric", "min": 0})

    def clean(self):
        data = super().clean()
        if not any(data.get(slug) for slug, _label in PARTIES):
            raise forms.ValidationError(_("Indiquez combien de personnes ont été rencontrées."))
        return data


def _period_date(label):
    return forms.DateField(
        label=label,
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )


class SessionFilterForm(forms.Form):
    """The session list's filters, read from the query string: the kind and the period
    (both ends included; either may be left empty)."""

    kind = forms.ChoiceField(
        label=_("Type"), choices=[("", "—"), *SessionKind.choices], required=False
    )
    start = _period_date(_("Du"))
    end = _period_date(_("Au"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in (self.fields["start"], self.fields["end"]):
            field.error_messages["invalid"] = _(
                "« %(field)s » n'est pas une date valide (par exemple 31/03/2026)."
            ) % {"field": field.label}

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error(
                "end",
                _(
                    "La date « %(end_label)s » (%(end)s) précède la date « %(start_label)s » (%(start)s)."
                )
                % {
                    "end_label": self.fields["end"].label,
                    "end": date_format(end, "SHORT_DATE_FORMAT"),
                    "start_label": self.fields["start"].label,
                    "start": date_format(start, "SHORT_DATE_FORMAT"),
                },
            )
        return data


class PlaceObservationForm(forms.ModelForm):
    class Meta:
        model = PlaceObservation
        fields = ["date", "zone", "place", "kind", "note"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "kind": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "note": _("Ce qui a été vu ou entendu du lieu : aucun nom, aucune personne."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["zone"].queryset = Zone.objects.filter(active=True)
        self.fields["kind"].choices = PlaceObservation.Kind.choices  # radios: no blank one

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Une observation ne peut pas être datée dans le futur."))
        return day


class PlaceFilterForm(forms.Form):
    """The observations shown: of a zone, of a kind, between two days."""

    zone = forms.ModelChoiceField(
        label=_("Zone"), queryset=Zone.objects.all(), required=False, empty_label=_("Toutes")
    )
    kind = forms.ChoiceField(
        label=_("Observé"),
        choices=[("", _("Tout"))] + list(PlaceObservation.Kind.choices),
        required=False,
    )
    du = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    au = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and start > end:
            self.add_error("au", _("La fin de la période précède son début."))
        return data

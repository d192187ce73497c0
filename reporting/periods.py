"""The period and filters a figures page is asked for: a calendar year, a month, a
quarter, a semester or any span of days, compared with the same days a year before or
with the period just before, within zones, session kinds, the staff who recorded and
channels."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from django import forms
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Channel, SessionKind, Zone
from entractes.lib.figures import NO_ZONE, OPEN, Scope
from entractes.lib.period import Period
from entractes.models import User

FIRST_YEAR = 2000
COMPARE_YEAR, COMPARE_PRECEDING = "annee", "precedente"


class PeriodForm(forms.Form):
    """The period picker (GET): dates, comparison and filters."""

    du = forms.DateField(label=gettext_lazy("Du"), required=False)
    au = forms.DateField(label=gettext_lazy("Au"), required=False)
    comparer = forms.ChoiceField(
        label=gettext_lazy("Comparer avec"),
        required=False,
        choices=[
            (COMPARE_YEAR, gettext_lazy("la même période un an avant")),
            (COMPARE_PRECEDING, gettext_lazy("la période précédente")),
        ],
    )
    zone = forms.MultipleChoiceField(label=gettext_lazy("Zone"), required=False)
    type = forms.MultipleChoiceField(
        label=gettext_lazy("Type de session"), required=False, choices=SessionKind.choices
    )
    equipe = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Équipe (saisi par)"), required=False, coerce=int
    )
    canal = forms.MultipleChoiceField(label=gettext_lazy("Canal"), required=False)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["zone"].choices = [
            *((zone.slug, zone.name) for zone in Zone.objects.order_by("position", "label")),
            (NO_ZONE, _("Sans zone (local, en ligne, envoi…)")),
        ]
        self.fields["equipe"].choices = [
            (user.pk, user.get_full_name() or user.username)
            for user in User.objects.filter(is_active=True).order_by("first_name", "username")
        ]
        self.fields["canal"].choices = [
            (channel.slug, channel.name)
            for channel in Channel.objects.order_by("position", "label")
        ]
        for name in ("du", "au"):
            self.fields[name].widget = forms.DateInput(
                attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"
            )
        self.fields["comparer"].widget.attrs["class"] = "form-select"
        for name in ("zone", "type", "equipe", "canal"):
            self.fields[name].widget = forms.CheckboxSelectMultiple(
                attrs={"class": "form-check-input"}, choices=self.fields[name].choices
            )

    def scope_fields(self):
        """The filters, in the order of the page."""
        return [self[name] for name in ("zone", "type", "equipe", "canal")]

    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if bool(start) != bool(end) and not self.errors:
            missing = "au" if start else "du"
            self.add_error(missing, _("Indiquez le début et la fin de la période."))
        if start and end:
            if end < start:
                self.add_error("au", _("La fin de la période précède son début."))
            if start.year < FIRST_YEAR:
                self.add_error(
                    "du", _("La période commence au plus tôt en %(year)s.") % {"year": FIRST_YEAR}
                )
            if start > self.today:
                self.add_error("du", _("La période commence après aujourd'hui."))
        return data


@dataclass(frozen=True)
class Choice:
    """What a page shows: the period, what it is compared with, the filters, the form
    (with its errors) and whether the period was chosen by the page itself."""

    period: Period
    before: Period
    scope: Scope
    compare: str
    form: PeriodForm
    chosen: bool
    presets: list[tuple[str, str, bool]] = field(default_factory=list)

    @property
    def year_mode(self) -> bool:
        """A calendar year compared with the year before, unfiltered: the report's year."""
        return self.period.is_year and not self.scope and self.compare == COMPARE_YEAR

    @property
    def hidden(self) -> list[tuple[str, str]]:
        """The period and filters as (name, value) pairs, for a form's hidden fields."""
        return parse_qsl(self.query())

    def query(self, **more) -> str:
        """The query string that asks for the same period and filters."""
        params: list[tuple[str, object]] = [
            ("du", self.period.start.isoformat()),
            ("au", self.period.end.isoformat()),
        ]
        if self.compare != COMPARE_YEAR:
            params.append(("comparer", self.compare))
        for name, values in _form_values(self.scope).items():
            params += [(name, value) for value in values]
        params += list(more.items())
        return urlencode(params)


def _form_values(scope: Scope) -> dict[str, tuple]:
    return {
        "zone": scope.zone,
        "type": scope.kind,
        "equipe": scope.team,
        "canal": scope.channel,
    }


def label(period: Period) -> str:
    """The period in words: "2023", "T2 2024", "mars 2024", "du 3 mars au 9 avril 2024"."""
    start, end = period.start, period.end
    if period.is_year:
        return str(start.year)
    if period == Period.month(start.year, start.month):
        return formats.date_format(start, "F Y")
    for number in (1, 2, 3, 4):
        if period == Period.quarter(start.year, number):
            return _("T%(n)s %(year)s") % {"n": number, "year": start.year}
    for number in (1, 2):
        if period == Period.semester(start.year, number):
            return _("S%(n)s %(year)s") % {"n": number, "year": start.year}
    if start == datetime.date(start.year, 1, 1) and end.year == start.year:
        return _("%(year)s jusqu'au %(end)s") % {
            "year": start.year,
            "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
        }
    return _("du %(start)s au %(end)s") % {
        "start": formats.date_format(start, "SHORT_DATE_FORMAT"),
        "end": formats.date_format(end, "SHORT_DATE_FORMAT"),
    }


def presets(today: datetime.date) -> list[tuple[str, Period]]:
    """The periods offered in one click."""
    month = Period.month(today.year, today.month)
    quarter = Period.quarter(today.year, (today.month - 1) // 3 + 1)
    semester = Period.semester(today.year, 1 if today.month <= 6 else 2)
    return [
        (_("Ce mois-ci"), Period(month.start, today)),
        (_("Le mois dernier"), month.preceding()),
        (_("Ce trimestre"), Period(quarter.start, today)),
        (_("Le trimestre dernier"), quarter.preceding()),
        (_("Ce semestre"), Period(semester.start, today)),
        (_("L'année en cours"), Period(datetime.date(today.year, 1, 1), today)),
        (_("L'année dernière"), Period.calendar_year(today.year - 1)),
    ]


def default_period(today: datetime.date) -> Period:
    """The period a page opens on: the current year to date when it holds records,
    else the last year with records (the previous year without any)."""
    from reporting.figures import has_records, last_year_with_records

    this_year = Period(datetime.date(today.year, 1, 1), today)
    if has_records(this_year):
        return this_year
    last = last_year_with_records(today)
    return Period.calendar_year(last if last else today.year - 1)


def chosen(query, today: datetime.date) -> Choice:
    """The period and filters of a GET query: ``du``/``au`` (or ``year``, a calendar
    year), ``comparer``, ``zone``, ``type``, ``equipe``, ``canal``. Invalid values are
    reported on the form and the page's own period is shown."""
    form = PeriodForm(query or None, today=today)
    valid = form.is_valid() if query else False
    data = form.cleaned_data if valid else {}
    period: Period | None = None
    if data.get("du") and data.get("au"):
        period = Period(data["du"], data["au"])
    elif query and query.get("year") and not form.errors:
        try:
            year = int(query["year"])
        except ValueError:
            year = 0
        if FIRST_YEAR <= year <= today.year:
            period = Period.calendar_year(year)
        else:
            form.add_error(
                None,
                _("Année inconnue : choisissez une année entre %(a)s et %(b)s.")
                % {"a": FIRST_YEAR, "b": today.year},
            )
    own = period is None
    if period is None:
        period = default_period(today)
    scope = (
        Scope(
            zone=tuple(data.get("zone") or ()),
            kind=tuple(data.get("type") or ()),
            team=tuple(data.get("equipe") or ()),
            channel=tuple(data.get("canal") or ()),
        )
        if valid
        else OPEN
    )
    compare = data.get("comparer") or COMPARE_YEAR
    before = period.preceding() if compare == COMPARE_PRECEDING else period.year_before()
    if not form.errors and not (query and query.get("du")):
        form = PeriodForm(
            initial={"du": period.start, "au": period.end, "comparer": compare}, today=today
        )
    offered = [(name, p.start.isoformat(), p.end.isoformat()) for name, p in presets(today)]
    return Choice(
        period,
        before,
        scope,
        compare,
        form,
        not own,
        [
            (
                name,
                urlencode({"du": s, "au": e}),
                (s, e) == (period.start.isoformat(), period.end.isoformat()),
            )
            for name, s, e in offered
        ],
    )


def scope_labels(choice: Choice) -> list[str]:
    """The active filters in words, for the page's heading."""
    form = choice.form
    found = []
    for name, values in _form_values(choice.scope).items():
        if not values:
            continue
        names = dict(form.fields[name].choices)  # type: ignore[attr-defined]
        found.append(
            f"{form.fields[name].label} : " + ", ".join(str(names.get(v, v)) for v in values)
        )
    return found


DIMENSION_LABELS = {
    "zone": gettext_lazy("zone"),
    "kind": gettext_lazy("type de session"),
    "team": gettext_lazy("équipe"),
    "channel": gettext_lazy("canal"),
}

"""Figures of the report's sections 6 (minors and young adults) and 7 (training and
prevention), as in the specification.

A person is *followed in Y* when one of their files is open on a day of Y. Their age
category for Y is taken at their first meeting of Y or, not met in Y, at the later of
1 January and the opening of their file.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest, Least

from contacts import meetings
from contacts.figures import PERSONS
from contacts.models import AgeCategory, Person, Product, ProstitutionMode
from entractes.lib.figures import (
    OPEN,
    Family,
    Figure,
    FigureSet,
    Scope,
    among,
    compute_all,
    records_all,
    share,
)
from entractes.lib.figures import (
    Value as FigureValue,
)
from entractes.lib.period import Period
from minors.models import (
    AwarenessSession,
    EducationalMeasure,
    MinorFile,
    ProductUse,
    ReceivedReport,
    Runaway,
    SchoolSession,
    TrainingCycle,
)

CATEGORIES = [AgeCategory.MINOR, AgeCategory.YOUNG_ADULT, AgeCategory.AGE_UNKNOWN]
GENDERS = {"girl": ["female"], "boy": ["male"], "trans": ["trans_woman", "trans_man", "non_binary"]}
HOUSED_BY = ["clients", "friends", "peers", "family", "alone"]
HOUSED_WHERE = ["flat", "squat", "hotel", "street"]
PLACES = [choice.value for choice in MinorFile.Place]
TOBACCO = "tobacco"
# Listing the records of the minors' follow-up needs the capability that reads their files.
FILES = "minors.read_file"


def _double_measures(period: Period) -> Exists:
    """Two measures of the person in force on one same day of the period."""
    first, last = period.bounds
    other = (
        EducationalMeasure.objects.annotate(end_or_last=Coalesce("end", Value(last)))
        .filter(
            file__person=OuterRef("file__person"),
            start__lte=OuterRef("window_end"),
            end_or_last__gte=OuterRef("window_start"),
        )
        .exclude(pk=OuterRef("pk"))
    )
    measures = (
        EducationalMeasure.objects.overlapping(period)
        .filter(file__person=OuterRef("pk"))
        .annotate(
            window_start=Greatest("start", Value(first)),
            window_end=Least(Coalesce("end", Value(last)), Value(last)),
        )
    )
    return Exists(measures.filter(Exists(other)))


def _followed(period: Period) -> QuerySet:
    """Persons followed in the period, adults left out, with ``ref_day``: the day their
    age category is taken on (first meeting of the period, or the file's opening)."""
    first = period.start
    followed_files = MinorFile.objects.followed_in(period).filter(person=OuterRef("pk"))
    return (
        Person.objects.filter(Exists(followed_files))
        .annotate(
            first_met=meetings.first_meeting(period),
            opened=Subquery(followed_files.order_by("opened_on").values("opened_on")[:1]),
        )
        .annotate(ref_day=Coalesce("first_met", Greatest(Value(first), F("opened"))))
        .exclude(meetings.category_q(AgeCategory.ADULT, "ref_day"))
    )


def _under_18(period: Period) -> Q:
    """Under 18 on at least one day of the period (the base of the runaway figures)."""
    return Q(turns_18_on__gt=period.start)


def _runaways(period: Period) -> QuerySet:
    """Runaway episodes overlapping the period, on files followed in the period."""
    return Runaway.objects.overlapping(period).filter(
        file__in=MinorFile.objects.followed_in(period)
    )


def _persons(period: Period) -> FigureSet:
    followed_files = MinorFile.objects.followed_in(period).filter(person=OuterRef("pk"))
    uses = ProductUse.objects.overlapping(period).filter(file__person=OuterRef("pk"))
    products = [
        slug
        for slug in Product.objects.order_by("position").values_list("slug", flat=True)
        if slug != TOBACCO
    ]
    base = (
        _followed(period)
        .annotate(
            age=meetings.age_number("ref_day"),
            runaway=Exists(_runaways(period).filter(file__person=OuterRef("pk"))),
            any_measure=Exists(
                EducationalMeasure.objects.overlapping(period).filter(file__person=OuterRef("pk"))
            ),
            double_measure=_double_measures(period),
            to_assess=Exists(followed_files.filter(to_assess=True)),
            consumer=Exists(uses.exclude(product__slug=TOBACCO)),
            tobacco=Exists(uses.filter(product__slug=TOBACCO)),
            **{f"use_{p}": Exists(uses.filter(product__slug=p)) for p in products},
            **{
                f"met_{place}": Exists(followed_files.filter(first_meeting_place=place))
                for place in PLACES
            },
        )
        # Read once per person from a subquery, not once per figure.
        .distinct()
    )

    def cat(category: str) -> Q:
        return meetings.category_q(category, "ref_day")

    minor = cat(AgeCategory.MINOR)
    under_18 = _under_18(period)
    figures = [Figure("minors.people")]
    figures += [Figure(f"minors.people.{c}", cat(c)) for c in CATEGORIES]
    figures += [
        Figure(f"minors.age.{n}", minor & Q(age__gte=n * 10000, age__lt=(n + 1) * 10000))
        for n in range(10, 18)
    ]
    figures += [
        Figure(f"minors.gender.{g}", minor & Q(gender__in=slugs)) for g, slugs in GENDERS.items()
    ]
    figures += [
        Figure("minors.measures.single", minor & Q(any_measure=True, double_measure=False)),
        Figure("minors.measures.double", minor & Q(double_measure=True)),
        Figure("minors.measures.none", minor & Q(any_measure=False, to_assess=False)),
        Figure("minors.measures.to_assess", minor & Q(any_measure=False, to_assess=True)),
        Figure("minors.runaways.base", under_18),
        Figure("minors.runaways.people", under_18 & Q(runaway=True)),
    ]
    modes = tuple(ProstitutionMode.objects.order_by("position").values_list("slug", flat=True))
    families = []
    for c in CATEGORIES:
        figures.append(Figure(f"minors.consumers.{c}", cat(c) & Q(consumer=True)))
        figures.append(Figure(f"minors.tobacco.{c}", cat(c) & Q(tobacco=True)))
        figures += [
            Figure(f"minors.products.{c}.{p}", cat(c) & Q(**{f"use_{p}": True})) for p in products
        ]
        figures += [
            Figure(f"minors.first_meeting.{c}.{place}", cat(c) & Q(**{f"met_{place}": True}))
            for place in PLACES
        ]
        families.append(
            Family(f"minors.prostitution_modes.{c}.{{}}", "prostitution_modes__slug", modes, cat(c))
        )
    return FigureSet(
        base, tuple(figures), families=tuple(families), listing=PERSONS, capability=FILES
    )


# Training and prevention are filtered by the staff who recorded them; the minors'
# follow-up (files open over a period) by nothing.
TEAM = {"team": among("created_by")}


def figure_sets(period: Period | int, scope: Scope = OPEN) -> list[FigureSet]:
    """Every declared figure of the app for a period (a year's number: that year)."""
    period = Period.of(period)
    last = period.end
    # Episodes, not persons: those of the persons in ``minors.runaways.base``.
    runaways = _runaways(period).filter(
        file__person__in=_followed(period).filter(_under_18(period)).values("pk")
    )
    housing = (
        Family("minors.runaways.housed_by.{}", "housed_by", tuple(HOUSED_BY)),
        Family("minors.runaways.housed_where.{}", "housed_where", tuple(HOUSED_WHERE)),
    )
    trainings = TrainingCycle.objects.filter(period.within("start_date"))
    schools = SchoolSession.objects.filter(period.within("date"))
    return [
        _persons(period),
        FigureSet(runaways, (), families=housing, capability=FILES),
        FigureSet(
            ReceivedReport.objects.filter(period.within("received_on")),
            (Figure("minors.reported_not_met", Q(linked_on__isnull=True) | Q(linked_on__gt=last)),),
            capability=FILES,
        ),
        FigureSet(
            trainings,
            (
                Figure("training.cycles"),
                Figure("training.days", Q(), "sum", "days"),
                Figure("training.trainees", Q(), "sum", "trainees"),
                Figure("_training.trainees_departement", Q(), "sum", "trainees_departement"),
                Figure(
                    "_training.satisfaction_weight",
                    Q(satisfaction__isnull=False),
                    "sum",
                    "trainees",
                ),
                # Figure also sums an expression (its ``field`` is annotated as a name).
                Figure(
                    "_training.satisfaction_points",
                    Q(),
                    "sum",
                    F("satisfaction") * F("trainees"),  # type: ignore[arg-type]
                ),
            ),
            unlisted=frozenset({"training.days"}),
            filters=TEAM,
            additive=True,
        ),
        FigureSet(
            AwarenessSession.objects.filter(period.within("date")),
            (Figure("awareness.sessions"),),
            filters=TEAM,
            additive=True,
        ),
        FigureSet(
            schools,
            (
                Figure("schools.sessions"),
                Figure("schools.pupils", Q(), "sum", "pupils"),
                Figure("schools.boys", Q(), "sum", "boys"),
                Figure("schools.girls", Q(), "sum", "girls"),
                Figure(
                    "_schools.satisfaction_weight", Q(satisfaction__isnull=False), "sum", "pupils"
                ),
                Figure(
                    "_schools.satisfaction_points",
                    Q(),
                    "sum",
                    F("satisfaction") * F("pupils"),  # type: ignore[arg-type]
                ),
                Figure("_schools.interest_weight", Q(interest__isnull=False), "sum", "pupils"),
                Figure(
                    "_schools.interest_points",
                    Q(),
                    "sum",
                    F("interest") * F("pupils"),  # type: ignore[arg-type]
                ),
            ),
            filters=TEAM,
            additive=True,
        ),
    ]


def _rate(points, weight) -> float | None:
    """A rate from percentages weighted by people, as a share between 0 and 1."""
    return share(points, (weight or 0) * 100)


def figures(period: Period | int, scope: Scope = OPEN) -> dict[str, FigureValue]:
    """Every key of sections 6 and 7 for a period, in a fixed number of queries."""
    raw = compute_all(figure_sets(period, scope), scope)
    values: dict[str, FigureValue] = {k: v for k, v in raw.items() if not k.startswith("_")}
    days = raw["training.days"]
    if days is not None:
        values["training.days"] = int(days) if days == int(days) else float(days)
    values["training.trainees_departement_share"] = share(
        raw["_training.trainees_departement"], values["training.trainees"]
    )
    values["training.satisfaction"] = _rate(
        raw["_training.satisfaction_points"], raw["_training.satisfaction_weight"]
    )
    values["schools.satisfaction"] = _rate(
        raw["_schools.satisfaction_points"], raw["_schools.satisfaction_weight"]
    )
    values["schools.interest"] = _rate(
        raw["_schools.interest_points"], raw["_schools.interest_weight"]
    )
    return values


def records(key: str, period: Period | int, scope: Scope = OPEN) -> list[QuerySet]:
    return records_all(figure_sets(period, scope), key, scope)

"""Figures of the report's sections 1 (key figures, material), 4 (mediation) and
5 (online work), as in the annual-report specification.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    When,
)
from django.db.models import Value as Constant
from django.db.models.functions import ExtractMonth
from django.db.models.lookups import In
from django.utils.translation import gettext as _

from contacts import meetings
from contacts.models import (
    PARTIES,
    AgeCategory,
    Channel,
    Contact,
    ContactMaterial,
    FollowerSnapshot,
    Gender,
    Material,
    MediationEvent,
    MediationTheme,
    OnlineRoundSite,
    Person,
    Product,
    Service,
    SessionMaterial,
    Theme,
)
from contacts.scope import contact_filters, session_zone, zone_field
from entractes.lib.figures import (
    OPEN,
    Family,
    Figure,
    FigureSet,
    Listing,
    Scope,
    Value,
    among,
    compute_all,
    records_all,
    share,
)
from entractes.lib.period import Period

ONLINE = Q(channel__kind__in=Channel.ONLINE)

# Drill-down rows: pseudonyms and dates, never a record's content.
PERSONS = Listing(lambda p: [p.code, p.nickname])
CONTACTS = Listing(
    lambda c: [c.day, c.channel, c.person.code if c.person else _("anonyme")],
    ("channel", "person"),
)


def _slugs(model) -> list[str]:
    return list(model.objects.order_by("position", "slug").values_list("slug", flat=True))


# Persons are filtered through their meetings: met in a zone, by a team...
MEETING_DIMENSIONS = ("zone", "kind", "team", "channel")


def _persons(period: Period, scope: Scope = OPEN, kinds: dict[int, str] | None = None) -> FigureSet:
    """Persons met in the period (within ``scope``: through the meetings that match
    it), with their age category at their first meeting of the period. ``kinds``: the
    kind of each channel, by id (read once, so no subquery joins the channels)."""
    if kinds is None:
        kinds = _channel_kinds()

    def channels(*wanted: str) -> list[int]:
        return [pk for pk, kind in kinds.items() if kind in wanted]

    social_contact = Contact.objects.filter(
        period.within("day"),
        person=OuterRef("pk"),
        channel_id__in=channels(Channel.Kind.SOCIAL_NETWORK),
    )
    for name, values in scope.active().items():
        social_contact = social_contact.filter(contact_filters()[name](values))
    first_contact = Contact.objects.filter(person=OuterRef("pk")).order_by("day", "occurred_at")
    base = Person.objects.filter(meetings.met_in(period, scope)).annotate(
        first_met=meetings.first_meeting(period),
        first_met_ever=meetings.first_meeting(),
        on_social=Exists(social_contact),
        first_drop_in_after_online=_first_drop_in_after_online(
            first_contact, channels(*Channel.ONLINE), channels(Channel.Kind.DROP_IN)
        ),
    )

    # DISTINCT makes the aggregate read these annotations from a subquery, so each
    # correlated subquery runs once per person, not once per figure.
    base = base.distinct()

    def cat(category: str) -> Q:
        return meetings.category_q(category, "first_met")

    drug = Q(uses_drugs=True)
    social = Q(on_social=True)
    figures = [
        Figure("attendance.people"),
        Figure("attendance.people_minors", cat(AgeCategory.MINOR)),
        Figure("attendance.people_young_adults", cat(AgeCategory.YOUNG_ADULT)),
        Figure("caarud.people", drug),
        Figure("caarud.people_minors", drug & cat(AgeCategory.MINOR)),
        Figure("caarud.new_people", drug & period.within("first_met_ever")),
        Figure("social.people", social),
        Figure("social.people_minors", social & cat(AgeCategory.MINOR)),
        Figure("digital.new_people_at_drop_in", period.within("first_drop_in_after_online")),
    ]
    families = (
        Family("caarud.gender.{}", "gender", tuple(Gender.values), drug),
        Family("caarud.products.{}", "products__slug", tuple(_slugs(Product)), drug),
    )
    return FigureSet(
        base,
        tuple(figures),
        families=families,
        listing=PERSONS,
        lists_for={"caarud.share_of_people": "caarud.people"},
        scoped_by=scope,
    )


def _contacts(period: Period, networks: list[str]) -> FigureSet:
    figures = [
        Figure("attendance.contacts"),
        Figure("caarud.contacts", Q(caarud=True)),
        Figure("digital.parcels", Q(channel__kind=Channel.Kind.POST)),
    ]
    families = (
        Family("services.{}", "services__slug", tuple(_slugs(Service))),
        Family("social.{}.contacts", "channel__slug", tuple(networks)),
        Family("digital.themes.{}", "themes__slug", tuple(_slugs(Theme)), ONLINE),
    )
    return FigureSet(
        Contact.objects.filter(period.within("day")),
        tuple(figures),
        families=families,
        listing=CONTACTS,
        filters=contact_filters(),
        additive=True,
    )


def _material(period: Period, materials: list[str]) -> list[FigureSet]:
    handed_out = Family(
        "rdr.material.{}", "material__slug", tuple(materials), Q(), "sum", "quantity"
    )
    on_contacts = [
        Figure(
            "digital.hiv_selftests_sent",
            Q(material__slug="hiv_selftest", contact__channel__kind=Channel.Kind.POST),
            "sum",
            "quantity",
        )
    ]
    return [
        FigureSet(
            # An archived contact's lines are withdrawn with it.
            ContactMaterial.objects.filter(
                period.within("contact__day"), contact__archived_at=None
            ),
            tuple(on_contacts),
            families=(handed_out,),
            listing=Listing(
                lambda m: [m.contact.day, m.material, m.quantity], ("contact", "material")
            ),
            filters=contact_filters("contact__"),
            additive=True,
        ),
        FigureSet(
            SessionMaterial.objects.filter(period.within("session__date")),
            (),
            families=(handed_out,),
            listing=Listing(
                lambda m: [m.session.date, m.material, m.quantity], ("session", "material")
            ),
            filters=SESSION_FILTERS,
            additive=True,
        ),
    ]


# The filters of records of a session (material handed out, sites visited).
SESSION_FILTERS = {
    "zone": session_zone("session"),
    "kind": among("session__kind"),
    "team": among("session__created_by"),
}


def _online_rounds(period: Period) -> FigureSet:
    return FigureSet(
        OnlineRoundSite.objects.filter(period.within("session__date")),
        (
            Figure("digital.messages_sent", Q(), "sum", "messages_sent"),
            Figure("digital.replies", Q(), "sum", "replies"),
        ),
        lists_for={"digital.reply_rate": "digital.messages_sent"},
        filters=SESSION_FILTERS,
        additive=True,
    )


def _mediation(period: Period) -> list[FigureSet]:
    events = MediationEvent.objects.filter(period.within("date"))
    filters = {"zone": zone_field("zone"), "team": among("author")}
    # Sums apart from the theme counts: the themes' join would repeat events.
    sums = [Figure("mediation.events")]
    sums += [Figure(f"mediation.contacts.{party}", Q(), "sum", party) for party, _label in PARTIES]
    themes = Family("mediation.themes.{}", "themes__slug", tuple(_slugs(MediationTheme)))
    return [
        FigureSet(events, tuple(sums), filters=filters, additive=True),
        FigureSet(events, (), families=(themes,), filters=filters, additive=True),
    ]


def figure_sets(period: Period | int, scope: Scope = OPEN) -> list[FigureSet]:
    """Every declared figure of the app for a period (a year's number: that year)."""
    period = Period.of(period)
    channels = list(Channel.objects.order_by("position").values_list("pk", "kind", "slug"))
    networks = [slug for _pk, kind, slug in channels if kind == Channel.Kind.SOCIAL_NETWORK]
    return [
        _persons(period, scope, {pk: kind for pk, kind, _slug in channels}),
        _contacts(period, networks),
        *_material(period, _slugs(Material)),
        _online_rounds(period),
        *_mediation(period),
        _follower_records(period, networks),
    ]


def _first_drop_in_after_online(first_contact: QuerySet, online: list[int], drop_in: list[int]):
    """Expression: the day of the person's first visit to the drop-in, sought only for
    persons whose first contact was online (NULL for the others)."""
    if not online or not drop_in:
        return Constant(None, output_field=DateField())
    return Case(
        When(
            In(Subquery(first_contact.values("channel_id")[:1]), online),
            then=Subquery(first_contact.filter(channel_id__in=drop_in).values("day")[:1]),
        ),
        default=None,
        output_field=DateField(),
    )


def _channel_kinds() -> dict[int, str]:
    return dict(Channel.objects.values_list("pk", "kind"))


def _followers(period: Period) -> QuerySet:
    """Social networks with the period's last follower snapshot (None without one)."""
    last = FollowerSnapshot.objects.filter(period.within("date"), channel=OuterRef("pk")).order_by(
        "-date"
    )
    return Channel.objects.filter(kind=Channel.Kind.SOCIAL_NETWORK).annotate(
        last_followers=Subquery(last.values("followers")[:1]),
        last_snapshot=Subquery(last.values("pk")[:1]),
    )


def _follower_records(period: Period, networks: list[str]) -> FigureSet:
    """The snapshot behind each network's followers (the period's last one); the values
    themselves are read in ``figures``."""
    keys = [f"social.{network}.followers" for network in networks]
    return FigureSet(
        FollowerSnapshot.objects.filter(pk__in=_followers(period).values("last_snapshot")),
        tuple(
            Figure(key, Q(channel__slug=network))
            for key, network in zip(keys, networks, strict=True)
        ),
        unlisted=frozenset(keys),
        records_only=True,
    )


def caarud_modes(period: Period | int) -> dict[str, Value]:
    """The CAARUD contacts of a period by the kind of their channel (the national
    activity report's modes of intervention): ``national.modes.<kind>``, one grouped
    query."""
    period = Period.of(period)
    modes = FigureSet(
        Contact.objects.filter(period.within("day"), caarud=True),
        (),
        families=(Family("national.modes.{}", "channel__kind", tuple(Channel.Kind.values)),),
        listing=CONTACTS,
        filters=contact_filters(),
        additive=True,
    )
    return compute_all([modes])


def figures(period: Period | int, scope: Scope = OPEN) -> dict[str, Value]:
    """Every key of sections 1, 4 and 5 for a period (a year's number: that year),
    within ``scope``, computed in a fixed number of queries."""
    period = Period.of(period)
    values: dict[str, Value] = dict(compute_all(figure_sets(period, scope), scope))
    values["caarud.share_of_people"] = share(values["caarud.people"], values["attendance.people"])
    values["digital.reply_rate"] = share(values["digital.replies"], values["digital.messages_sent"])
    for network in _followers(period):
        # A count of followers belongs to no zone, team or channel of contacts.
        values[f"social.{network.slug}.followers"] = None if scope else network.last_followers
    return values


def records(key: str, period: Period | int, scope: Scope = OPEN) -> list[QuerySet]:
    """The records behind a figure (persons, contacts, material lines, events...)."""
    return records_all(figure_sets(period, scope), key, scope)


def period_summary(start, end) -> dict[str, int]:
    """Key counts between two days (inclusive), for the director's dashboard."""
    return Contact.objects.filter(day__range=(start, end)).aggregate(
        contacts=Count("pk"),
        people=Count("person", distinct=True),
        caarud_contacts=Count("pk", filter=Q(caarud=True)),
    )


def contacts_by_month(year: int) -> list[int]:
    """Contacts of each month of the year (twelve numbers)."""
    rows = (
        Contact.objects.in_year(year)
        .annotate(month=ExtractMonth("day"))
        .values("month")
        .annotate(n=Count("pk"))
        .values_list("month", "n")
    )
    counts = dict(rows)
    return [counts.get(month, 0) for month in range(1, 13)]

"""The demo's field work: sessions on the regular days and hours, contacts with
material, online rounds and follower counts, mediation."""

from __future__ import annotations

import datetime
import random

from contacts.models import (
    AdSite,
    Channel,
    Contact,
    ContactMaterial,
    FollowerSnapshot,
    Material,
    MediationEvent,
    MediationTheme,
    OnlineRoundSite,
    Partner,
    Service,
    Session,
    SessionMaterial,
    Theme,
    Zone,
)
from demo import targets as T
from demo.population import Demo
from demo.tools import days_of, insert, moment, partition

ONLINE = {"ad_site", "facebook", "instagram", "snapchat", "tiktok", "x"}
OFFLINE_SESSIONS = {"mobile_unit": "night_round", "drop_in": "drop_in", "street": "street_round"}
DRUG_MATERIAL = {"crack_pipe", "crack_grid", "mouthpiece", "foil", "syringe", "sniff_kit"}
PER_LINE = {
    "crack_pipe": 2,
    "crack_grid": 4,
    "mouthpiece": 3,
    "foil": 3,
    "syringe": 3,
    "male_condom": 18,
    "disinfectant_wipe": 5,
    "intimate_wipe": 4,
    "lubricant_gel": 4,
    "internal_condom": 2,
    "sniff_kit": 2,
}


def sessions(
    rng: random.Random, year: int, staff: list, end: datetime.date | None = None
) -> dict[str, list[Session]]:
    """The year's sessions on the service's regular days and hours (until ``end``)."""
    plan: dict[str, list[Session]] = {
        "night_round": [],
        "drop_in": [],
        "street_round": [],
        "breakfast_drop_in": [],
        "online_round": [],
    }
    author = staff[0]
    for day in days_of(year, {1, 3, 4}, end=end):
        if rng.random() < 0.04:
            continue  # a round cancelled now and then
        friday = day.weekday() == 4
        plan["night_round"].append(
            Session(
                kind="night_round",
                date=day,
                start_time=datetime.time(17 if friday else 18),
                end_time=datetime.time(1 if friday else 2),
                created_by=author,
            )
        )
        plan["drop_in"].append(
            Session(
                kind="drop_in",
                date=day,
                start_time=datetime.time(14, 30),
                end_time=datetime.time(17, 30),
                created_by=author,
            )
        )
        if rng.random() < 0.6:
            plan["street_round"].append(
                Session(
                    kind="street_round",
                    date=day,
                    start_time=datetime.time(13, 30),
                    end_time=datetime.time(14, 30),
                    created_by=author,
                )
            )
    if year >= 2023:
        first = datetime.date(2023, 12, 1) if year == 2023 else None
        for day in days_of(year, {2}, start=first, end=end):
            plan["breakfast_drop_in"].append(
                Session(
                    kind="breakfast_drop_in",
                    date=day,
                    start_time=datetime.time(10),
                    end_time=datetime.time(12, 30),
                    created_by=author,
                )
            )
    for day in days_of(year, {0, 2}, end=end):
        if rng.random() < 0.85:
            plan["online_round"].append(
                Session(
                    kind="online_round",
                    date=day,
                    start_time=datetime.time(10),
                    end_time=datetime.time(12),
                    created_by=author,
                )
            )
    every = [s for group in plan.values() for s in group]
    Session.objects.bulk_create(every, batch_size=500)
    zones = list(Zone.objects.all())
    zone_rows = [
        Session.zones.through(session_id=s.pk, zone_id=rng.choice(zones[:4]).pk)
        for s in every
        if s.kind in ("night_round", "street_round")
    ]
    insert(zone_rows)
    staff_rows = [
        Session.staff.through(session_id=s.pk, user_id=u.pk)
        for s in every
        for u in rng.sample(staff, 2)
    ]
    insert(staff_rows)
    return plan


def _at(rng: random.Random, session: Session) -> datetime.datetime:
    if session.kind == "night_round":
        minutes = rng.randint(0, 8 * 60 - 1)  # until 02:00 (01:00 on Fridays, from 17:00)
        start = moment(session.date, session.start_time.hour)
        return start + datetime.timedelta(minutes=minutes)
    start = moment(session.date, session.start_time.hour, session.start_time.minute)
    return start + datetime.timedelta(
        minutes=rng.randint(0, 150 if session.kind != "street_round" else 59)
    )


def _day_in(
    rng: random.Random, year: int, start=(1, 1), end=(12, 31), until: datetime.date | None = None
) -> datetime.date:
    first, last = datetime.date(year, *start), datetime.date(year, *end)
    if until is not None and until < last:
        last = max(first, until)
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def contacts(
    rng: random.Random,
    year: int,
    demos: list[Demo],
    plan: dict,
    staff: list,
    end: datetime.date | None = None,
) -> list[Contact]:
    """The year's contacts: every person met at least once, repeat visitors, anonymous
    contacts; online first contacts for the newcomers who then came to the drop-in.
    Up to ``end`` (the plan's sessions must not go beyond it)."""
    channels = {c.slug: c for c in Channel.objects.all()}
    met = [d for d in demos if year in d.years]
    rows: list[tuple[Demo | None, str, datetime.datetime, Session | None]] = []

    def add(demo, slug, when=None, session=None):
        rows.append((demo, slug, when, session))

    # Online first, then the drop-in: the newcomers of 2023.
    if year in T.NEW_AT_DROP_IN:
        newcomers = [d for d in met if min(d.years) == year and d.category is None]
        for demo in rng.sample(newcomers, T.NEW_AT_DROP_IN[year]):
            demo.new_at_drop_in = year
            add(demo, "ad_site", moment(_day_in(rng, year, (1, 2), (1, 31)), 11))
            add(
                demo,
                "drop_in",
                session=rng.choice([s for s in plan["drop_in"] if s.date.month >= 2]),
            )
    # Social networks: every social person at least once.
    social_people = _social_people(rng, year, met)
    tokens = [net for net, n in T.SOCIAL_CONTACTS[year].items() for _ in range(n)]
    rng.shuffle(tokens)
    for index, network in enumerate(tokens):
        demo = social_people[index] if index < len(social_people) else rng.choice(social_people)
        add(demo, network)
    for _ in range(T.PARCELS[year]):
        add(rng.choice(met) if rng.random() < 0.5 else None, "post")
    fixed = {"phone": 260, "home_visit": 18, "partner_premises": 26}
    for slug, count in fixed.items():
        for _ in range(count):
            add(rng.choice(met), slug)
    for _ in range(220 if year >= 2023 else 160):
        add(rng.choice(met) if rng.random() < 0.4 else None, "ad_site")
    # Offline: everybody met at least once on a round or at the drop-in, then repeat
    # visitors and anonymous people.
    counted = {id(r[0]) for r in rows if r[0] is not None and r[1] in OFFLINE_SESSIONS}
    for demo in met:
        if id(demo) not in counted:
            add(demo, rng.choices(["mobile_unit", "drop_in", "street"], [55, 33, 12])[0])
    remaining = T.CONTACTS[year] - len(rows)
    anonymous = int(remaining * 0.3)
    weights = [rng.paretovariate(1.6) for _ in met]
    for index in range(remaining):
        slug = rng.choices(["mobile_unit", "drop_in", "street"], [55, 33, 12])[0]
        add(None if index < anonymous else rng.choices(met, weights)[0], slug)

    built = [
        _contact(rng, year, demo, channels[slug], when, session, plan, staff, end)
        for demo, slug, when, session in rows
    ]
    _first_contacts_offline(rng, year, built, plan, end)
    _caarud(rng, year, built)
    Contact.objects.bulk_create(built, batch_size=1000)
    return built


def _social_people(rng, year, met):
    if year == 2023:
        minors = [d for d in met if d.category == "minor"]
        chosen = rng.sample(minors, T.SOCIAL_MINORS)
        others = [d for d in met if d.category not in ("minor",) and not d.special_young_adult]
        chosen += rng.sample(others, T.SOCIAL_PEOPLE[year] - T.SOCIAL_MINORS)
    else:
        chosen = rng.sample([d for d in met if d.category is None], T.SOCIAL_PEOPLE[year])
    for demo in chosen:
        if year == 2023:
            demo.social_2023 = True
    return chosen


def _contact(rng, year, demo, channel, when, session, plan, staff, end=None) -> Contact:
    slug = channel.slug
    if session is None and slug in OFFLINE_SESSIONS:
        session = rng.choice(plan[OFFLINE_SESSIONS[slug]])
        if slug == "drop_in" and plan["breakfast_drop_in"] and rng.random() < 0.01:
            session = rng.choice(plan["breakfast_drop_in"])
    if session is None and slug == "ad_site" and when is None:
        session = rng.choice(plan["online_round"])
    if session is not None and when is None:
        when = _at(rng, session)
    if when is None:
        when = moment(_day_in(rng, year, until=end), rng.randint(9, 19), rng.randint(0, 59))
    if demo is not None and (demo.category is not None) and when.month == 12 and session is None:
        when = _in_month(when, rng.randint(1, 11))
    if demo is not None and demo.special_young_adult and when.month < 4:
        when = _in_month(when, rng.randint(4, 11))
        session = None if slug not in OFFLINE_SESSIONS else session
        if session is not None:
            session = rng.choice([s for s in plan[session.kind] if s.date.month >= 4])
            when = _at(rng, session)
    person = demo.person if demo is not None else None
    contact = Contact(
        occurred_at=when,
        session=session,
        channel=channel,
        person=person,
        anonymous_gender=""
        if person
        else rng.choices(["female", "trans_woman", "male", "unknown"], [60, 10, 20, 10])[0],
        anonymous_age_category="" if person else rng.choice(["", "adult", "adult", "young_adult"]),
        author=rng.choice(staff),
    )
    contact.demo = demo
    return contact.fill_derived()


def _in_month(when: datetime.datetime, month: int) -> datetime.datetime:
    """The same moment in another month of the year (the month's last day at the most)."""
    following = datetime.date(when.year + month // 12, month % 12 + 1, 1)
    last_day = (following - datetime.timedelta(days=1)).day
    return when.replace(month=month, day=min(when.day, last_day))


def _first_contacts_offline(rng, year, built, plan, end=None) -> None:
    """Only the planned newcomers have an online first contact followed by the drop-in;
    followed young people are first met before December (their age is then known)."""
    by_person: dict = {}
    for contact in built:
        if contact.person is not None:
            by_person.setdefault(id(contact.demo), []).append(contact)
    for contacts_ in by_person.values():
        demo = contacts_[0].demo
        contacts_.sort(key=lambda c: c.occurred_at)
        if demo.new_at_drop_in == year:
            first_online = next(
                c for c in contacts_ if c.channel.slug == "ad_site" and c.occurred_at.month == 1
            )
            for contact in contacts_:
                if contact is not first_online and contact.day <= first_online.day:
                    _move_after(rng, contact, first_online.day, plan, end)
            continue
        offline = [c for c in contacts_ if c.channel.slug not in ONLINE]
        if demo.category is not None and contacts_[0].occurred_at.month == 12 and offline:
            session = rng.choice([s for s in plan["drop_in"] if s.date.month < 12])
            offline[0].session, offline[0].occurred_at = session, _at(rng, session)
            offline[0].fill_derived()
        if offline:
            first_offline = min(offline, key=lambda c: c.occurred_at)
            for contact in contacts_:
                if (
                    contact.channel.slug in ONLINE
                    and contact.occurred_at <= first_offline.occurred_at
                ):
                    _move_after(rng, contact, first_offline.day, plan, end)


def _move_after(rng, contact, day, plan, end=None) -> None:
    later = (
        [s for s in plan.get(contact.session.kind, []) if s.date > day] if contact.session else []
    )
    if contact.session is not None and later:
        contact.session = rng.choice(later)
        contact.occurred_at = _at(rng, contact.session)
    elif contact.session is not None or day >= _last_day(day.year, end):
        # No later round this year: the same day, late in the evening, outside a session.
        contact.session = None
        contact.occurred_at = moment(day, 23, 30)
    else:
        last = _last_day(day.year, end)
        target = day + datetime.timedelta(days=rng.randint(1, max(1, (last - day).days)))
        contact.occurred_at = moment(min(target, last), 16)
    contact.fill_derived()


def _last_day(year: int, end: datetime.date | None) -> datetime.date:
    last = datetime.date(year, 12, 31)
    return min(last, end) if end is not None else last


def _caarud(rng, year, built) -> None:
    """Exactly the year's number of drug-use related contacts, mostly of drug users."""
    users, anonymous, others = [], [], []
    for contact in built:
        if (
            contact.person is not None
            and contact.person.uses_drugs
            and contact.channel.slug not in ONLINE
        ):
            users.append(contact)
        elif contact.person is None and contact.channel.slug in OFFLINE_SESSIONS:
            anonymous.append(contact)
        elif contact.channel.slug in OFFLINE_SESSIONS:
            others.append(contact)
    for group in (users, anonymous, others):
        rng.shuffle(group)
    candidates = users + anonymous + others
    for contact in candidates[: T.CAARUD_CONTACTS[year]]:
        contact.caarud = True
    if len(candidates) < T.CAARUD_CONTACTS[year]:
        raise ValueError("not enough contacts for the CAARUD activity")


def material(rng: random.Random, year: int, built: list[Contact], plan: dict) -> None:
    """Exact quantities per material: on contacts (parcels included) and self-service."""
    by_slug = {m.slug: m for m in Material.objects.all()}
    lines: list[ContactMaterial] = []
    session_lines: list[SessionMaterial] = []
    parcels = [c for c in built if c.channel.slug == "post"]
    with_tests = rng.sample(parcels, min(len(parcels), T.HIV_SELFTESTS_BY_POST[year] - 5))
    for contact, quantity in zip(
        with_tests, partition(rng, T.HIV_SELFTESTS_BY_POST[year], len(with_tests), 1), strict=True
    ):
        lines.append(
            ContactMaterial(contact=contact, material=by_slug["hiv_selftest"], quantity=quantity)
        )
    drop_in_contacts = [c for c in built if c.channel.slug == "drop_in"]
    drop_in_tests = rng.sample(drop_in_contacts, min(40, len(drop_in_contacts)))
    lines += [
        ContactMaterial(contact=c, material=by_slug["hiv_selftest"], quantity=1)
        for c in drop_in_tests
    ]
    caarud = [c for c in built if c.caarud and c.channel.slug != "post"]
    sex_work = [c for c in built if c.channel.slug in ("mobile_unit", "drop_in", "street", "post")]
    for slug, total in T.MATERIAL[year].items():
        self_service = total // 10 if slug not in DRUG_MATERIAL else total // 20
        eligible = caarud if slug in DRUG_MATERIAL else sex_work
        count = min(len(eligible), max(1, (total - self_service) // PER_LINE[slug]))
        chosen = rng.sample(eligible, count)
        for contact, quantity in zip(
            chosen, partition(rng, total - self_service, count, 1), strict=True
        ):
            lines.append(
                ContactMaterial(contact=contact, material=by_slug[slug], quantity=quantity)
            )
        drop_ins = rng.sample(plan["drop_in"], min(12, len(plan["drop_in"])))
        for session, quantity in zip(
            drop_ins, partition(rng, self_service, len(drop_ins)), strict=True
        ):
            if quantity:
                session_lines.append(
                    SessionMaterial(session=session, material=by_slug[slug], quantity=quantity)
                )
    insert(lines)
    insert(session_lines)


def topics(rng: random.Random, built: list[Contact]) -> None:
    """Themes, services at the drop-in and referrals."""
    themes = list(Theme.objects.all())
    services = list(Service.objects.all())
    partners = list(Partner.objects.all())
    theme_rows, service_rows, referral_rows = [], [], []
    for contact in built:
        slug = contact.channel.slug
        if slug in ONLINE or slug == "phone" or rng.random() < 0.15:
            for theme in rng.sample(themes, rng.choice([1, 1, 2])):
                theme_rows.append(Contact.themes.through(contact_id=contact.pk, theme_id=theme.pk))
        if slug == "drop_in" and rng.random() < 0.45:
            for service in rng.sample(services, rng.choice([1, 1, 2, 3])):
                service_rows.append(
                    Contact.services.through(contact_id=contact.pk, service_id=service.pk)
                )
        if contact.person_id and rng.random() < 0.05:
            referral_rows.append(
                Contact.referrals.through(contact_id=contact.pk, partner_id=rng.choice(partners).pk)
            )
    insert(theme_rows)
    insert(service_rows)
    insert(referral_rows)


def online(
    rng: random.Random, year: int, plan: dict, author, end: datetime.date | None = None
) -> None:
    sites = list(AdSite.objects.exclude(slug="other_site"))
    rounds = plan["online_round"]
    lines = []
    messages = partition(rng, T.MESSAGES[year], len(rounds) * 2, 1)
    replies = partition(rng, T.REPLIES[year], len(rounds) * 2)
    for index, session in enumerate(rounds):
        for offset, site in enumerate(rng.sample(sites, 2)):
            k = index * 2 + offset
            lines.append(
                OnlineRoundSite(
                    session=session,
                    site=site,
                    messages_sent=messages[k],
                    replies=min(replies[k], messages[k]),
                )
            )
    # Replies capped by messages are handed back to the first lines, keeping the total.
    missing = T.REPLIES[year] - sum(line.replies for line in lines)
    for line in lines:
        room = line.messages_sent - line.replies
        if missing <= 0:
            break
        take = min(room, missing)
        line.replies += take
        missing -= take
    insert(lines)
    networks = {c.slug: c for c in Channel.objects.filter(kind="social_network")}
    snapshots = []
    for slug, last in T.FOLLOWERS[year].items():
        start = T.FOLLOWERS[year - 1][slug] if year - 1 in T.FOLLOWERS else int(last * 0.7)
        for month in range(1, 13):
            if end is not None and datetime.date(year, month, 28) > end:
                break
            count = start + (last - start) * month // 12
            snapshots.append(
                FollowerSnapshot(
                    channel=networks[slug],
                    date=datetime.date(year, month, 28),
                    followers=count,
                    author=author,
                )
            )
    FollowerSnapshot.objects.bulk_create(snapshots)


def mediation(rng: random.Random, year: int, author, end: datetime.date | None = None) -> None:
    zones = list(Zone.objects.all()[:5])
    scale = T.MEDIATION_SCALE.get(year, 0.8)
    count = int(T.MEDIATION["events"] * scale)
    events = []
    days = sorted(_day_in(rng, year, until=end) for _ in range(count))
    parties = {
        party: partition(rng, int(total * scale), count, 1 if party == "sex_workers" else 0)
        for party, total in T.MEDIATION["parties"].items()
    }
    for index, day in enumerate(days):
        fields = {party: values[index] for party, values in parties.items()}
        events.append(
            MediationEvent(
                date=day,
                zone=rng.choice(zones),
                place="Rue du quartier",
                what_happened="Échange avec les personnes présentes.",
                author=author,
                **fields,
            )
        )
    MediationEvent.objects.bulk_create(events)
    themes = {t.slug: t for t in MediationTheme.objects.all()}
    rows = []
    for slug, total in T.MEDIATION["themes"].items():
        for event in rng.sample(events, int(total * scale)):
            rows.append(
                MediationEvent.themes.through(
                    mediationevent_id=event.pk, mediationtheme_id=themes[slug].pk
                )
            )
    MediationEvent.themes.through.objects.bulk_create(rows)

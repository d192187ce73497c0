"""The annual figures in hand-written PostgreSQL: the floor the figures' ORM is measured
against.

``floor_figures(connection, year)`` gives, for the whole calendar year and no filter,
the same dictionary as ``reporting.figures.all_figures(year)``: every key of the
annual-report specification, as each app's ``figures.py`` declares it. Five
statements, each a UNION ALL of grouped queries returning ``(key, value)`` rows: one
per family of keys (material by slug, products by slug, genders, themes, services,
procedure themes...), and one row of conditional counts and sums per kind of record,
turned into rows by a ``LATERAL (VALUES ...)`` list:

- persons met in the year (sections 1 and 5): one grouped pass over the meetings,
  contacts and consultations in a UNION ALL, gives each person's first meeting of the
  year and ever, their first contact's channel, their first drop-in visit, and whether
  they were met on a social network in the year;
- the year's contacts, material, online rounds, mediation and followers;
- the health unit; access to rights; minors, training and prevention.

A sixth reads the slugs of the reference lists: a family has a key for every slug
(0 when nothing is counted), and the SQL returns only the slugs that count something.

Computed in Python from the values of the SQL, as the project does: the shares and
rates (``caarud.share_of_people``, ``digital.reply_rate``,
``training.trainees_departement_share``, ``training.satisfaction``,
``schools.satisfaction``, ``schools.interest``: rounded to 3 places, None for a zero
denominator) and the conversion of ``training.days`` (an integer when whole).

What counts, as in the apps' definitions: archived contacts, consultations, procedures
and mediation events are left out (and so are the material lines of an archived contact
and the acts of an archived consultation); persons met, and persons followed by the
minors' team, are current persons (neither merged into another nor archived), while the
health unit's persons are every person record seen.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

Value = int | float | None

GENDERS = ("female", "male", "trans_woman", "trans_man", "non_binary", "unknown")
# Minors' section: age categories of the persons followed (adults left out), places
# of a first meeting, housing of runaways.
CATEGORIES = ("minor", "young_adult", "age_unknown")
PLACES = ("outreach", "drop_in", "online", "partner")
HOUSED_BY = ("clients", "friends", "peers", "family", "alone")
HOUSED_WHERE = ("flat", "squat", "hotel", "street")
MINOR_GENDERS = ("girl", "boy", "trans")
TOBACCO = "tobacco"

REFERENCE_SQL = """
SELECT 'product', slug FROM contacts_product
UNION ALL SELECT 'material', slug FROM contacts_material
UNION ALL SELECT 'service', slug FROM contacts_service
UNION ALL SELECT 'theme', slug FROM contacts_theme
UNION ALL SELECT 'mediation_theme', slug FROM contacts_mediationtheme
UNION ALL SELECT 'network', slug FROM contacts_channel WHERE kind = 'social_network'
UNION ALL SELECT 'prostitution_mode', slug FROM contacts_prostitutionmode
UNION ALL SELECT 'line', slug FROM health_serviceline
UNION ALL SELECT 'procedure_theme', slug FROM rights_proceduretheme
"""

# Persons met in the year: a contact or a consultation that day (archived ones left
# out); the age category is taken at the first meeting of the year.
PERSONS_SQL = """
WITH meeting AS (
    SELECT c.person_id, c.day, c.occurred_at, ch.kind
    FROM contacts_contact c
    JOIN contacts_channel ch ON ch.id = c.channel_id
    WHERE c.person_id IS NOT NULL AND c.archived_at IS NULL
    UNION ALL
    SELECT person_id, day, NULL, NULL
    FROM health_consultation
    WHERE archived_at IS NULL
),
-- Computed once, whatever the planner estimates (a table never analysed, say).
first_meeting AS MATERIALIZED (
    SELECT person_id,
           MIN(day) FILTER (WHERE day BETWEEN %(start)s AND %(end)s) AS first_met,
           MIN(day) AS first_met_ever,
           BOOL_OR(kind = 'social_network' AND day BETWEEN %(start)s AND %(end)s)
               AS on_social,
           (ARRAY_AGG(kind ORDER BY day, occurred_at) FILTER (WHERE kind IS NOT NULL))[1]
               AS first_kind,
           MIN(day) FILTER (WHERE kind = 'drop_in') AS first_drop_in
    FROM meeting
    GROUP BY person_id
),
met AS (
    SELECT p.id, p.gender, p.uses_drugs, p.turns_18_on, p.turns_21_on, m.first_met,
           m.first_met_ever, m.on_social, m.first_kind, m.first_drop_in
    FROM first_meeting m
    JOIN contacts_person p ON p.id = m.person_id
    WHERE m.first_met IS NOT NULL AND p.merged_into_id IS NULL AND p.archived_at IS NULL
)
SELECT v.key, v.value
FROM (
    SELECT COUNT(*) AS people,
           COUNT(*) FILTER (WHERE turns_18_on > first_met) AS minors,
           COUNT(*) FILTER (WHERE turns_18_on <= first_met AND turns_21_on > first_met)
               AS young_adults,
           COUNT(*) FILTER (WHERE uses_drugs) AS drug_users,
           COUNT(*) FILTER (WHERE uses_drugs AND turns_18_on > first_met) AS drug_users_minors,
           COUNT(*) FILTER (WHERE uses_drugs AND first_met_ever = first_met) AS new_drug_users,
           COUNT(*) FILTER (WHERE on_social) AS on_social,
           COUNT(*) FILTER (WHERE on_social AND turns_18_on > first_met) AS on_social_minors,
           COUNT(*) FILTER (
               WHERE first_kind IN ('ad_site', 'social_network')
                 AND first_drop_in BETWEEN %(start)s AND %(end)s
           ) AS online_then_drop_in
    FROM met
) s
CROSS JOIN LATERAL (VALUES
    ('attendance.people', s.people),
    ('attendance.people_minors', s.minors),
    ('attendance.people_young_adults', s.young_adults),
    ('caarud.people', s.drug_users),
    ('caarud.people_minors', s.drug_users_minors),
    ('caarud.new_people', s.new_drug_users),
    ('social.people', s.on_social),
    ('social.people_minors', s.on_social_minors),
    ('digital.new_people_at_drop_in', s.online_then_drop_in)
) AS v(key, value)
UNION ALL
SELECT 'caarud.gender.' || gender, COUNT(*)
FROM met
WHERE uses_drugs
GROUP BY gender
UNION ALL
SELECT 'caarud.products.' || pr.slug, COUNT(*)
FROM met
JOIN contacts_person_products pp ON pp.person_id = met.id
JOIN contacts_product pr ON pr.id = pp.product_id
WHERE met.uses_drugs
GROUP BY pr.slug
"""

# The year's contacts (by their counted day), material handed out on them and on
# sessions, online rounds, mediation, and each network's last follower count.
ACTIVITY_SQL = """
-- Each query plans its own reading of the contacts (the counts of a CTE's rows are
-- unknown to the planner: materialised, its joins to the material lines go wrong).
WITH year_contact AS NOT MATERIALIZED (
    SELECT c.id, c.caarud, ch.kind, ch.slug AS channel
    FROM contacts_contact c
    JOIN contacts_channel ch ON ch.id = c.channel_id
    WHERE c.archived_at IS NULL AND c.day BETWEEN %(start)s AND %(end)s
),
year_session AS (
    SELECT id FROM contacts_session WHERE date BETWEEN %(start)s AND %(end)s
),
year_event AS (
    SELECT *
    FROM contacts_mediationevent
    WHERE archived_at IS NULL AND date BETWEEN %(start)s AND %(end)s
)
SELECT v.key, v.value
FROM (
    SELECT COUNT(*) AS contacts,
           COUNT(*) FILTER (WHERE caarud) AS caarud,
           COUNT(*) FILTER (WHERE kind = 'post') AS parcels
    FROM year_contact
) c
CROSS JOIN (
    SELECT COALESCE(SUM(cm.quantity), 0) AS selftests
    FROM contacts_contactmaterial cm
    JOIN year_contact ON year_contact.id = cm.contact_id
    JOIN contacts_material m ON m.id = cm.material_id
    WHERE m.slug = 'hiv_selftest' AND year_contact.kind = 'post'
) h
CROSS JOIN (
    SELECT COALESCE(SUM(messages_sent), 0) AS messages, COALESCE(SUM(replies), 0) AS replies
    FROM contacts_onlineroundsite
    WHERE session_id IN (SELECT id FROM year_session)
) o
CROSS JOIN (
    SELECT COUNT(*) AS events,
           COALESCE(SUM(sex_workers), 0) AS sex_workers,
           COALESCE(SUM(residents), 0) AS residents,
           COALESCE(SUM(shopkeepers), 0) AS shopkeepers,
           COALESCE(SUM(local_youth), 0) AS local_youth,
           COALESCE(SUM(team), 0) AS team,
           COALESCE(SUM(clients), 0) AS clients,
           COALESCE(SUM(other), 0) AS other
    FROM year_event
) e
CROSS JOIN LATERAL (VALUES
    ('attendance.contacts', c.contacts),
    ('caarud.contacts', c.caarud),
    ('digital.parcels', c.parcels),
    ('digital.hiv_selftests_sent', h.selftests),
    ('digital.messages_sent', o.messages),
    ('digital.replies', o.replies),
    ('mediation.events', e.events),
    ('mediation.contacts.sex_workers', e.sex_workers),
    ('mediation.contacts.residents', e.residents),
    ('mediation.contacts.shopkeepers', e.shopkeepers),
    ('mediation.contacts.local_youth', e.local_youth),
    ('mediation.contacts.team', e.team),
    ('mediation.contacts.clients', e.clients),
    ('mediation.contacts.other', e.other)
) AS v(key, value)
UNION ALL
SELECT 'social.' || channel || '.contacts', COUNT(*)
FROM year_contact
WHERE kind = 'social_network'
GROUP BY channel
UNION ALL
SELECT 'services.' || s.slug, COUNT(*)
FROM year_contact
JOIN contacts_contact_services cs ON cs.contact_id = year_contact.id
JOIN contacts_service s ON s.id = cs.service_id
GROUP BY s.slug
UNION ALL
SELECT 'digital.themes.' || t.slug, COUNT(*)
FROM year_contact
JOIN contacts_contact_themes ct ON ct.contact_id = year_contact.id
JOIN contacts_theme t ON t.id = ct.theme_id
WHERE year_contact.kind IN ('ad_site', 'social_network')
GROUP BY t.slug
UNION ALL
SELECT 'rdr.material.' || m.slug, SUM(line.quantity)
FROM (
    SELECT material_id, quantity
    FROM contacts_contactmaterial
    WHERE contact_id IN (SELECT id FROM year_contact)
    UNION ALL
    SELECT material_id, quantity
    FROM contacts_sessionmaterial
    WHERE session_id IN (SELECT id FROM year_session)
) line
JOIN contacts_material m ON m.id = line.material_id
GROUP BY m.slug
UNION ALL
SELECT 'mediation.themes.' || t.slug, COUNT(*)
FROM year_event
JOIN contacts_mediationevent_themes et ON et.mediationevent_id = year_event.id
JOIN contacts_mediationtheme t ON t.id = et.mediationtheme_id
GROUP BY t.slug
UNION ALL
(
    SELECT DISTINCT ON (ch.slug) 'social.' || ch.slug || '.followers', f.followers
    FROM contacts_followersnapshot f
    JOIN contacts_channel ch ON ch.id = f.channel_id
    WHERE ch.kind = 'social_network' AND f.date BETWEEN %(start)s AND %(end)s
    ORDER BY ch.slug, f.date DESC
)
"""

# The health unit: sessions, consultations (a group session counts once among its
# line's care sessions), persons seen by a line, acts, workshops.
HEALTH_SQL = """
WITH consultation AS (
    SELECT c.id, c.person_id, c.line_id, c.modality
    FROM health_consultation c
    WHERE c.archived_at IS NULL AND c.day BETWEEN %(start)s AND %(end)s
),
health_session AS (
    SELECT id, line_id FROM health_healthsession WHERE date BETWEEN %(start)s AND %(end)s
),
seen AS (
    SELECT person_id, line_id FROM consultation
    UNION
    SELECT hp.person_id, hs.line_id
    FROM health_session hs
    JOIN health_healthsession_participants hp ON hp.healthsession_id = hs.id
)
SELECT v.key, v.value
FROM (
    SELECT COUNT(*) FILTER (WHERE p.uses_drugs) AS drug_users,
           COUNT(*) FILTER (WHERE c.modality = 'online_outreach') AS online_outreach
    FROM consultation c
    JOIN health_serviceline l ON l.id = c.line_id
    JOIN contacts_person p ON p.id = c.person_id
    WHERE l.slug = 'nurse'
) c
CROSS JOIN (
    SELECT COUNT(*)
    FROM seen
    JOIN health_serviceline l ON l.id = seen.line_id
    JOIN contacts_person p ON p.id = seen.person_id
    WHERE l.slug = 'nurse' AND p.uses_drugs
) AS n(people_drug_users)
CROSS JOIN (
    SELECT COUNT(*) FILTER (WHERE a.slug = 'cervical_smear') AS smears,
           COUNT(*) FILTER (WHERE a.is_screening AND l.slug = 'nurse') AS screenings
    FROM health_consultationact ca
    JOIN consultation c ON c.id = ca.consultation_id
    JOIN health_act a ON a.id = ca.act_id
    JOIN health_serviceline l ON l.id = c.line_id
) a
CROSS JOIN (
    SELECT COUNT(*) FROM health_workshop WHERE date BETWEEN %(start)s AND %(end)s
) AS w(workshops)
CROSS JOIN LATERAL (VALUES
    ('health.nurse.consultations_drug_users', c.drug_users),
    ('health.nurse.digital_outreach', c.online_outreach),
    ('health.nurse.people_drug_users', n.people_drug_users),
    ('health.midwife.smears', a.smears),
    ('health.nurse.screenings', a.screenings),
    ('health.workshops', w.workshops)
) AS v(key, value)
UNION ALL
SELECT 'health.' || l.slug || '.sessions', COUNT(*)
FROM health_session hs
JOIN health_serviceline l ON l.id = hs.line_id
GROUP BY l.slug
UNION ALL
SELECT 'health.' || l.slug || '.consultations', COUNT(*)
FROM (
    SELECT line_id FROM consultation
    UNION ALL
    SELECT line_id
    FROM health_session hs
    WHERE EXISTS (
        SELECT 1 FROM health_healthsession_participants hp WHERE hp.healthsession_id = hs.id
    )
) care
JOIN health_serviceline l ON l.id = care.line_id
GROUP BY l.slug
UNION ALL
SELECT 'health.' || l.slug || '.people', COUNT(*)
FROM seen
JOIN health_serviceline l ON l.id = seen.line_id
GROUP BY l.slug
"""

# Procedures opened, and completed, in the year by theme; PSP files filed in the year
# (favourable: on the last decision, after any review).
RIGHTS_SQL = """
WITH live_procedure AS (
    SELECT p.opened_on, p.status, p.status_on, t.slug AS theme
    FROM rights_procedure p
    JOIN rights_proceduretheme t ON t.id = p.theme_id
    WHERE p.archived_at IS NULL
)
SELECT 'rights.procedures.' || theme || '.opened', COUNT(*)
FROM live_procedure
WHERE opened_on BETWEEN %(start)s AND %(end)s
GROUP BY theme
UNION ALL
SELECT 'rights.procedures.' || theme || '.completed', COUNT(*)
FROM live_procedure
WHERE status = 'completed' AND status_on BETWEEN %(start)s AND %(end)s
GROUP BY theme
UNION ALL
SELECT v.key, v.value
FROM (
    SELECT COUNT(*) FILTER (WHERE kind = 'first_request') AS first_requests,
           COUNT(*) FILTER (WHERE kind IN ('first_renewal', 'second_renewal')) AS renewals,
           COUNT(*) FILTER (
               WHERE review_outcome = 'favourable'
                  OR (review_outcome = '' AND decision = 'favourable')
           ) AS favourable
    FROM rights_pspfile
    WHERE filed_on BETWEEN %(start)s AND %(end)s
) s
CROSS JOIN LATERAL (VALUES
    ('rights.psp.first_requests', s.first_requests),
    ('rights.psp.renewals', s.renewals),
    ('rights.psp.favourable', s.favourable)
) AS v(key, value)
"""

# Persons followed in the year (a file open on a day of it), adults left out: their age
# category is taken at their first meeting of the year or, not met, at the later of
# 1 January and the opening of their file. Then training and prevention.
MINORS_SQL = """
WITH followed_file AS (
    SELECT id, person_id, opened_on, to_assess, first_meeting_place
    FROM minors_minorfile
    WHERE opened_on <= %(end)s AND (closed_on IS NULL OR closed_on >= %(start)s)
),
first_met AS (
    SELECT person_id, MIN(day) AS day
    FROM (
        SELECT person_id, day
        FROM contacts_contact
        WHERE archived_at IS NULL AND day BETWEEN %(start)s AND %(end)s
        UNION ALL
        SELECT person_id, day
        FROM health_consultation
        WHERE archived_at IS NULL AND day BETWEEN %(start)s AND %(end)s
    ) m
    WHERE person_id IN (SELECT person_id FROM followed_file)
    GROUP BY person_id
),
dated AS (
    SELECT p.id, p.gender, p.turns_18_on, p.turns_21_on, p.birth_date, p.birth_year,
           f.to_assess, COALESCE(first_met.day, GREATEST(%(start)s, f.opened)) AS ref_day
    FROM (
        SELECT person_id, MIN(opened_on) AS opened, BOOL_OR(to_assess) AS to_assess
        FROM followed_file
        GROUP BY person_id
    ) f
    JOIN contacts_person p ON p.id = f.person_id
    LEFT JOIN first_met ON first_met.person_id = f.person_id
    WHERE p.merged_into_id IS NULL AND p.archived_at IS NULL
),
young AS (
    SELECT *,
           CASE WHEN turns_18_on IS NULL THEN 'age_unknown'
                WHEN turns_18_on > ref_day THEN 'minor'
                ELSE 'young_adult' END AS category
    FROM dated
    WHERE turns_21_on IS NULL OR turns_21_on > ref_day
),
measure AS (
    SELECT em.id, f.person_id, em.start, em."end"
    FROM minors_educationalmeasure em
    JOIN minors_minorfile f ON f.id = em.file_id
    WHERE f.person_id IN (SELECT id FROM young)
),
-- Persons with a measure in force in the year; two measures in force on one day of it.
measured AS (
    SELECT m.person_id, COUNT(o.id) > 0 AS has_double
    FROM measure m
    LEFT JOIN measure o
        ON o.person_id = m.person_id AND o.id <> m.id
       AND o.start <= LEAST(COALESCE(m."end", %(end)s), %(end)s)
       AND COALESCE(o."end", %(end)s) >= GREATEST(m.start, %(start)s)
    WHERE m.start <= %(end)s AND (m."end" IS NULL OR m."end" >= %(start)s)
    GROUP BY m.person_id
),
product_use AS (
    SELECT DISTINCT f.person_id, pr.slug AS product
    FROM minors_productuse pu
    JOIN minors_minorfile f ON f.id = pu.file_id
    JOIN contacts_product pr ON pr.id = pu.product_id
    WHERE pu.start <= %(end)s AND (pu."end" IS NULL OR pu."end" >= %(start)s)
      AND f.person_id IN (SELECT id FROM young)
),
-- Runaway episodes in the year, on files followed in the year, of persons under 18
-- on 1 January.
runaway AS (
    SELECT r.housed_by, r.housed_where, young.id AS person_id
    FROM minors_runaway r
    JOIN followed_file f ON f.id = r.file_id
    JOIN young ON young.id = f.person_id
    WHERE r.start <= %(end)s AND (r."end" IS NULL OR r."end" >= %(start)s)
      AND young.turns_18_on > %(start)s
)
SELECT v.key, v.value
FROM (
    SELECT COUNT(*) AS people,
           COUNT(*) FILTER (WHERE turns_18_on > %(start)s) AS runaway_base,
           COUNT(*) FILTER (WHERE id IN (SELECT person_id FROM runaway)) AS runaway_people
    FROM young
) y
CROSS JOIN (
    SELECT COUNT(*)
    FROM minors_receivedreport
    WHERE received_on BETWEEN %(start)s AND %(end)s
      AND (linked_on IS NULL OR linked_on > %(end)s)
) AS r(reported_not_met)
CROSS JOIN (
    SELECT COUNT(*) AS cycles,
           COALESCE(SUM(days), 0) AS days,
           COALESCE(SUM(trainees), 0) AS trainees,
           COALESCE(SUM(trainees_departement), 0) AS departement,
           COALESCE(SUM(trainees) FILTER (WHERE satisfaction IS NOT NULL), 0) AS weight,
           COALESCE(SUM(satisfaction::integer * trainees), 0) AS points
    FROM minors_trainingcycle
    WHERE start_date BETWEEN %(start)s AND %(end)s
) t
CROSS JOIN (
    SELECT COUNT(*) FROM minors_awarenesssession WHERE date BETWEEN %(start)s AND %(end)s
) AS a(sessions)
CROSS JOIN (
    SELECT COUNT(*) AS sessions,
           COALESCE(SUM(pupils), 0) AS pupils,
           COALESCE(SUM(boys), 0) AS boys,
           COALESCE(SUM(girls), 0) AS girls,
           COALESCE(SUM(pupils) FILTER (WHERE satisfaction IS NOT NULL), 0)
               AS satisfaction_weight,
           COALESCE(SUM(satisfaction::integer * pupils), 0) AS satisfaction_points,
           COALESCE(SUM(pupils) FILTER (WHERE interest IS NOT NULL), 0) AS interest_weight,
           COALESCE(SUM(interest::integer * pupils), 0) AS interest_points
    FROM minors_schoolsession
    WHERE date BETWEEN %(start)s AND %(end)s
) s
CROSS JOIN LATERAL (VALUES
    ('minors.people', y.people),
    ('minors.runaways.base', y.runaway_base),
    ('minors.runaways.people', y.runaway_people),
    ('minors.reported_not_met', r.reported_not_met),
    ('training.cycles', t.cycles),
    ('training.days', t.days),
    ('training.trainees', t.trainees),
    ('_training.trainees_departement', t.departement),
    ('_training.satisfaction_weight', t.weight),
    ('_training.satisfaction_points', t.points),
    ('awareness.sessions', a.sessions),
    ('schools.sessions', s.sessions),
    ('schools.pupils', s.pupils),
    ('schools.boys', s.boys),
    ('schools.girls', s.girls),
    ('_schools.satisfaction_weight', s.satisfaction_weight),
    ('_schools.satisfaction_points', s.satisfaction_points),
    ('_schools.interest_weight', s.interest_weight),
    ('_schools.interest_points', s.interest_points)
) AS v(key, value)
UNION ALL
SELECT 'minors.people.' || category, COUNT(*)
FROM young
GROUP BY category
UNION ALL
SELECT 'minors.age.' || age, COUNT(*)
FROM (
    SELECT div(
        to_char(ref_day, 'YYYYMMDD')::integer
        - CASE WHEN birth_date IS NOT NULL THEN to_char(birth_date, 'YYYYMMDD')::integer
               ELSE birth_year * 10000 + 101 END,
        10000
    ) AS age
    FROM young
    WHERE category = 'minor'
) ages
WHERE age BETWEEN 10 AND 17
GROUP BY age
UNION ALL
SELECT 'minors.gender.' || CASE gender WHEN 'female' THEN 'girl' WHEN 'male' THEN 'boy'
                                       ELSE 'trans' END, COUNT(*)
FROM young
WHERE category = 'minor' AND gender IN ('female', 'male', 'trans_woman', 'trans_man', 'non_binary')
GROUP BY 1
UNION ALL
SELECT 'minors.measures.' || CASE WHEN measured.has_double THEN 'double'
                                  WHEN measured.person_id IS NOT NULL THEN 'single'
                                  WHEN young.to_assess THEN 'to_assess'
                                  ELSE 'none' END, COUNT(*)
FROM young
LEFT JOIN measured ON measured.person_id = young.id
WHERE young.category = 'minor'
GROUP BY 1
UNION ALL
SELECT 'minors.consumers.' || young.category, COUNT(DISTINCT young.id)
FROM young
JOIN product_use u ON u.person_id = young.id
WHERE u.product <> 'tobacco'
GROUP BY young.category
UNION ALL
SELECT 'minors.tobacco.' || young.category, COUNT(*)
FROM young
JOIN product_use u ON u.person_id = young.id
WHERE u.product = 'tobacco'
GROUP BY young.category
UNION ALL
SELECT 'minors.products.' || young.category || '.' || u.product, COUNT(*)
FROM young
JOIN product_use u ON u.person_id = young.id
WHERE u.product <> 'tobacco'
GROUP BY young.category, u.product
UNION ALL
SELECT 'minors.first_meeting.' || young.category || '.' || f.place, COUNT(*)
FROM young
JOIN (SELECT DISTINCT person_id, first_meeting_place AS place FROM followed_file) f
    ON f.person_id = young.id
GROUP BY young.category, f.place
UNION ALL
SELECT 'minors.prostitution_modes.' || young.category || '.' || pm.slug, COUNT(*)
FROM young
JOIN contacts_person_prostitution_modes ppm ON ppm.person_id = young.id
JOIN contacts_prostitutionmode pm ON pm.id = ppm.prostitutionmode_id
GROUP BY young.category, pm.slug
UNION ALL
SELECT 'minors.runaways.housed_by.' || housed_by, COUNT(*)
FROM runaway
WHERE housed_by IN ('clients', 'friends', 'peers', 'family', 'alone')
GROUP BY housed_by
UNION ALL
SELECT 'minors.runaways.housed_where.' || housed_where, COUNT(*)
FROM runaway
WHERE housed_where IN ('flat', 'squat', 'hotel', 'street')
GROUP BY housed_where
"""

STATEMENTS = (PERSONS_SQL, ACTIVITY_SQL, HEALTH_SQL, RIGHTS_SQL, MINORS_SQL)


def _keys(slugs: dict[str, list[str]]) -> dict[str, Value]:
    """Every key the SQL gives a value for, at 0 (followers: None without a snapshot)."""
    products = slugs["product"]
    keys = [
        *(f"caarud.gender.{g}" for g in GENDERS),
        *(f"caarud.products.{p}" for p in products),
        *(f"rdr.material.{m}" for m in slugs["material"]),
        *(f"services.{s}" for s in slugs["service"]),
        *(f"digital.themes.{t}" for t in slugs["theme"]),
        *(f"social.{n}.contacts" for n in slugs["network"]),
        *(f"mediation.themes.{t}" for t in slugs["mediation_theme"]),
        *(
            f"health.{line}.{what}"
            for line in slugs["line"]
            for what in ("sessions", "consultations", "people")
        ),
        *(
            f"rights.procedures.{t}.{what}"
            for t in slugs["procedure_theme"]
            for what in ("opened", "completed")
        ),
        *(f"minors.people.{c}" for c in CATEGORIES),
        *(f"minors.age.{n}" for n in range(10, 18)),
        *(f"minors.gender.{g}" for g in MINOR_GENDERS),
        *(f"minors.measures.{m}" for m in ("single", "double", "none", "to_assess")),
        *(f"minors.runaways.housed_by.{w}" for w in HOUSED_BY),
        *(f"minors.runaways.housed_where.{w}" for w in HOUSED_WHERE),
    ]
    for c in CATEGORIES:
        keys += [f"minors.consumers.{c}", f"minors.tobacco.{c}"]
        keys += [f"minors.products.{c}.{p}" for p in products if p != TOBACCO]
        keys += [f"minors.first_meeting.{c}.{place}" for place in PLACES]
        keys += [f"minors.prostitution_modes.{c}.{m}" for m in slugs["prostitution_mode"]]
    values: dict[str, Value] = dict.fromkeys(keys, 0)
    values.update((f"social.{n}.followers", None) for n in slugs["network"])
    return values


def _share(numerator: Value, denominator: Value) -> float | None:
    if not denominator or numerator is None:
        return None
    return round(numerator / denominator, 3)


def _number(value) -> Value:
    """A count or sum as an int (a fractional sum of days as a float)."""
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    return value


def floor_figures(connection, year: int) -> dict[str, Value]:
    """Every key of ``reporting.figures.all_figures(year)`` (open scope), sorted."""
    params = {"start": datetime.date(year, 1, 1), "end": datetime.date(year, 12, 31)}
    with connection.cursor() as cursor:
        cursor.execute(REFERENCE_SQL)
        slugs: dict[str, list[str]] = defaultdict(list)  # an empty list gives no keys
        for kind, slug in cursor.fetchall():
            slugs[kind].append(slug)
        values = _keys(slugs)
        for statement in STATEMENTS:
            cursor.execute(statement, params)
            values.update((key, _number(value)) for key, value in cursor.fetchall())
    values["caarud.share_of_people"] = _share(values["caarud.people"], values["attendance.people"])
    values["digital.reply_rate"] = _share(
        values["digital.replies"], values["digital.messages_sent"]
    )
    values["training.trainees_departement_share"] = _share(
        values.pop("_training.trainees_departement"), values["training.trainees"]
    )
    for rate, points, weight in (
        ("training.satisfaction", "_training.satisfaction_points", "_training.satisfaction_weight"),
        ("schools.satisfaction", "_schools.satisfaction_points", "_schools.satisfaction_weight"),
        ("schools.interest", "_schools.interest_points", "_schools.interest_weight"),
    ):
        # Percentages weighted by people, as a share between 0 and 1.
        values[rate] = _share(values.pop(points), (values.pop(weight) or 0) * 100)
    return dict(sorted(values.items()))

"""What the demo years must add up to: the volumes of the service's activity.

The generator builds individual records that produce these numbers through the same
computation as real data; nothing here is read by the report itself.
"""

PEOPLE = {2022: 629, 2023: 681}
BOTH_YEARS = 420  # persons met in 2022 and again in 2023
CONTACTS = {2022: 7445, 2023: 7966}
CAARUD_CONTACTS = {2022: 4807, 2023: 5432}
DRUG_USERS = {2022: 352, 2023: 395}
DRUG_USERS_MALE = {2022: 92, 2023: 126}
MINORS = 38
YOUNG_ADULTS = 46
AGE_UNKNOWN_FOLLOWED = 22
DRUG_USING_MINORS = 22

MATERIAL = {
    2022: {
        "crack_pipe": 2159,
        "crack_grid": 7120,
        "mouthpiece": 3300,
        "foil": 485,
        "syringe": 410,
        "male_condom": 71500,
        "disinfectant_wipe": 15100,
        "intimate_wipe": 6400,
        "lubricant_gel": 13800,
        "internal_condom": 240,
        "sniff_kit": 90,
    },
    2023: {
        "crack_pipe": 3400,
        "crack_grid": 9364,
        "mouthpiece": 4343,
        "foil": 2460,
        "syringe": 368,
        "male_condom": 76226,
        "disinfectant_wipe": 16293,
        "intimate_wipe": 7091,
        "lubricant_gel": 14904,
        "internal_condom": 310,
        "sniff_kit": 140,
    },
}
PARCELS = {2022: 40, 2023: 75}
HIV_SELFTESTS_BY_POST = {2022: 25, 2023: 55}
SOCIAL_CONTACTS = {
    2022: {"facebook": 30, "instagram": 92, "snapchat": 40, "tiktok": 9, "x": 3},
    2023: {"facebook": 46, "instagram": 187, "snapchat": 77, "tiktok": 21, "x": 4},
}
SOCIAL_PEOPLE = {2022: 110, 2023: 188}
SOCIAL_MINORS = 28
NEW_PEOPLE_AT_DROP_IN = 95
NEW_AT_DROP_IN = {2023: NEW_PEOPLE_AT_DROP_IN}
FOLLOWERS = {
    2022: {"facebook": 301, "instagram": 147, "snapchat": 522, "tiktok": 39, "x": 122},
    2023: {"facebook": 370, "instagram": 201, "snapchat": 798, "tiktok": 90, "x": 122},
}
MESSAGES = {2022: 2900, 2023: 4260}
REPLIES = {2022: 290, 2023: 469}

# Health lines: (sessions, people, consultations) per year. For a line held as group
# sessions (GROUP_LINES), the third is the number of sessions somebody came to: each
# counts once among the line's care sessions, each participant among its people.
HEALTH = {
    2022: {
        "nurse": (120, 190, 2150),
        "doctor": (18, 40, 66),
        "midwife": (20, 44, 61),
        "fibroscan": (5, 15, 15),
        "socio_esthetics": (9, 18, 35),
        "health_insurance_desk": (3, 12, 12),
        "osteopathy": (6, 8, 14),
        "massage": (25, 20, 25),
        "sophrology": (10, 8, 8),  # the seed gives no 2022 figures for it
    },
    2023: {
        "nurse": (140, 220, 2390),
        "doctor": (18, 42, 69),
        "midwife": (23, 52, 76),
        "fibroscan": (6, 19, 19),
        "socio_esthetics": (10, 21, 43),
        "health_insurance_desk": (4, 16, 16),
        "osteopathy": (9, 11, 21),
        "massage": (31, 24, 31),
        "sophrology": (16, 15, 9),
    },
}
GROUP_LINES = frozenset({"sophrology"})
NURSE_DRUG_USERS = {2022: 100, 2023: 115}
NURSE_DRUG_USER_CONSULTATIONS = {2022: 1180, 2023: 1309}
NURSE_ONLINE = {2022: 222, 2023: 280}
SCREENINGS = {2022: 130, 2023: 145}
SMEARS = {2022: 15, 2023: 19}

MEDIATION_SCALE = {2022: 0.8, 2023: 1}
MEDIATION = {
    "events": 80,
    "parties": {
        "sex_workers": 107,
        "residents": 21,
        "shopkeepers": 17,
        "local_youth": 11,
        "team": 11,
        "clients": 3,
        "other": 9,
    },
    "themes": {
        "noise": 53,
        "cleanliness": 36,
        "violence": 70,
        "visibility": 28,
        "codes": 2,
        "other": 24,
    },
}

# Minors' follow-up in 2023, by age category.
MINOR_GENDERS = {"female": 35, "male": 1, "trans_woman": 2}
MINOR_AGES = {13: 2, 14: 4, 15: 7, 16: 11, 17: 14}
MEASURES = {"single": 18, "double": 6, "none": 9, "to_assess": 5}
RUNAWAY_PEOPLE = 22
RUNAWAYS_HOUSED_BY = {
    "clients": 4,
    "friends": 12,
    "peers": 12,
    "family": 1,
    "alone": 6,
    "unknown": 0,
}
RUNAWAYS_HOUSED_WHERE = {"flat": 15, "squat": 5, "hotel": 8, "street": 3, "unknown": 4}
CONSUMERS = {"minor": 25, "young_adult": 28, "age_unknown": 7}
PRODUCTS = {
    "minor": {
        "alcohol": 8,
        "cannabis": 17,
        "cocaine": 2,
        "crack": 5,
        "nitrous_oxide": 4,
        "heroin": 2,
        "mdma": 4,
    },
    "young_adult": {
        "alcohol": 15,
        "cannabis": 23,
        "cocaine": 3,
        "crack": 3,
        "nitrous_oxide": 7,
        "heroin": 0,
        "mdma": 1,
    },
    "age_unknown": {
        "alcohol": 4,
        "cannabis": 3,
        "cocaine": 0,
        "crack": 3,
        "nitrous_oxide": 0,
        "heroin": 0,
        "mdma": 0,
    },
}
TOBACCO = {"minor": 24, "young_adult": 38, "age_unknown": 12}
FIRST_MEETING = {
    "minor": {"outreach": 21, "drop_in": 4, "online": 5, "partner": 8},
    "young_adult": {"outreach": 26, "drop_in": 7, "online": 10, "partner": 3},
    "age_unknown": {"outreach": 12, "drop_in": 4, "online": 4, "partner": 2},
}
MODES = {
    "minor": {"street": 25, "internet": 13, "social_networks": 11, "bars_abroad": 3},
    "young_adult": {"street": 33, "internet": 23, "social_networks": 10, "bars_abroad": 0},
    "age_unknown": {"street": 14, "internet": 6, "social_networks": 5, "bars_abroad": 0},
}
REPORTED_NOT_MET = 24

PSP = {2022: {"first_request": 4}, 2023: {"first_request": 5, "renewal": 3}}
PROCEDURES = {
    "social_benefits": (96, 58),
    "health_cover": (74, 51),
    "housing": (41, 17),
    "justice": (22, 9),
    "residence_permit": (35, 12),
    "employment_training": (19, 8),
    "violence": (14, 6),
    "banking": (17, 11),
    "other": (12, 7),
}

TRAINING = [
    (
        "Prévenir et prendre en compte les conduites prostitutionnelles des mineur·es",
        "IRTS (Loos)",
        ("2023-06-08", "2023-10-20"),
        "4.5",
        12,
        8,
        100,
    ),
    (
        "Prévenir et prendre en compte les conduites prostitutionnelles des mineur·es",
        "IRTS (Anzin)",
        ("2023-12-05", "2023-12-13"),
        "4.5",
        11,
        8,
        100,
    ),
]
AWARENESS = [
    "ENPJJ de Roubaix",
    "EESTS de Saint-Omer",
    "CLSPD de Lille",
    "Communauté d'agglomération de Maubeuge (prévention de la délinquance)",
    "IRTS de Grande-Synthe",
    "Laboratoire de recherche de la Sauvegarde de Savoie",
]
SCHOOLS = {
    "sessions": 11,
    "pupils": 296,
    "boys": 168,
    "girls": 128,
    "satisfaction": 94,
    "interest": 86,
}

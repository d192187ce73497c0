import datetime

from django.db import migrations

LANGUAGES = [
    ("fr", "Français"), ("en", "Anglais"), ("ro", "Roumain"), ("bg", "Bulgare"),
    ("es", "Espagnol"), ("pt", "Portugais"), ("ar", "Arabe"), ("pcm", "Pidgin nigérian"),
    ("zh", "Chinois"), ("ru", "Russe"), ("uk", "Ukrainien"), ("sq", "Albanais"),
]
PRODUCTS = [
    ("alcohol", "Alcool"), ("cannabis", "Cannabis"), ("cocaine", "Cocaïne"),
    ("crack", "Cocaïne basée (crack)"), ("nitrous_oxide", "Protoxyde d'azote"),
    ("heroin", "Héroïne"), ("mdma", "MDMA / ecstasy"),
    ("opioid_substitution", "Traitement de substitution"), ("benzodiazepines", "Benzodiazépines"),
    ("amphetamines", "Amphétamines"), ("cathinones", "Cathinones"), ("other", "Autre"),
]
MODES = [
    ("street", "Rue"), ("internet", "Internet (sites d'annonces)"),
    ("social_networks", "Réseaux sociaux"), ("bars_abroad", "Bars à l'étranger"),
]
ZONES = [
    ("vieux_lille", "Vieux Lille"), ("station", "Quartier de la gare"), ("city_centre", "Hyper-centre"),
    ("saint_sauveur", "Friche Saint-Sauveur"), ("lille_sud", "Lille Sud"), ("parc_matisse", "Parc Matisse"),
    ("departement", "Autre commune du département"),
]
CHANNELS = [
    ("mobile_unit", "Antenne mobile", "outreach"), ("street", "Rue (à pied)", "outreach"),
    ("drop_in", "Local", "drop_in"), ("phone", "Téléphone", "phone"),
    ("home_visit", "Visite à domicile", "home"), ("partner_premises", "Chez un partenaire", "partner"),
    ("post", "Envoi postal", "post"), ("ad_site", "Site d'annonces", "ad_site"),
    ("facebook", "Facebook", "social_network"), ("instagram", "Instagram", "social_network"),
    ("snapchat", "Snapchat", "social_network"), ("tiktok", "TikTok", "social_network"),
    ("x", "X", "social_network"),
]
# slug, label, category, column on the round sheet
MATERIALS = [
    ("male_condom", "Préservatif masculin", "sex_work", True),
    ("lubricant_gel", "Gel lubrifiant", "sex_work", True),
    ("internal_condom", "Préservatif interne", "sex_work", False),
    ("disinfectant_wipe", "Lingette désinfectante", "sex_work", True),
    ("intimate_wipe", "Lingette intime", "sex_work", False),
    ("hiv_selftest", "Autotest VIH", "sex_work", False),
    ("pregnancy_test", "Test de grossesse", "sex_work", False),
    ("crack_pipe", "Pipe à crack", "drug_use", True),
    ("crack_grid", "Grille", "drug_use", True),
    ("mouthpiece", "Embout", "drug_use", False),
    ("foil", "Feuille d'aluminium", "drug_use", True),
    ("syringe", "Seringue", "drug_use", False),
    ("injection_kit", "Kit d'injection", "drug_use", False),
    ("sniff_kit", "Kit sniff", "drug_use", False),
    ("sterile_water", "Eau stérile", "drug_use", False),
    ("naloxone", "Naloxone", "drug_use", False),
]
THEMES = [
    ("harm_reduction", "Réduction des risques"), ("health", "Santé"), ("hygiene_food", "Hygiène et alimentation"),
    ("parenthood_family", "Parentalité et famille"), ("training", "Formation"),
    ("rights", "Accès au droit commun"), ("legal", "Droit"), ("money", "Financier"),
    ("housing", "Hébergement"), ("violence", "Violence"), ("care", "Soin"),
]
SERVICES = [
    ("snack_meal", "Collation ou repas"), ("shower", "Douche"), ("clothing", "Vestiaire"),
    ("laundry", "Lessive"), ("rest", "Repos"), ("phone_computer", "Téléphone ou ordinateur"),
    ("food_parcel", "Colis alimentaire"),
]
AD_SITES = [("tescort", "Tescort"), ("planet_romeo", "Planet Romeo"), ("sexemodel", "Sexemodel"),
            ("wannonce", "Wannonce"), ("other_site", "Autre site")]
MEDIATION_THEMES = [
    ("noise", "Bruit"), ("cleanliness", "Propreté / hygiène"), ("violence", "Violences, conflits, agressions"),
    ("visibility", "Visibilité de la prostitution"), ("codes", "« Codes » de la prostitution"),
    ("other", "Autre"),
]
PARTNERS = [
    ("CSAPA", "csapa"), ("CAARUD partenaire", "caarud"), ("CeGIDD", "cegidd"), ("Hôpital", "hospital"),
    ("CMP de secteur", "cmp"), ("Hébergement d'urgence (115)", "shelter"), ("CPAM", "social_services"),
]
T = datetime.time
# kind, weekday (0 = Monday), start, end, valid from
SLOTS = [
    ("night_round", 1, T(18), T(2), None), ("night_round", 3, T(18), T(2), None),
    ("night_round", 4, T(17), T(1), None),
    ("drop_in", 1, T(14, 30), T(17, 30), None), ("drop_in", 3, T(14, 30), T(17, 30), None),
    ("drop_in", 4, T(14, 30), T(17, 30), None),
    ("breakfast_drop_in", 2, T(10), T(12, 30), datetime.date(2023, 12, 1)),
    ("street_round", 1, T(13, 30), T(14, 30), None), ("street_round", 3, T(13, 30), T(14, 30), None),
    ("street_round", 4, T(13, 30), T(14, 30), None),
]

SIMPLE = [
    ("Language", LANGUAGES), ("Product", PRODUCTS), ("ProstitutionMode", MODES), ("Zone", ZONES),
    ("Theme", THEMES), ("Service", SERVICES), ("AdSite", AD_SITES), ("MediationTheme", MEDIATION_THEMES),
]


def create(apps, schema_editor):
    for model, items in SIMPLE:
        Model = apps.get_model("contacts", model)
        for position, (slug, label) in enumerate(items):
            Model.objects.get_or_create(slug=slug, defaults={"label": label, "position": position})
    Channel = apps.get_model("contacts", "Channel")
    for position, (slug, label, kind) in enumerate(CHANNELS):
        Channel.objects.get_or_create(slug=slug, defaults={"label": label, "kind": kind, "position": position})
    Material = apps.get_model("contacts", "Material")
    for position, (slug, label, category, column) in enumerate(MATERIALS):
        Material.objects.get_or_create(
            slug=slug,
            defaults={"label": label, "category": category, "on_round_sheet": column, "position": position},
        )
    Partner = apps.get_model("contacts", "Partner")
    for name, kind in PARTNERS:
        Partner.objects.get_or_create(name=name, defaults={"kind": kind})
    OpeningSlot = apps.get_model("contacts", "OpeningSlot")
    for kind, weekday, start, end, valid_from in SLOTS:
        OpeningSlot.objects.get_or_create(
            kind=kind, weekday=weekday, start=start, defaults={"end": end, "valid_from": valid_from}
        )


def remove(apps, schema_editor):
    for model in ("OpeningSlot", "Partner", "Material", "Channel"):
        apps.get_model("contacts", model).objects.all().delete()
    for model, items in SIMPLE:
        apps.get_model("contacts", model).objects.filter(slug__in=[s for s, _ in items]).delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]

from django.db import migrations

LANGUAGES = [
    ("fr", "Français"), ("en", "Anglais"), ("ro", "Roumain"), ("bg", "Bulgare"),
    ("es", "Espagnol"), ("pt", "Portugais"), ("ar", "Arabe"), ("pcm", "Pidgin nigérian"),
    ("zh", "Chinois"), ("ru", "Russe"), ("uk", "Ukrainien"), ("sq", "Albanais"),
]
PRODUCTS = [
    ("alcohol", "Alcool"), ("cannabis", "Cannabis"), ("cocaine", "Cocaïne"),
    ("crack", "Cocaïne basée (crack)"), ("nitrous_oxide", "Protoxyde d'azote"),
    ("heroin", "Héroïne"), ("mdma", "MDMA / ecstasy"), ("opioid_substitution", "Traitement de substitution"),
    ("benzodiazepines", "Benzodiazépines"), ("amphetamines", "Amphétamines"),
    ("cathinones", "Cathinones"), ("other", "Autre"),
]
MODES = [
    ("street", "Rue"), ("internet", "Internet (sites d'annonces)"),
    ("social_networks", "Réseaux sociaux"), ("bars_abroad", "Bars à l'étranger"),
]


def create(apps, schema_editor):
    for model, items in (("Language", LANGUAGES), ("Product", PRODUCTS), ("ProstitutionMode", MODES)):
        Model = apps.get_model("contacts", model)
        for position, (slug, label) in enumerate(items):
            Model.objects.get_or_create(slug=slug, defaults={"label": label, "position": position})


def remove(apps, schema_editor):
    for model, items in (("Language", LANGUAGES), ("Product", PRODUCTS), ("ProstitutionMode", MODES)):
        apps.get_model("contacts", model).objects.filter(slug__in=[s for s, _ in items]).delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]

from django.db import migrations, models

# The materials each kind of session offers on every contact of its sheet (the others
# stay one tap away); a material that was a column of every sheet keeps its place on the
# sheets of the outings.
USUAL = {
    "night_round": ["male_condom", "lubricant_gel", "crack_pipe", "crack_grid", "foil", "syringe"],
    "street_round": ["male_condom", "lubricant_gel", "crack_pipe", "foil"],
    "drop_in": ["male_condom", "lubricant_gel", "disinfectant_wipe", "intimate_wipe", "crack_pipe", "crack_grid"],
    "breakfast_drop_in": ["male_condom", "lubricant_gel", "disinfectant_wipe", "intimate_wipe", "crack_pipe"],
    "home_visit": ["male_condom", "lubricant_gel", "crack_pipe"],
    "partner_visit": ["male_condom", "lubricant_gel", "crack_pipe"],
    "postal_dispatch": ["male_condom", "lubricant_gel", "hiv_selftest", "pregnancy_test"],
    "online_round": [],
}
OUTINGS = ["night_round", "street_round", "drop_in", "breakfast_drop_in"]


def forwards(apps, schema_editor):
    Material = apps.get_model("contacts", "Material")
    for material in Material.objects.all():
        kinds = [kind for kind, slugs in USUAL.items() if material.slug in slugs]
        if material.on_round_sheet:
            kinds += [kind for kind in OUTINGS if kind not in kinds]
        if kinds:
            material.sheet_kinds = kinds
            material.save(update_fields=["sheet_kinds"])


def backwards(apps, schema_editor):
    Material = apps.get_model("contacts", "Material")
    for material in Material.objects.all():
        material.on_round_sheet = "night_round" in (material.sheet_kinds or [])
        material.save(update_fields=["on_round_sheet"])


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0010_person_merge_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="material",
            name="sheet_kinds",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Types de session (tournée de nuit, maraude, accueil...) dont la feuille propose ce matériel sur chaque contact ; les autres matériels restent à un geste.",
                verbose_name="sur chaque ligne de la feuille des sessions",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="material", name="on_round_sheet"),
    ]

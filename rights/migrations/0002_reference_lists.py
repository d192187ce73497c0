from django.db import migrations

THEMES = [
    ("social_benefits", "Minima sociaux (RSA, AME…)"), ("health_cover", "Couverture maladie"),
    ("housing", "Logement, hébergement"), ("justice", "Justice"), ("residence_permit", "Titre de séjour"),
    ("employment_training", "Emploi et formation"), ("violence", "Violences"), ("banking", "Banque"),
    ("other", "Autre"),
]
DOCUMENTS = [
    ("passport", "Passeport"), ("birth_certificate", "Acte de naissance"),
    ("proof_of_address", "Justificatif de domiciliation"), ("french_classes", "Inscription aux cours de français"),
    ("commitment_letter", "Lettre d'engagement"), ("social_report", "Rapport social de l'association"),
    ("photos", "Photos d'identité"),
]


def create(apps, schema_editor):
    for model, items in (("ProcedureTheme", THEMES), ("PSPDocumentKind", DOCUMENTS)):
        Model = apps.get_model("rights", model)
        for position, (slug, label) in enumerate(items):
            Model.objects.get_or_create(slug=slug, defaults={"label": label, "position": position})


def remove(apps, schema_editor):
    for model, items in (("ProcedureTheme", THEMES), ("PSPDocumentKind", DOCUMENTS)):
        apps.get_model("rights", model).objects.filter(slug__in=[s for s, _ in items]).delete()


class Migration(migrations.Migration):
    dependencies = [("rights", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]

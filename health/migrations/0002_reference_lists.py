from django.db import migrations

LINES = [
    ("nurse", "Infirmière"), ("doctor", "Médecin addictologue"), ("midwife", "Sage-femme"),
    ("fibroscan", "Fibroscan (CSAPA)"), ("socio_esthetics", "Socio-esthétique"),
    ("health_insurance_desk", "Permanence CPAM"), ("osteopathy", "Ostéopathie"),
    ("massage", "Massage"), ("sophrology", "Sophrologie"),
]
# slug, label, needs result, screening, needs detail
ACTS = [
    ("trod_hiv", "TROD VIH", True, True, False),
    ("trod_hcv", "TROD VHC", True, True, False),
    ("trod_syphilis", "TROD syphilis", True, True, False),
    ("lab_screening", "Orientation dépistage en laboratoire", False, False, False),
    ("cervical_smear", "Frottis cervico-utérin", True, False, False),
    ("vaccination", "Vaccination", False, False, True),
    ("fibroscan_exam", "Examen fibroscan", True, False, False),
    ("wound_care", "Soin de plaie", False, False, False),
    ("pregnancy_test", "Test de grossesse", True, False, False),
    ("contraception", "Contraception", False, False, True),
    ("gynaecological_exam", "Examen gynécologique", False, False, False),
    ("prescription_renewal", "Renouvellement d'ordonnance", False, False, False),
    ("specialist_referral", "Orientation vers un spécialiste", False, False, True),
    ("mammography_appointment", "Rendez-vous de mammographie", False, False, False),
    ("rights_interview", "Entretien ouverture de droits", False, False, False),
    ("wellbeing_care", "Soin de bien-être", False, False, False),
]


def create(apps, schema_editor):
    Line = apps.get_model("health", "ServiceLine")
    for position, (slug, label) in enumerate(LINES):
        Line.objects.get_or_create(slug=slug, defaults={"label": label, "position": position})
    Act = apps.get_model("health", "Act")
    for position, (slug, label, result, screening, detail) in enumerate(ACTS):
        Act.objects.get_or_create(
            slug=slug,
            defaults={
                "label": label, "position": position, "needs_result": result,
                "is_screening": screening, "needs_detail": detail,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("health", "Act").objects.filter(slug__in=[a[0] for a in ACTS]).delete()
    apps.get_model("health", "ServiceLine").objects.filter(slug__in=[line[0] for line in LINES]).delete()


class Migration(migrations.Migration):
    dependencies = [("health", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]

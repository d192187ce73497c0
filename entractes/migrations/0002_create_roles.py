from django.db import migrations

ROLE_SLUGS = [
    "educator", "online_worker", "nurse", "doctor", "midwife", "partner_practitioner",
    "peer_volunteer", "director", "administrator", "minors_team",
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("entractes", "Role")
    for slug in ROLE_SLUGS:
        Role.objects.get_or_create(slug=slug)


def remove_roles(apps, schema_editor):
    apps.get_model("entractes", "Role").objects.filter(slug__in=ROLE_SLUGS).delete()


class Migration(migrations.Migration):
    dependencies = [("entractes", "0001_initial")]
    operations = [migrations.RunPython(create_roles, remove_roles)]

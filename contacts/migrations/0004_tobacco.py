from django.db import migrations


def create(apps, schema_editor):
    apps.get_model("contacts", "Product").objects.get_or_create(
        slug="tobacco", defaults={"label": "Tabac", "position": 20}
    )


def remove(apps, schema_editor):
    apps.get_model("contacts", "Product").objects.filter(slug="tobacco").delete()


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_person_health_sharing_objection")]
    operations = [migrations.RunPython(create, remove)]

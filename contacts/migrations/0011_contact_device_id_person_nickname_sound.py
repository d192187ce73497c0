from django.db import migrations, models

from contacts.models.persons import sound_key


def fill_sounds(apps, schema_editor):
    """Every existing person's nickname sound, written in batches (no save per person)."""
    Person = apps.get_model("contacts", "Person")
    persons = Person._base_manager.only("pk", "nickname").order_by("pk")
    batch = []
    for person in persons.iterator(chunk_size=2000):
        person.nickname_sound = sound_key(person.nickname)
        batch.append(person)
        if len(batch) == 2000:
            Person._base_manager.bulk_update(batch, ["nickname_sound"])
            batch = []
    if batch:
        Person._base_manager.bulk_update(batch, ["nickname_sound"])


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0010_person_merge_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="device_id",
            field=models.UUIDField(
                blank=True,
                editable=False,
                null=True,
                unique=True,
                verbose_name="identifiant de saisie sur l'appareil",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="nickname_sound",
            field=models.CharField(db_index=True, default="", editable=False, max_length=80),
        ),
        migrations.RunPython(fill_sounds, migrations.RunPython.noop),
    ]

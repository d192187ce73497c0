import datetime

from django.db import migrations


def _birthday(born, years):
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return datetime.date(born.year + years, 3, 1)


def fill(apps, schema_editor):
    Person = apps.get_model("contacts", "Person")
    for person in Person._default_manager.filter(age_to_establish=False).exclude(birth_date__isnull=True, birth_year__isnull=True):
        born = person.birth_date or datetime.date(person.birth_year, 1, 1)
        Person._default_manager.filter(pk=person.pk).update(turns_18_on=_birthday(born, 18), turns_21_on=_birthday(born, 21))


class Migration(migrations.Migration):
    dependencies = [("contacts", "0005_person_age_thresholds")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]

# ExternalId and ImportJob now belong to the exchange app (its 0001 takes them over):
# they leave reporting's state only, their tables and rows are kept.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0003_import_jobs"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="ExternalId"),
                migrations.DeleteModel(name="ImportJob"),
            ],
            database_operations=[],
        ),
    ]

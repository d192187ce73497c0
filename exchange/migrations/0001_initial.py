# The import's models moved from the reporting app: their tables stay as they are
# (created by reporting's 0002 and 0003); only Django's state moves here.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor):
    """Keep the change history and permissions of these records: their content types
    change app instead of new ones being made."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in ("externalid", "importjob"):
        if not ContentType.objects.using(db).filter(app_label="exchange", model=model).exists():
            ContentType.objects.using(db).filter(app_label="reporting", model=model).update(
                app_label="exchange"
            )


def restore_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in ("externalid", "importjob"):
        if not ContentType.objects.using(db).filter(app_label="reporting", model=model).exists():
            ContentType.objects.using(db).filter(app_label="exchange", model=model).update(
                app_label="reporting"
            )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("reporting", "0004_import_models_to_exchange"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ExternalId",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=40)),
                        ("external_id", models.CharField(max_length=100)),
                        ("object_id", models.BigIntegerField()),
                    ],
                    options={
                        "db_table": "reporting_externalid",
                        "indexes": [
                            models.Index(
                                fields=["kind", "object_id"], name="reporting_e_kind_eff5fe_idx"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("kind", "external_id"), name="external_id_once"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ImportJob",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("requested_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("filename", models.CharField(max_length=200, verbose_name="fichier")),
                        ("upload", models.FileField(blank=True, upload_to="imports/")),
                        ("dry_run", models.BooleanField(default=True, verbose_name="simulation")),
                        (
                            "state",
                            models.CharField(
                                choices=[
                                    ("queued", "En attente"),
                                    ("running", "En cours"),
                                    ("done", "Terminé"),
                                    ("failed", "Échec"),
                                ],
                                default="queued",
                                max_length=20,
                            ),
                        ),
                        ("rows_done", models.PositiveIntegerField(default=0)),
                        ("rows_total", models.PositiveIntegerField(default=0)),
                        ("summary", models.JSONField(blank=True, default=dict)),
                        ("problems", models.JSONField(blank=True, default=list)),
                        ("error", models.TextField(blank=True)),
                        (
                            "requested_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "reporting_importjob", "ordering": ["-requested_at"]},
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, restore_content_types),
    ]

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

REASONS = [
    ("moved", "Déménagement, départ"),
    ("care_elsewhere", "Pris·e en charge ailleurs"),
    ("deceased", "Décès"),
    ("no_news", "Sans nouvelles"),
    ("other", "Autre motif"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0016_partner_directory"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="left_file_on",
            field=models.DateField(
                blank=True, editable=False, null=True, verbose_name="hors file active depuis le"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="left_file_reason",
            field=models.CharField(
                blank=True,
                choices=REASONS,
                editable=False,
                max_length=20,
                verbose_name="motif de sortie de la file active",
            ),
        ),
        migrations.AddConstraint(
            model_name="person",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("left_file_on__isnull", True), ("left_file_reason", "")),
                    models.Q(
                        ("left_file_on__isnull", False),
                        models.Q(("left_file_reason", ""), _negated=True),
                    ),
                    _connector="OR",
                ),
                name="person_left_file_with_reason",
            ),
        ),
        migrations.CreateModel(
            name="ActiveFileChange",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("date", models.DateField(verbose_name="date")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("left", "Sortie de la file active"),
                            ("returned", "Retour dans la file active"),
                        ],
                        max_length=10,
                        verbose_name="changement",
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        blank=True, choices=REASONS, max_length=20, verbose_name="motif"
                    ),
                ),
                (
                    "note",
                    models.CharField(blank=True, max_length=500, verbose_name="précision"),
                ),
                (
                    "created_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, editable=False, verbose_name="saisi le"
                    ),
                ),
                (
                    "author",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="saisi par",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="active_file_changes",
                        to="contacts.person",
                        verbose_name="personne",
                    ),
                ),
            ],
            options={
                "verbose_name": "changement de file active",
                "verbose_name_plural": "changements de file active",
                "ordering": ["-date", "-created_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "left"), models.Q(("reason", ""), _negated=True)),
                            models.Q(("kind", "returned"), ("reason", "")),
                            _connector="OR",
                        ),
                        name="active_file_change_reason_when_leaving",
                    )
                ],
            },
        ),
    ]

"""Restore a backup made by « backup »: the database becomes what the backup holds."""

import subprocess

from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from entractes.freshness import records_changed
from entractes.management.commands.backup import pg_env_and_args
from entractes.models import AccessLogEntry, User


def reappend_access_log(entries: list[dict]) -> int:
    """Append again the access-log entries that the restored backup does not hold.

    The restored log ends at the backup's newest entry; those written since (larger ids)
    are inserted again with their ids and times. An entry whose account the backup does
    not know keeps its reader's name and id in its detail.
    """
    newest = AccessLogEntry.objects.aggregate(newest=Max("id"))["newest"] or 0
    missing = [entry for entry in entries if entry["id"] > newest]
    known = set(
        User.objects.filter(pk__in={e["user_id"] for e in missing}).values_list("pk", flat=True)
    )
    rows = []
    for entry in missing:
        if entry["user_id"] is not None and entry["user_id"] not in known:
            who = f"[compte #{entry['user_id']} {entry.pop('username')}, absent de la sauvegarde] "
            entry["detail"] = (who + entry["detail"])[:255]
            entry["user_id"] = None
        entry.pop("username", None)
        rows.append(AccessLogEntry(**entry))
    with transaction.atomic():
        AccessLogEntry.objects.bulk_create(rows)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [AccessLogEntry]):
                cursor.execute(sql)
    return len(rows)


class Command(BaseCommand):
    help = "Replace the whole database by the backup at PATH (made by « backup »)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        if (
            not options["yes"]
            and input("Remplacer toute la base par la sauvegarde ? [oui/non] ").strip() != "oui"
        ):
            raise CommandError("Restauration annulée.")
        path = options["path"]
        # The access log is never rewound: what was logged since the backup is kept.
        log = list(
            AccessLogEntry.objects.order_by("id").values(
                "id",
                "at",
                "user_id",
                "action",
                "target_type",
                "target_id",
                "detail",
                username=models.F("user__username"),
            )
        )
        if connection.vendor == "postgresql":
            env, args_ = pg_env_and_args()
            connection.close()
            result = subprocess.run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args_,
                    path,
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode:
                raise CommandError(f"pg_restore a échoué : {result.stderr.strip()}")
        elif connection.vendor == "sqlite":
            import sqlite3

            connection.ensure_connection()
            source = sqlite3.connect(path)
            with source:
                source.backup(connection.connection)
            source.close()
        else:
            raise CommandError(f"Base de données non prise en charge : {connection.vendor}")
        kept = reappend_access_log(log)
        # Figures kept in a cache were computed from other records.
        records_changed()
        self.stdout.write(f"Base restaurée depuis {path}")
        self.stdout.write(
            f"{kept} entrée(s) du journal des accès postérieure(s) à la sauvegarde conservée(s)."
        )

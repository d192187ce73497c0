"""Restore a backup made by « backup »: the database becomes what the backup holds, and
the media files it holds are written back."""

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from entractes.freshness import records_changed
from entractes.management.commands.backup import (
    DATABASE,
    MANIFEST,
    MEDIA,
    pg_env_and_args,
    sha256,
)
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


def load_database(path: Path) -> None:
    """Replace the whole database by the dump at ``path``."""
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
                str(path),
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


def unpack(path: Path, work: Path) -> dict | None:
    """Extract an archive made by « backup » into ``work`` and check it whole (every
    media file against its checksum) before anything is replaced. ``None``: a backup
    of the database alone, as « backup » wrote them before it held the media files."""
    if not tarfile.is_tarfile(path):
        return None
    with tarfile.open(path) as archive:
        archive.extractall(work, filter="data")
    try:
        manifest = json.loads((work / MANIFEST).read_text())
    except (OSError, ValueError):
        raise CommandError(f"{path} n'est pas une sauvegarde d'Entr'Actes.") from None
    if manifest.get("vendor") != connection.vendor:
        raise CommandError(
            f"Sauvegarde d'une base {manifest.get('vendor')}, base actuelle {connection.vendor}."
        )
    for name, digest in manifest["media"].items():
        file = work / MEDIA / name
        if not file.is_file() or sha256(file) != digest:
            raise CommandError(f"Sauvegarde abîmée : le fichier {name} ne correspond pas.")
    return manifest


def put_back_media(work: Path, names) -> int:
    """Write the backed-up media files in place, each one replaced whole. Files made
    since the backup are left where they are (nothing is deleted)."""
    root = Path(settings.MEDIA_ROOT)
    for name in names:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(work / MEDIA / name, partial)
        os.replace(partial, target)
    return len(names)


class Command(BaseCommand):
    help = (
        "Replace the whole database by the backup at PATH (made by « backup ») and write "
        "back the media files it holds."
    )

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
        with tempfile.TemporaryDirectory() as work:
            manifest = unpack(Path(path), Path(work))
            load_database(Path(work) / DATABASE if manifest is not None else Path(path))
            restored = None if manifest is None else put_back_media(Path(work), manifest["media"])
        kept = reappend_access_log(log)
        # Figures kept in a cache were computed from other records.
        records_changed()
        self.stdout.write(f"Base restaurée depuis {path}")
        if restored is None:
            self.stdout.write(
                "Sauvegarde de la base seule (ancien format) : les fichiers (PDF publiés, "
                "rapports générés) n'y sont pas et restent tels quels."
            )
        else:
            self.stdout.write(f"{restored} fichier(s) restauré(s).")
        self.stdout.write(
            f"{kept} entrée(s) du journal des accès postérieure(s) à la sauvegarde conservée(s)."
        )

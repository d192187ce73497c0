"""Restore a backup made by « backup »: the database becomes what the backup holds."""

import subprocess

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from entractes.freshness import records_changed
from entractes.management.commands.backup import pg_env_and_args


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
        # Figures kept in a cache were computed from other records.
        records_changed()
        self.stdout.write(f"Base restaurée depuis {path}")

"""Back up the database: pg_dump on PostgreSQL, a consistent copy on SQLite."""

import subprocess

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def pg_env_and_args():
    settings = connection.settings_dict
    env = {"PGPASSWORD": settings.get("PASSWORD") or "", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    args = [
        "-h",
        settings.get("HOST") or "localhost",
        "-p",
        str(settings.get("PORT") or 5432),
        "-U",
        settings.get("USER") or "postgres",
        "-d",
        settings["NAME"],
    ]
    return env, args


class Command(BaseCommand):
    help = "Write a backup of the whole database to PATH (restore it with « restore PATH »)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, **options):
        path = options["path"]
        if connection.vendor == "postgresql":
            env, args_ = pg_env_and_args()
            result = subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", "-f", path, *args_],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode:
                raise CommandError(f"pg_dump a échoué : {result.stderr.strip()}")
        elif connection.vendor == "sqlite":
            import sqlite3

            connection.ensure_connection()
            target = sqlite3.connect(path)
            with target:
                connection.connection.backup(target)
            target.close()
        else:
            raise CommandError(f"Base de données non prise en charge : {connection.vendor}")
        self.stdout.write(f"Sauvegarde écrite dans {path}")

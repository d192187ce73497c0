"""Back up the database and the media files (published PDFs, generated reports) into
one archive: pg_dump on PostgreSQL, a consistent copy on SQLite, every file under
MEDIA_ROOT beside it."""

import hashlib
import json
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# Members of the archive.
MANIFEST = "manifest.json"
DATABASE = "database"
MEDIA = "media"
FORMAT = 1


def pg_env_and_args():
    settings_dict = connection.settings_dict
    env = {
        "PGPASSWORD": settings_dict.get("PASSWORD") or "",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    args = [
        "-h",
        settings_dict.get("HOST") or "localhost",
        "-p",
        str(settings_dict.get("PORT") or 5432),
        "-U",
        settings_dict.get("USER") or "postgres",
        "-d",
        settings_dict["NAME"],
    ]
    return env, args


def dump_database(path: Path) -> None:
    """Write the whole database to ``path`` (the format of the vendor's own tools)."""
    if connection.vendor == "postgresql":
        env, args_ = pg_env_and_args()
        result = subprocess.run(
            ["pg_dump", "-Fc", "--no-owner", "-f", str(path), *args_],
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


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


class Command(BaseCommand):
    help = (
        "Write a backup of the whole database and of the media files to PATH "
        "(restore it with « restore PATH »)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, **options):
        path = Path(options["path"])
        root = Path(settings.MEDIA_ROOT)
        with tempfile.TemporaryDirectory() as work:
            database = Path(work) / DATABASE
            dump_database(database)
            files = media_files()
            manifest = {
                "format": FORMAT,
                "vendor": connection.vendor,
                "media": {p.relative_to(root).as_posix(): sha256(p) for p in files},
            }
            (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=1))
            # Written beside, then moved: a failed backup never leaves half an archive.
            partial = path.with_name(path.name + ".partial")
            with tarfile.open(partial, "w") as archive:
                archive.add(Path(work) / MANIFEST, arcname=MANIFEST)
                archive.add(database, arcname=DATABASE)
                for file in files:
                    archive.add(file, arcname=f"{MEDIA}/{file.relative_to(root).as_posix()}")
            partial.replace(path)
        self.stdout.write(f"Sauvegarde écrite dans {path} (base et {len(files)} fichier(s))")

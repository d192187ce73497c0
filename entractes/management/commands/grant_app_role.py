"""Give the application's PostgreSQL role what it needs, and nothing over the access log.

Run as the role that owns the tables (the one migrations run as). The application
connects as another role, which owns nothing: it reads and writes the records, appends
to the access log and deletes only what the log's trigger lets go (entries over a year
old, the retention purge), but cannot update or truncate the log, disable its trigger,
alter or drop any table.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from entractes.models import AccessLogEntry


class Command(BaseCommand):
    help = (
        "Grant the application's PostgreSQL role its rights on every table (run as the "
        "tables' owner, after migrate)."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the application connects as")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            self.stdout.write("Base SQLite : un seul rôle, rien à accorder.")
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolname = current_user FROM pg_roles WHERE rolname = %s",
                [role],
            )
            row = cursor.fetchone()
        if row is None:
            raise CommandError(f"Le rôle PostgreSQL {role!r} n'existe pas.")
        is_superuser, is_owner = row
        if is_superuser or is_owner:
            raise CommandError(
                f"Le rôle {role!r} est superutilisateur ou propriétaire des tables : "
                "l'application doit se connecter avec un rôle qui ne possède rien."
            )
        grantee = connection.ops.quote_name(role)
        log = connection.ops.quote_name(AccessLogEntry._meta.db_table)
        statements = [
            f"GRANT USAGE ON SCHEMA public TO {grantee}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {grantee}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {grantee}",
            # Tables created by later migrations get the same rights.
            "ALTER DEFAULT PRIVILEGES IN SCHEMA public "
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {grantee}",
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {grantee}",
            # The access log: read and append; DELETE stays for the purge, which the row
            # trigger limits to entries over a year old.
            f"REVOKE UPDATE, TRUNCATE, REFERENCES, TRIGGER ON {log} FROM {grantee}",
            f"REVOKE ALL ON TABLE django_migrations FROM {grantee}",
            f"GRANT SELECT ON TABLE django_migrations TO {grantee}",
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        self.stdout.write(f"Droits accordés au rôle {role} (journal des accès : lecture et ajout).")

"""Entries may be deleted once they are more than a year old (the retention period);
younger ones stay impossible to change or delete, in the database itself."""

from django.db import migrations

TABLE = "entractes_accesslogentry"

SQLITE_UP = [
    "DROP TRIGGER IF EXISTS accesslog_no_delete",
    f"""CREATE TRIGGER accesslog_no_delete BEFORE DELETE ON {TABLE}
        WHEN OLD.at >= datetime('now', '-365 days')
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS accesslog_no_delete",
    f"""CREATE TRIGGER accesslog_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION accesslog_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND OLD.at < now() - interval '365 days' THEN RETURN OLD; END IF;
         RAISE EXCEPTION 'the access log is append-only';
       END;
       $$ LANGUAGE plpgsql""",
]
POSTGRES_DOWN = [
    """CREATE OR REPLACE FUNCTION accesslog_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the access log is append-only'; END;
       $$ LANGUAGE plpgsql""",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("entractes", "0003_access_log_append_only")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]

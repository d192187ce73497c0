"""Make the access log append-only in the database itself (SQLite and PostgreSQL)."""

from django.db import migrations

TABLE = "entractes_accesslogentry"

SQLITE_UP = [
    f"""CREATE TRIGGER accesslog_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
    f"""CREATE TRIGGER accesslog_no_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS accesslog_no_update", "DROP TRIGGER IF EXISTS accesslog_no_delete"]

POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION accesslog_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the access log is append-only'; END;
       $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER accesslog_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION accesslog_refuse_change()""",
    f"""CREATE TRIGGER accesslog_no_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION accesslog_refuse_change()""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS accesslog_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS accesslog_no_truncate ON {TABLE}",
    "DROP FUNCTION IF EXISTS accesslog_refuse_change()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("entractes", "0002_create_roles")]
    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]

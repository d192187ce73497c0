"""TRUNCATE of the access log is left to the table owner's rights (maintenance and test
databases need it); UPDATE and DELETE stay refused by row triggers for everybody."""

from django.db import migrations

TABLE = "entractes_accesslogentry"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS accesslog_no_truncate ON {TABLE}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"""CREATE TRIGGER accesslog_no_truncate BEFORE TRUNCATE ON {TABLE}
                FOR EACH STATEMENT EXECUTE FUNCTION accesslog_refuse_change()"""
        )


class Migration(migrations.Migration):
    dependencies = [("entractes", "0004_access_log_purge_after_a_year")]
    operations = [migrations.RunPython(drop, create)]

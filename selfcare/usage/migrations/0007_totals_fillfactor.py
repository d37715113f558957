"""On PostgreSQL, leave room in the pages of the per-day and per-month totals.

Ingestion adds to the same rows again and again (today's totals of every line); with free space in
their page the new row versions stay there and no index changes (HOT updates). Measured on the
benchmark world: ingestion 8.5 s → 7.8 s for 200,000 records.
"""

from django.db import migrations

TABLES = ("usage_dailyusage", "usage_monthlyusage")


def set_fillfactor(value):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in TABLES:
                schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {value})")

    return run


class Migration(migrations.Migration):
    dependencies = [("usage", "0006_staging_table")]

    operations = [migrations.RunPython(set_fillfactor(70), set_fillfactor(100))]

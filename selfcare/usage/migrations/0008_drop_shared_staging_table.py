"""Drop the shared staging table of usage ingestion (PostgreSQL).

Each writer now stages its share of a batch in a temporary table of its own connection
(`selfcare.usage.services.STAGING_SQL`): no batch id, no DELETE of the staged rows, no WAL, and
nothing left behind by a batch that fails. Reversed, the table of 0006 is created again.
"""

from django.db import migrations

CREATE = """
CREATE UNLOGGED TABLE usage_staging (
    batch_id uuid NOT NULL,
    line_id bigint NOT NULL,
    record_id varchar(64) NOT NULL,
    started_at timestamptz NOT NULL,
    category varchar(6) NOT NULL,
    direction varchar(3) NOT NULL,
    other_party varchar(32) NOT NULL,
    duration_seconds integer NOT NULL,
    volume_bytes bigint NOT NULL,
    roaming_zone varchar(8) NOT NULL,
    cost numeric(10, 4) NOT NULL
);
CREATE INDEX usage_staging_batch ON usage_staging (batch_id);
"""


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS usage_staging")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


class Migration(migrations.Migration):
    dependencies = [("usage", "0007_totals_fillfactor")]

    operations = [migrations.RunPython(drop, create)]

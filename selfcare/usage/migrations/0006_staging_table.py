"""The staging table of usage ingestion on PostgreSQL (selfcare.usage.services.stage).

Unlogged: its rows live only between a batch's COPY and its ingestion, which deletes them in the
same transaction that stores the records; a crash loses nothing that was not delivered again.
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


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE usage_staging")


class Migration(migrations.Migration):
    dependencies = [("usage", "0005_monthly_from_daily")]

    operations = [migrations.RunPython(create, drop)]

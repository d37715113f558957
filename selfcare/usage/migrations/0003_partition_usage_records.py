"""On PostgreSQL, turn the usage records table into a table partitioned by month (DESIGN §5).

A partitioned table's primary key and unique constraints must contain the partition key, so the
key is (id, started_at) and the natural key (record_id, started_at) already is; ids still come from
one sequence, so `id` stays unique and Django keeps using it alone. Time is indexed by BRIN (rows
arrive roughly in time order, and BRIN stays tiny) and (line, time) by a btree for one line's
records. Other databases keep the plain table of 0001.
"""

import datetime

from django.db import migrations

from selfcare.usage.partitions import DEFAULT_PARTITION, TABLE, month_of, next_month, partition_name

STEPS_BEFORE_COPY = f"""
ALTER TABLE {TABLE} RENAME TO {TABLE}_plain;
CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
    PARTITION BY RANGE (started_at);
CREATE TABLE {DEFAULT_PARTITION} PARTITION OF {TABLE} DEFAULT;
"""

STEPS_AFTER_COPY = f"""
DROP TABLE {TABLE}_plain;
CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id;
SELECT setval('{TABLE}_id_seq', coalesce((SELECT max(id) FROM {TABLE}), 0) + 1, false);
ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq');
ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, started_at);
ALTER TABLE {TABLE} ADD CONSTRAINT usage_record_natural_key UNIQUE (record_id, started_at);
ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_line_id_fk FOREIGN KEY (line_id)
    REFERENCES lines_line (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX usage_line_time ON {TABLE} (line_id, started_at);
CREATE INDEX usage_started_brin ON {TABLE} USING brin (started_at);
"""


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(STEPS_BEFORE_COPY)
        # Months of the rows already there, and the next year, get their partitions before the copy.
        cursor.execute(f"SELECT min(started_at), max(started_at) FROM {TABLE}_plain")
        first, last = cursor.fetchone()
        today = datetime.date.today()
        month = month_of(min(first.date(), today) if first else today)
        until = next_month(max(last.date(), today) if last else today) + datetime.timedelta(days=366)
        while month < until:
            start = datetime.datetime.combine(month, datetime.time()).isoformat()
            end = datetime.datetime.combine(next_month(month), datetime.time()).isoformat()
            cursor.execute(
                f"CREATE TABLE {partition_name(month)} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{start} Europe/Rome') TO ('{end} Europe/Rome')"
            )
            month = next_month(month)
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_plain")
        cursor.execute(STEPS_AFTER_COPY)


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("usage", "0002_ingestionclient_usageimport"),
        ("lines", "0003_counter_used_raw"),
    ]

    operations = [
        # The model does not change: only how PostgreSQL stores it.
        migrations.RunPython(partition, migrations.RunPython.noop, elidable=False),
    ]

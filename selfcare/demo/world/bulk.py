"""Fast insertion of many rows, bypassing model instances where the volume demands it.

On PostgreSQL rows go through COPY (psycopg 3); elsewhere through executemany in batches. Values
must already be what the column stores: aware UTC datetimes, dates, Decimals, ints and strings.
"""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from itertools import islice

from django.db import connection

BATCH = 20_000


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def _sqlite_value(value):
    # Django keeps datetimes on SQLite as naive UTC text and decimals as text it parses back;
    # the sqlite3 module's own adapters would write a different shape.
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def insert_rows(model, columns: Sequence[str], rows: Iterable[tuple]) -> int:
    """Insert rows (tuples in the order of `columns`, the field names) into model's table; return the count."""
    table = model._meta.db_table
    db_columns = [model._meta.get_field(name).column for name in columns]
    qn = connection.ops.quote_name
    column_list = ", ".join(qn(c) for c in db_columns)
    written = 0
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f"COPY {qn(table)} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    written += 1
            return written
        placeholders = ", ".join(["%s"] * len(db_columns))
        # Table and column names come from the model's metadata, never from input.
        sql = f"INSERT INTO {qn(table)} ({column_list}) VALUES ({placeholders})"  # noqa: S608
        iterator = iter(rows)
        while batch := list(islice(iterator, BATCH)):
            cursor.executemany(sql, [tuple(_sqlite_value(v) for v in row) for row in batch])
            written += len(batch)
    return written

"""Monthly partitions of the usage records table on PostgreSQL (DESIGN §5).

The records table is range-partitioned on the start time, one partition per Europe/Rome calendar
month, so that dropping a month of detail (retention) is dropping a table, and a query for a
period reads only the months it covers. A DEFAULT partition takes any row whose month has no
partition yet (a record written outside ingestion, which creates the months it needs first), so an
insert never fails for want of a partition. On other databases the table is a plain table and
these functions do nothing.
"""

import datetime
import logging
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import DatabaseError, connection, transaction

logger = logging.getLogger(__name__)

TABLE = "usage_usagerecord"
DEFAULT_PARTITION = f"{TABLE}_default"
ROME = ZoneInfo("Europe/Rome")
_NAME = re.compile(rf"^{TABLE}_(\d{{4}})(\d{{2}})$")

# Partitions this process has seen, so ingestion asks the catalogue only for months it has not seen.
_known: set[str] = set()


def is_partitioned() -> bool:
    return connection.vendor == "postgresql"


def month_of(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month + datetime.timedelta(days=32)).replace(day=1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def _rome_midnight(day: datetime.date) -> str:
    # A literal, not a parameter: DDL takes no bound parameters. Made from a date, never from input.
    return datetime.datetime.combine(day, datetime.time(), tzinfo=ROME).isoformat()


def existing_partitions() -> dict[str, datetime.date]:
    """The monthly partitions in the database: name → first day of the month."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = %s",
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            found[name] = datetime.date(int(match[1]), int(match[2]), 1)
    return found


def ensure_partitions(months: Iterable[datetime.date]) -> None:
    """Create the monthly partitions of these months (first days) that do not exist yet."""
    if not is_partitioned():
        return
    wanted = {partition_name(month_of(m)): month_of(m) for m in months}
    missing = {name: month for name, month in wanted.items() if name not in _known}
    if not missing:
        return
    existing = existing_partitions()
    _known.update(existing)
    for name, month in sorted(missing.items()):
        if name in existing:
            continue
        _create_partition(name, month)


def _create_partition(name: str, month: datetime.date) -> None:
    start, end = _rome_midnight(month), _rome_midnight(next_month(month))
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # Two ingestions creating the same month wait for each other instead of failing.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
            cursor.execute(
                f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{TABLE}" '
                f"FOR VALUES FROM ('{start}') TO ('{end}')"
            )
    except DatabaseError:
        # The DEFAULT partition already holds rows of this month: they stay there, which is correct,
        # only slower to read; the month is not retried by this process.
        logger.warning("usage partition %s not created: the default partition has rows of that month", name)
    # Known once committed: a batch that fails rolls its partition back too, and must create it again.
    transaction.on_commit(lambda: _known.add(name))


def drop_partitions_before(month: datetime.date) -> list[str]:
    """Drop the monthly partitions of the months before `month`; return their names."""
    if not is_partitioned():
        return []
    dropped = []
    with transaction.atomic(), connection.cursor() as cursor:
        # Deferred foreign-key checks of rows written earlier in the transaction would block the drop.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, start in sorted(existing_partitions().items(), key=lambda item: item[1]):
            if start < month:
                cursor.execute(f'DROP TABLE "{name}"')
                dropped.append(name)
                _known.discard(name)
    return dropped

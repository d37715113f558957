"""Usage ingestion (F-TRF-3): store each record once, and keep the totals and counters with it.

A delivery (a CSV file or an API batch) is read in batches; each batch (or, with writer threads,
each writer's share of it) is one transaction that stores the records not seen before and adds
exactly those to the per-day and per-month totals and to the counters, so a record delivered twice
(the same file again, overlapping files, an API retry) is counted once. Rows that fail their
checks are reported with their number and reason and the valid rows of the batch still land.
After the commit the touched lines get their threshold checks queued and their cached pages
refreshed.
"""

import csv
import datetime
import functools
import hashlib
import io
import itertools
import logging
import os
import queue
import secrets
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.lines import cache as line_cache
from selfcare.lines.models import Counter, Line

from . import counting, records
from .models import DailyUsage, IngestionClient, MonthlyUsage, UsageImport, UsageRecord
from .partitions import ensure_partitions, is_partitioned, month_of, next_month
from .records import COLUMNS, WHITESPACE, Record, RowError, normalise_number, parse_row, raw_number, reason
from .retention import retention_start

logger = logging.getLogger(__name__)

ROME = ZoneInfo("Europe/Rome")
# Rows per transaction: per-day totals and counters are updated once per (line, day) of a batch,
# so large batches cost less per record. Rows read in Python: 100,000 stay well under 100 MB in
# memory. Lines of a file are read in blocks of 200,000 (about 26 MB of text), each checked and
# stored in SQL on PostgreSQL in one transaction per writer: half as many upserts of the same
# (line, day) totals as with blocks of 100,000, for 6-8 % less time per record in the benchmark.
BATCH_ROWS = 100_000
BLOCK_LINES = 200_000
TEMP_BUFFERS = "64MB"  # per writer connection: its staging tables in memory
ERRORS_KEPT = 1_000  # rejected rows listed in a report; the count is always complete
DEADLOCK_RETRIES = 3


@dataclass
class Batch:
    """What one transaction stored; for rows checked in SQL, also what it read and refused."""

    stored: int = 0
    line_ids: set[int] = field(default_factory=set)
    rows: int = 0
    valid: int = 0
    rejected: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason), the first ones


# --- storing a batch -------------------------------------------------------------------------------


def _months(records: list[Record]) -> list[datetime.date]:
    """First days of the Rome months the records fall in (their partitions)."""
    return _months_between(min(r.started_at for r in records), max(r.started_at for r in records))


def _months_between(earliest: datetime.datetime, latest: datetime.datetime) -> list[datetime.date]:
    first = earliest.astimezone(ROME).date()
    last = latest.astimezone(ROME).date()
    months = [first]
    while months[-1] < month_of(last):
        months.append(next_month(month_of(months[-1])))
    return months


def records_store(records: list[Record], *, company_of: dict[int, int]) -> Batch:
    """Store the records not stored yet; add those, and only those, to the totals and counters.

    One transaction. `company_of` maps line ids to their company, for the cache refresh.
    """
    if not records:
        return Batch()
    if not is_partitioned():
        with transaction.atomic():
            batch = _store_python(records)
            _after_commit(batch.line_ids, company_of)
        return batch
    months = _months(records)
    return _retrying(lambda: _stage_and_ingest(records, months, company_of))


def _stage_and_ingest(records, months, company_of) -> Batch:
    with transaction.atomic():
        ensure_partitions(months)
        stage(records)
        batch = ingest_staged(company_of=company_of)
    return batch


def _retrying(store):
    """Run a store, again after a deadlock with a concurrent batch (both updating the same counters)."""
    for attempt in range(DEADLOCK_RETRIES):
        try:
            return store()
        except OperationalError as error:
            if "deadlock" not in str(error) or attempt == DEADLOCK_RETRIES - 1 or connection.in_atomic_block:
                raise
            logger.info("usage batch retried after a deadlock")
    raise AssertionError("unreachable")


def _after_commit(line_ids: set[int], company_of: dict[int, int]) -> None:
    if not line_ids:
        return
    ids = sorted(line_ids)
    line_cache.touch(lines=ids, companies={company_of[pk] for pk in ids if pk in company_of})
    from .tasks import check_usage_alerts

    transaction.on_commit(lambda: check_usage_alerts(ids))


STAGE_TYPES = ["int8", "text", "timestamptz", "text", "text", "text", "int4", "int8", "text", "numeric"]
# The staging table is a temporary table of the connection's own: its rows are never seen by another
# session, cost no WAL and no shared buffers, and are gone at the commit or the rollback of the
# transaction that staged them (and with the connection), so nothing is left behind by a batch that
# fails. TRUNCATE, not DELETE: the previous batch of the same transaction (stored inline inside a
# caller's transaction) is dropped in one step, and the statement reads the table without deleting.
STAGING_SQL = """
CREATE TEMP TABLE IF NOT EXISTS usage_staged (
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
) ON COMMIT DELETE ROWS;
TRUNCATE usage_staged;
"""


def _line_of(record: Record) -> int:
    return record.line_id


def stage(records: list[Record]) -> None:
    """COPY records (binary) into this connection's staging table, in the current transaction.

    The rows go in line order: the records' (line, time) index, the per-day totals and the counters
    are then visited page by page instead of at random, which keeps their pages in the buffer cache
    (measured on the benchmark world: the writers' database time for 200,000 records went from
    6.7 to 4.2-5.4 CPU seconds)."""
    with connection.cursor() as cursor:
        cursor.execute(STAGING_SQL)
        columns = ", ".join(Record._fields)
        with cursor.cursor.copy(f"COPY usage_staged ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(STAGE_TYPES)
            write = copy.write_row
            for record in sorted(records, key=_line_of):
                write(record)


def ingest_staged(*, company_of: dict[int, int]) -> Batch:
    """Store the staged rows with their totals and counters: one INGEST_SQL statement, in the
    caller's transaction (which staged them)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # The planner sees the staged rows' count; a plan over them is cheap to make, and compiling
        # it (JIT) would cost more than it saves. Aggregates of a batch stay in memory.
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        cursor.execute(INGEST_SQL)
        stored, line_ids = cursor.fetchone()
        batch = Batch(stored, set(line_ids))
        _after_commit(batch.line_ids, company_of)
    return batch


# One statement: insert the staged records (ON CONFLICT skips those already there, also when a
# concurrent batch stores them first), then add what was inserted — the RETURNING rows, nothing
# else — to the per-day and per-month totals and to the counters whose period holds the record's
# Rome day. The rating rule is selfcare.usage.counting's. The totals are upserted in key order: their
# index pages are visited in turn, and two deliveries lock the same rows in the same order.
INGEST_SQL = """
WITH new AS (
    INSERT INTO usage_usagerecord (line_id, record_id, started_at, category, direction, other_party,
        duration_seconds, volume_bytes, roaming_zone, cost)
    SELECT line_id, record_id, started_at, category, direction, other_party,
        duration_seconds, volume_bytes, roaming_zone, cost
    FROM usage_staged
    ON CONFLICT (record_id, started_at) DO NOTHING
    RETURNING line_id, (started_at AT TIME ZONE 'Europe/Rome')::date AS day, category, direction,
        duration_seconds, volume_bytes, roaming_zone, cost
), daily AS (
    INSERT INTO usage_dailyusage AS d (line_id, day, category, count, duration_seconds, volume_bytes,
        roaming_volume_bytes, cost)
    SELECT line_id, day, category, count(*), sum(duration_seconds), sum(volume_bytes),
        coalesce(sum(volume_bytes) FILTER (WHERE roaming_zone <> ''), 0), sum(cost)
    FROM new
    GROUP BY line_id, day, category
    ORDER BY line_id, day, category
    ON CONFLICT (line_id, day, category) DO UPDATE SET
        count = d.count + EXCLUDED.count,
        duration_seconds = d.duration_seconds + EXCLUDED.duration_seconds,
        volume_bytes = d.volume_bytes + EXCLUDED.volume_bytes,
        roaming_volume_bytes = d.roaming_volume_bytes + EXCLUDED.roaming_volume_bytes,
        cost = d.cost + EXCLUDED.cost
), monthly AS (
    INSERT INTO usage_monthlyusage AS m (line_id, month, category, count, duration_seconds, volume_bytes,
        roaming_volume_bytes, cost)
    SELECT line_id, date_trunc('month', day)::date, category, count(*), sum(duration_seconds), sum(volume_bytes),
        coalesce(sum(volume_bytes) FILTER (WHERE roaming_zone <> ''), 0), sum(cost)
    FROM new
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (line_id, month, category) DO UPDATE SET
        count = m.count + EXCLUDED.count,
        duration_seconds = m.duration_seconds + EXCLUDED.duration_seconds,
        volume_bytes = m.volume_bytes + EXCLUDED.volume_bytes,
        roaming_volume_bytes = m.roaming_volume_bytes + EXCLUDED.roaming_volume_bytes,
        cost = m.cost + EXCLUDED.cost
), rated AS (
    SELECT line_id, day, kind, sum(amount)::bigint AS amount  -- sum() of bigint is numeric: keep integer division
    FROM (
        SELECT line_id, day,
            CASE
                WHEN category = 'data' AND roaming_zone = '' THEN 'data_mb'
                WHEN category = 'data' AND roaming_zone = 'EU' THEN 'roaming_mb'
                WHEN category = 'voice' AND direction = 'out' AND roaming_zone IN ('', 'EU') THEN 'voice_min'
                WHEN category = 'sms' AND direction = 'out' AND roaming_zone IN ('', 'EU') THEN 'sms'
            END AS kind,
            CASE category WHEN 'data' THEN volume_bytes WHEN 'voice' THEN duration_seconds ELSE 1 END AS amount
        FROM new
    ) AS records
    WHERE kind IS NOT NULL
    GROUP BY line_id, day, kind
), counted AS (
    UPDATE lines_counter AS c SET
        used_raw = c.used_raw + s.amount,
        used = CASE c.kind
            WHEN 'voice_min' THEN (c.used_raw + s.amount + 59) / 60
            WHEN 'sms' THEN c.used_raw + s.amount
            ELSE (c.used_raw + s.amount) / 1048576
        END
    FROM (
        SELECT k.id, sum(r.amount)::bigint AS amount
        FROM rated r
        JOIN lines_counter k ON k.line_id = r.line_id AND k.kind = r.kind
            AND r.day >= k.period_start AND r.day < k.period_end
        GROUP BY k.id
    ) AS s
    WHERE c.id = s.id
    RETURNING c.id
)
SELECT (SELECT count(*) FROM new), (SELECT coalesce(array_agg(DISTINCT line_id), '{}') FROM new)
"""


# --- the CSV path on PostgreSQL: rows checked in SQL ------------------------------------------------

# A block of CSV lines goes as it is (COPY, one text per line, numbered in file order) into a
# temporary table of the connection; the numbers of the block, resolved once in Python, go beside
# it. CHECK_SQL then applies the rules of `records` to each row and stages the valid rows, typed,
# into `usage_staged`, from where INGEST_SQL stores them as for the other paths: Python no longer
# reads, converts and copies each field of each row.
RAW_STAGING_SQL = """
CREATE TEMP TABLE IF NOT EXISTS usage_raw (
    n integer GENERATED ALWAYS AS IDENTITY,
    line text NOT NULL
) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS usage_numbers (number text NOT NULL, line_id bigint NOT NULL) ON COMMIT DELETE ROWS;
TRUNCATE usage_raw, usage_numbers RESTART IDENTITY;
"""


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _matches(column: str, pattern: str) -> str:
    return f"{column} ~ {_sql_text('^(' + pattern + ')$')}"


_WS = _sql_text(WHITESPACE)
_CATEGORIES = ", ".join(_sql_text(c) for c in sorted(records.CATEGORIES))
_DIRECTIONS = ", ".join(_sql_text(d) for d in records.DIRECTIONS)

# A row's fields, cut at the commas (the block has no quoted fields) and stripped as parse_row strips them.
_FIELDS = ", ".join(f"btrim(split_part(r.line, ',', {i}), {_WS}) AS {name}" for i, name in enumerate(COLUMNS, start=1))


def _whole_reason(column: str, maximum: int) -> str:
    # "" and "0", the usual values, need no check.
    return f"""CASE WHEN {column} IN ('', '0') THEN NULL
        WHEN NOT {_matches(column, records.WHOLE_FORMAT)} THEN 'not_whole:{column}'
        WHEN {column}::numeric < 0 THEN 'negative:{column}'
        WHEN {column}::numeric > {maximum} THEN 'too_large:{column}' END"""


_TIME_REASON = f"""CASE
        WHEN NOT {_matches("started_at", records.TIME_FORMAT)} THEN
            CASE WHEN {_matches("started_at", records.LOCAL_TIME_FORMAT)} THEN 'time_offset' ELSE 'time_format' END
        -- the format allows days 29 to 31 of any month: the day must be one of its month's
        WHEN substr(started_at, 9, 2) > '28' AND substr(started_at, 9, 2)::integer
            > extract(day FROM (substr(started_at, 1, 7) || '-01')::date + interval '1 month - 1 day')
            THEN 'time_format'
        WHEN started_at::timestamptz > %(latest)s THEN 'time_future'
        WHEN started_at::timestamptz < %(oldest)s THEN 'time_old' END"""
_COST_REASON = f"""CASE WHEN cost IN ('', '0') THEN NULL
        WHEN NOT {_matches("cost", records.COST_FORMAT)} THEN 'cost_format'
        WHEN cost::numeric < 0 THEN 'cost_negative'
        WHEN cost::numeric > {records.MAX_COST} THEN 'cost_large'
        WHEN scale(cost::numeric) > {records.COST_DECIMALS} THEN 'cost_decimals' END"""

# The rules of records.parse_row, in its order, as one CASE per row (the first that fails gives the
# reason code); casts run only on values whose format was checked first, so no row makes the
# statement fail. A row belongs to this share if its line does (rows without a line: share 0).
# Parameters: first (the block's first line number), share, shares, latest, oldest.
CHECK_SQL = f"""
WITH checked AS MATERIALIZED (
    SELECT fields.*, CASE
        WHEN columns <> {len(COLUMNS)} THEN 'columns'
        WHEN record_id = '' THEN 'record_id_missing'
        WHEN length(record_id) > {records.MAX_RECORD_ID} THEN 'record_id_long'
        WHEN line_id IS NULL THEN 'number'
        WHEN time_reason IS NOT NULL THEN time_reason
        WHEN lower(type) NOT IN ({_CATEGORIES}) THEN 'type'
        WHEN lower(direction) NOT IN ({_DIRECTIONS}) THEN 'direction'
        WHEN length(other_party) > {records.MAX_OTHER_PARTY} THEN 'other_party_long'
        WHEN duration_reason IS NOT NULL THEN duration_reason
        WHEN volume_reason IS NOT NULL THEN volume_reason
        WHEN roaming_zone <> '' AND NOT {_matches("roaming_zone", records.ZONE_FORMAT)} THEN 'zone'
        WHEN cost_reason IS NOT NULL THEN cost_reason
    END AS reason
    FROM (
        SELECT %(first)s + r.n - 1 AS row_number, k.line_id,
            length(r.line) - length(replace(r.line, ',', '')) + 1 AS columns, {_FIELDS}
        FROM usage_raw AS r
        LEFT JOIN usage_numbers AS k ON k.number = btrim(split_part(r.line, ',', 2), {_WS})
        WHERE r.line <> '' AND coalesce(mod(k.line_id, %(shares)s) = %(share)s, %(share)s = 0)
        OFFSET 0  -- the fields are cut once, not at each use
    ) AS fields
    CROSS JOIN LATERAL (SELECT {_TIME_REASON} AS time_reason,
        {_whole_reason("duration_seconds", records.MAX_DURATION)} AS duration_reason,
        {_whole_reason("volume_bytes", records.MAX_WHOLE)} AS volume_reason,
        {_COST_REASON} AS cost_reason) AS field_reasons
), staged AS (
    INSERT INTO usage_staged (line_id, record_id, started_at, category, direction, other_party,
        duration_seconds, volume_bytes, roaming_zone, cost)
    SELECT line_id, record_id, started_at::timestamptz, lower(type), coalesce(nullif(lower(direction), ''), 'out'),
        other_party, coalesce(nullif(duration_seconds, '')::integer, 0), coalesce(nullif(volume_bytes, '')::bigint, 0),
        upper(roaming_zone), coalesce(nullif(cost, '')::numeric, 0)
    FROM checked
    WHERE reason IS NULL
    ORDER BY line_id  -- see stage()
)
SELECT count(*), count(*) FILTER (WHERE reason IS NOT NULL),
    (SELECT coalesce(json_agg(json_build_array(row_number, reason, detail)), '[]')
     FROM (
        SELECT row_number, reason,
            CASE reason WHEN 'columns' THEN columns::text WHEN 'number' THEN number WHEN 'type' THEN type END
                AS detail
        FROM checked WHERE reason IS NOT NULL ORDER BY row_number LIMIT {ERRORS_KEPT}
     ) AS refused)
FROM checked
"""  # noqa: S608 (made of the constants of records, no input)


def _reason(code: str, detail: str | None) -> str:
    code, _sep, column = code.partition(":")
    return reason(code, column or detail or "")


def block_store(
    text: str,
    *,
    first: int,
    numbers: dict[str, int],
    share: int = 0,
    shares: int = 1,
    now: datetime.datetime,
    oldest: datetime.datetime,
    company_of: dict[int, int],
) -> Batch:
    """Check and store this share of a block of CSV lines (PostgreSQL): one transaction.

    `text` is the block, already escaped for COPY (`copy_text`); `first` the file line number of its
    first line; `numbers` maps the numbers as written in the block to their lines. The rows of the
    lines whose id is `share` modulo `shares` are this call's (with the rows of no line, in share 0).
    Returns what was read, stored and refused, with the first refused rows and their reasons.
    """
    params = {
        "first": first,
        "share": share,
        "shares": shares,
        "latest": now + records.FUTURE_TOLERANCE,
        "oldest": oldest,
    }

    def store() -> Batch:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(STAGING_SQL + RAW_STAGING_SQL)
                with cursor.cursor.copy("COPY usage_raw (line) FROM STDIN") as copy:
                    copy.write(text)
                with cursor.cursor.copy("COPY usage_numbers (number, line_id) FROM STDIN") as copy:
                    for row in numbers.items():
                        copy.write_row(row)
                # Its size known, the planner looks the block's numbers up in a hash table (a few
                # ms) rather than sorting the block by number.
                cursor.execute("ANALYZE usage_numbers")
                cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
                cursor.execute(CHECK_SQL, params)
                rows, rejected, errors = cursor.fetchone()
                cursor.execute("SELECT min(started_at), max(started_at) FROM usage_staged")
                earliest, latest = cursor.fetchone()
            batch = Batch()
            if earliest is not None:
                ensure_partitions(_months_between(earliest, latest))
                batch = ingest_staged(company_of=company_of)
        batch.rows, batch.rejected, batch.valid = rows, rejected, rows - rejected
        batch.errors = [(row, _reason(code, detail)) for row, code, detail in errors]
        return batch

    return _retrying(store)


def copy_text(lines: list[str]) -> str | None:
    """A block of CSV lines as COPY text (one value per line), or None if it needs Python's CSV reader.

    Lines without quotes, carriage returns (other than CRLF endings) or NULs have their fields
    between the commas, and as many rows as lines: they can be split in SQL. Fields longer than
    the CSV reader accepts are left to it, so that it refuses the file as it does elsewhere.
    """
    text = "".join(lines)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if '"' in text or "\r" in text or "\0" in text or max(map(len, lines)) > csv.field_size_limit():
        return None
    return text.replace("\\", "\\\\").replace("\t", "\\t")


def _store_python(records: list[Record]) -> Batch:
    """Other databases (SQLite, one writer at a time): the same steps, worked out in Python."""
    existing = set()
    ids = sorted({r.record_id for r in records})
    for start in range(0, len(ids), 5_000):
        existing.update(
            UsageRecord.objects.filter(record_id__in=ids[start : start + 5_000]).values_list("record_id", "started_at")
        )
    new = []
    for record in records:
        key = (record.record_id, record.started_at)
        if key not in existing:
            existing.add(key)
            new.append(record)
    UsageRecord.objects.bulk_create((UsageRecord(**r._asdict()) for r in new), batch_size=2_000)
    daily: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    rated: dict[tuple, int] = defaultdict(int)
    for r in new:
        day = r.started_at.astimezone(ROME).date()
        totals = daily[(r.line_id, day, r.category)]
        totals[0] += 1
        totals[1] += r.duration_seconds
        totals[2] += r.volume_bytes
        totals[3] += r.volume_bytes if r.roaming_zone else 0
        totals[4] += r.cost
        use = counting.counter_use(r.category, r.direction, r.roaming_zone, r.duration_seconds, r.volume_bytes)
        if use:
            rated[(r.line_id, day, use[0])] += use[1]
    monthly: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    for (line_id, day, category), totals in daily.items():
        month = monthly[(line_id, day.replace(day=1), category)]
        for i, value in enumerate(totals):
            month[i] += value
    _add_totals(DailyUsage, "day", daily)
    _add_totals(MonthlyUsage, "month", monthly)
    _add_to_counters(rated)
    return Batch(len(new), {r.line_id for r in new})


TOTAL_FIELDS = ["count", "duration_seconds", "volume_bytes", "roaming_volume_bytes", "cost"]


def _add_totals(model, period: str, totals: dict[tuple, list]) -> None:
    """Add (line, period, category) → [count, seconds, bytes, roaming bytes, cost] to a totals table."""
    if not totals:
        return
    totals = dict(totals)
    lookup = {"line_id__in": {key[0] for key in totals}, f"{period}__in": {key[1] for key in totals}}
    changed = []
    for row in model.objects.filter(**lookup):
        added = totals.pop((row.line_id, getattr(row, period), row.category), None)
        if added:
            for name, value in zip(TOTAL_FIELDS, added, strict=True):
                setattr(row, name, getattr(row, name) + value)
            changed.append(row)
    model.objects.bulk_update(changed, TOTAL_FIELDS, batch_size=2_000)
    model.objects.bulk_create(
        (
            model(line_id=key[0], category=key[2], **{period: key[1]}, **dict(zip(TOTAL_FIELDS, t, strict=True)))
            for key, t in totals.items()
        ),
        batch_size=2_000,
    )


def monthly_from_daily(*, line_ids=None) -> int:
    """Write the per-month totals again from the per-day totals (of these lines, or of all): for
    data written without ingestion, such as the demo and benchmark worlds. Returns the rows written."""
    daily = DailyUsage.objects.all() if line_ids is None else DailyUsage.objects.filter(line_id__in=line_ids)
    sums = (
        daily.annotate(month=TruncMonth("day"))
        .values("line_id", "month", "category")
        .annotate(**{name: Sum(name) for name in TOTAL_FIELDS})
        .order_by()
    )
    with transaction.atomic():
        existing = MonthlyUsage.objects.all() if line_ids is None else MonthlyUsage.objects.filter(line_id__in=line_ids)
        existing.delete()
        rows = (
            MonthlyUsage(line_id=r["line_id"], month=r["month"], category=r["category"],
                         **{name: r[name] for name in TOTAL_FIELDS})
            for r in sums.iterator(chunk_size=5_000)
        )  # fmt: skip
        return len(MonthlyUsage.objects.bulk_create(rows, batch_size=5_000))


def _add_to_counters(rated: dict[tuple, int]) -> None:
    if not rated:
        return
    by_line_kind: dict[tuple, list] = defaultdict(list)
    for (line_id, day, kind), amount in rated.items():
        by_line_kind[(line_id, kind)].append((day, amount))
    days = [key[1] for key in rated]
    counters = Counter.objects.filter(
        line_id__in={key[0] for key in rated},
        kind__in={key[2] for key in rated},
        period_start__lte=max(days),
        period_end__gt=min(days),
    )
    changed = []
    for counter in counters:
        amount = sum(
            a
            for day, a in by_line_kind[(counter.line_id, counter.kind)]
            if counter.period_start <= day < counter.period_end
        )
        if amount:
            counter.used_raw += amount
            counter.used = counting.used_from_raw(counter.kind, counter.used_raw)
            changed.append(counter)
    Counter.objects.bulk_update(changed, ["used_raw", "used"], batch_size=2_000)


class Writers:
    """Threads that store batches on their own database connections (PostgreSQL).

    Reading a delivery is the calling thread's work and storing it is the database's: the caller
    gives each writer its share of a batch — split by line, so that they never touch the same totals
    or counters — and each writer stores it in a transaction of its own on its connection, waiting on
    the database while the caller reads the next batch. A writer is a thread with its own queue and
    keeps its connection for the whole delivery (it always gets the same lines). Inside a caller's
    transaction (which other connections cannot see) there are no writers.
    """

    def __init__(self, count: int):
        self.count = count
        self.queues: list[queue.SimpleQueue] = [queue.SimpleQueue() for _ in range(count)]
        self.threads = [
            threading.Thread(target=self._run, args=(q,), name=f"usage-writer-{i}", daemon=True)
            for i, q in enumerate(self.queues)
        ]
        for thread in self.threads:
            thread.start()

    @classmethod
    def for_this_connection(cls) -> "Writers | None":
        count = settings.USAGE_IMPORT_WRITERS
        if count < 1 or not is_partitioned() or connection.in_atomic_block:
            return None
        return cls(count)

    def submit(self, records: list[Record], company_of: dict[int, int]) -> list[Future]:
        """Hand each writer its share of the records; return a future of each share's Batch."""
        if not records:
            return []
        ensure_partitions(_months(records))  # committed here, before the writers insert into them
        company_of = dict(company_of)  # the caller goes on adding lines to its own
        shares: list[list[Record]] = [[] for _ in range(self.count)]
        for record in records:
            shares[record.line_id % self.count].append(record)
        return [
            self._put(writer, functools.partial(records_store, share, company_of=company_of))
            for share, writer in zip(shares, self.queues, strict=True)
            if share
        ]

    def submit_block(self, store: Callable[..., Batch]) -> list[Future]:
        """Have each writer run `store(share=i, shares=count)` (block_store: each takes its lines' rows)."""
        return [
            self._put(writer, functools.partial(store, share=i, shares=self.count))
            for i, writer in enumerate(self.queues)
        ]

    @staticmethod
    def _put(writer: queue.SimpleQueue, store: Callable[[], Batch]) -> Future:
        future = Future()
        writer.put((store, future))
        return future

    @staticmethod
    def _run(work: queue.SimpleQueue) -> None:
        try:
            with connection.cursor() as cursor:
                # The thread's connection is new: its temporary tables (a block of lines is ~13 MB)
                # can still be given memory enough to stay off the disk (the default is 8 MB).
                cursor.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
            while (item := work.get()) is not None:
                store, future = item
                if not future.set_running_or_notify_cancel():
                    continue  # cancelled: the delivery stopped
                try:
                    future.set_result(store())
                except BaseException as error:  # the caller gets it from the future
                    future.set_exception(error)
        finally:
            connections.close_all()  # this thread's connection only

    def shutdown(self) -> None:
        """Let the writers store what they were given, then end them (and their connections)."""
        for writer in self.queues:
            writer.put(None)
        for thread in self.threads:
            thread.join()


# --- deliveries ------------------------------------------------------------------------------------


class Delivery:
    """The report of one delivery, filled batch by batch and saved after each, so its progress shows."""

    def __init__(self, *, channel: str, source: str):
        self.report = UsageImport.objects.create(channel=channel, source=source[:255])
        self.now = timezone.now()
        # Records older than the detail kept are refused: retention would drop them at once.
        self.oldest = retention_start()
        self.lines: dict[str, int] = {}  # number → line id, looked up once per delivery
        self.company_of: dict[int, int] = {}
        self.in_flight = None
        # Files can be millions of rows: their batches go to writer threads. An API call (at most
        # USAGE_API_MAX_RECORDS) is stored in one transaction of its own, without threads.
        self.writers = Writers.for_this_connection() if channel == UsageImport.Channel.FILE else None

    def _resolve(self, written: set[str]) -> None:
        """Look up, once per delivery, the lines of these numbers (as written in the rows), by the
        number as written and normalised (a delivery writes its numbers one way: few distinct strings)."""
        written = written - self.lines.keys()
        normalised = {raw: normalise_number(raw) for raw in written}
        wanted = set(normalised.values()) - self.lines.keys() - {""}
        found = Line.objects.filter(number__in=wanted).values_list("number", "pk", "company_id")
        for number, pk, company_id in found:
            self.lines[number] = pk
            self.company_of[pk] = company_id
        for raw, number in normalised.items():
            if number in self.lines:
                self.lines[raw] = self.lines[number]

    def batch(self, rows: list[tuple[int, object]]) -> None:
        """Check one batch of (row number, fields) in Python and hand it to be stored.

        With writers, the batch is stored on their own connections while the caller reads and
        checks the next one; `finish` waits for the last."""
        self._resolve({raw_number(fields) for _, fields in rows})
        valid, errors = [], []
        for row_number, fields in rows:
            try:
                valid.append(parse_row(fields, line_ids=self.lines, now=self.now, oldest=self.oldest))
            except RowError as error:
                errors.append((row_number, str(error)))
        if self.writers:
            stored = self.writers.submit(valid, self.company_of)
        else:
            stored = [records_store(valid, company_of=self.company_of)]
        self._hand_over(Batch(rows=len(rows), valid=len(valid), rejected=len(errors), errors=errors), stored)

    def block(self, first: int, lines: list[str], text: str) -> None:
        """Hand a block of CSV lines (`text`: as COPY text) to be checked and stored in SQL (PostgreSQL).

        Only the numbers are read here, to look their lines up once per delivery; the writers then
        split the rows by line between them."""
        written = {line.partition(",")[2].partition(",")[0].strip(WHITESPACE) for line in lines}
        self._resolve(written)
        numbers = {number: self.lines[number] for number in written if number in self.lines}
        store = functools.partial(
            block_store, text, first=first, numbers=numbers, now=self.now, oldest=self.oldest,
            company_of=dict(self.company_of),
        )  # fmt: skip
        self._hand_over(Batch(), self.writers.submit_block(store) if self.writers else [store()])

    def _hand_over(self, checked: Batch, results: list) -> None:
        """Put a batch in flight, then wait for the one before it and count it into the report.

        Each writer goes on to its share of this batch as soon as it is done with the previous one,
        without waiting for the other writers (they store other lines)."""
        previous, self.in_flight = self.in_flight, (checked, results)
        self._count(previous)

    def wait(self) -> None:
        """Wait for the batch in flight to be stored, and count it into the report."""
        in_flight, self.in_flight = self.in_flight, None
        self._count(in_flight)

    def _count(self, in_flight) -> None:
        if in_flight is None:
            return
        checked, results = in_flight
        batches = [checked] + [r.result() if isinstance(r, Future) else r for r in results]
        report = self.report
        report.rows += sum(b.rows for b in batches)
        report.stored += sum(b.stored for b in batches)
        report.duplicates += sum(b.valid for b in batches) - sum(b.stored for b in batches)
        report.rejected += sum(b.rejected for b in batches)
        room = ERRORS_KEPT - len(report.errors)
        if room > 0:
            errors = sorted(e for b in batches for e in b.errors)[:room]
            report.errors.extend({"row": row, "reason": why} for row, why in errors)
        report.save(update_fields=["rows", "stored", "duplicates", "rejected", "errors"])

    def reject(self, row_number: int, reason: str) -> None:
        self.report.rejected += 1
        if len(self.report.errors) < ERRORS_KEPT:
            self.report.errors.append({"row": row_number, "reason": reason})

    def fail(self, message: str) -> UsageImport:
        return self.finish(message)

    def abort(self) -> None:
        """An unexpected error: the batches stored so far stay (delivering again adds only what is
        missing), and the report says the delivery stopped."""
        logger.exception("usage import %s stopped", self.report.source)
        try:
            if self.writers:
                writers, self.writers = self.writers, None
                for result in self.in_flight[1] if self.in_flight else []:
                    result.cancel()  # the next batch, if a writer has not started it yet
                writers.shutdown()  # staged rows of a failed share were rolled back with it
            self.finish(_("The import stopped on an unexpected error after %(rows)d rows; deliver it again.")
                        % {"rows": self.report.rows})  # fmt: skip
        except Exception:  # the report itself could not be saved: the original error is what matters
            logger.exception("usage import report %s not saved", self.report.pk)

    def finish(self, message: str = "") -> UsageImport:
        try:
            self.wait()
        finally:
            if self.writers:
                self.writers.shutdown()
                self.writers = None
        report = self.report
        report.message = message
        if message:
            report.status = UsageImport.Status.FAILED
        elif report.rejected:
            report.status = UsageImport.Status.DONE_WITH_ERRORS
        else:
            report.status = UsageImport.Status.DONE
        report.finished_at = timezone.now()
        report.save()
        logger.info(
            "usage import %s: %s rows, %s stored, %s duplicates, %s rejected %s",
            report.source, report.rows, report.stored, report.duplicates, report.rejected, message,
        )  # fmt: skip
        return report


def _batches(numbered_rows: Iterable[tuple[int, object]]) -> Iterator[list]:
    batch = []
    for item in numbered_rows:
        batch.append(item)
        if len(batch) == BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


class CsvLines:
    """The lines of a CSV text file, read in blocks, counted as the CSV reader counts them (a row's
    number is the number of its last line)."""

    def __init__(self, text: Iterable[str]):
        self.lines = iter(text)
        self.line_num = 0  # lines read so far

    def header(self) -> list[str] | None:
        return next(self._rows(self.lines), None)

    def blocks(self) -> Iterator[tuple[int, list[str]]]:
        """(number of the first line, up to BLOCK_LINES lines) after the lines read so far."""
        while block := list(itertools.islice(self.lines, BLOCK_LINES)):
            first = self.line_num + 1
            self.line_num += len(block)
            yield first, block

    def rows(self, first: int, block: list[str]) -> Iterator[tuple[int, list[str]]]:
        """The rows of a block (row number, fields) read by the CSV reader, and of the rest of a
        quoted field that goes on after it; read as they are asked for, before the next block."""
        self.line_num = first - 1
        for row in self._rows(itertools.chain(block, self.lines)):
            if row:
                yield self.line_num, row
            if self.line_num >= first - 1 + len(block):
                break

    def _rows(self, lines: Iterator[str]) -> Iterator[list[str]]:
        start = self.line_num
        reader = csv.reader(lines, strict=True)
        try:
            for row in reader:
                self.line_num = start + reader.line_num
                yield row
        finally:
            self.line_num = start + reader.line_num


def usage_file_import(*, file, name: str) -> UsageImport:
    """Import a CSV file of usage records (`file` is a binary file object); return its report.

    A file that is too big, not UTF-8 text, not CSV, empty or without the expected header is
    refused as a whole with a clear message; otherwise every valid row lands and every invalid
    one is listed with its row number and reason. On PostgreSQL, blocks of plain lines (no quoted
    fields) are checked in SQL; other blocks, and other databases, are read and checked in Python.
    """
    delivery = Delivery(channel=UsageImport.Channel.FILE, source=name)
    size = _size(file)
    if size is not None and size > settings.USAGE_IMPORT_MAX_BYTES:
        limit = settings.USAGE_IMPORT_MAX_BYTES // (1024 * 1024)
        return delivery.fail(_("The file is larger than %(limit)d MB: split it into smaller files.") % {"limit": limit})
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    lines = CsvLines(text)
    in_sql = is_partitioned()
    try:
        header = lines.header()
        if header is None or not any(header):
            return delivery.fail(_("The file is empty."))
        if [h.strip().lower() for h in header] != list(COLUMNS):
            return delivery.fail(
                _("This is not a usage records CSV: its first row must be the column names %(columns)s.")
                % {"columns": ",".join(COLUMNS)}
            )
        for first, block in lines.blocks():
            copy = copy_text(block) if in_sql else None
            if copy is not None:
                delivery.block(first, block, copy)
            else:
                for batch in _batches(lines.rows(first, block)):
                    delivery.batch(batch)
        delivery.wait()
    except UnicodeDecodeError:
        return delivery.fail(_("The file is not UTF-8 text: it is not a usage records CSV."))
    except csv.Error as error:
        return delivery.fail(
            _("The file is not valid CSV at row %(row)d: %(error)s") % {"row": lines.line_num, "error": error}
        )
    except Exception:
        delivery.abort()
        raise
    finally:
        text.detach()
    if delivery.report.rows == 0:
        return delivery.fail(_("The file has the column names but no records."))
    return delivery.finish()


def _size(file) -> int | None:
    try:
        return os.fstat(file.fileno()).st_size
    except (AttributeError, OSError, io.UnsupportedOperation):
        return getattr(file, "size", None)


def usage_batch_import(*, client: IngestionClient, records: list) -> UsageImport:
    """Import an API batch of records (dicts by column name, numbered from 1); return its report."""
    delivery = Delivery(channel=UsageImport.Channel.API, source=client.name)
    numbered = []
    for number, fields in enumerate(records, start=1):
        if isinstance(fields, dict):
            numbered.append((number, fields))
        else:
            delivery.reject(number, _("a record must be an object with the column names"))
    try:
        for batch in _batches(numbered):
            delivery.batch(batch)
        delivery.wait()
    except Exception:
        delivery.abort()
        raise
    delivery.report.rows += len(records) - len(numbered)
    return delivery.finish()


def ingestion_client_create(*, name: str) -> tuple[IngestionClient, str]:
    """Register a mediation system; return it with its token, which is shown this once only."""
    token = secrets.token_urlsafe(32)
    client = IngestionClient.objects.create(name=name, token_hash=token_hash(token))
    return client, token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()

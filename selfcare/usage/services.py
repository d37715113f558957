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
import hashlib
import io
import logging
import os
import queue
import secrets
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
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

from . import counting
from .models import DailyUsage, IngestionClient, MonthlyUsage, UsageImport, UsageRecord
from .partitions import ensure_partitions, is_partitioned, month_of, next_month
from .records import COLUMNS, Record, RowError, normalise_number, parse_row, raw_number
from .retention import retention_start

logger = logging.getLogger(__name__)

ROME = ZoneInfo("Europe/Rome")
# Rows per transaction: per-day totals and counters are updated once per (line, day) of a batch,
# so large batches cost less per record; 100,000 rows stay well under 100 MB in memory.
BATCH_ROWS = 100_000
ERRORS_KEPT = 1_000  # rejected rows listed in a report; the count is always complete
DEADLOCK_RETRIES = 3


@dataclass
class Batch:
    """What one transaction stored."""

    stored: int = 0
    line_ids: set[int] = field(default_factory=set)


# --- storing a batch -------------------------------------------------------------------------------


def _months(records: list[Record]) -> list[datetime.date]:
    """First days of the Rome months the records fall in (their partitions)."""
    first = min(r.started_at for r in records).astimezone(ROME).date()
    last = max(r.started_at for r in records).astimezone(ROME).date()
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

    Checking rows is Python work and storing them is the database's: the calling thread checks a
    batch and splits it by line between the writers — so they never touch the same totals or
    counters — and each writer stages its share into its connection's staging table and stores it
    in a transaction of its own, waiting on the database while the caller checks the next batch.
    A writer is a thread with its own queue and keeps its connection for the whole delivery (it
    always gets the same lines). Inside a caller's transaction (which other connections cannot
    see) there are no writers.
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
        """Hand each writer its share of the records; return a future of each share's stored count."""
        if not records:
            return []
        ensure_partitions(_months(records))  # committed here, before the writers insert into them
        company_of = dict(company_of)  # the caller goes on adding lines to its own
        shares: list[list[Record]] = [[] for _ in range(self.count)]
        for record in records:
            shares[record.line_id % self.count].append(record)
        futures = []
        for share, writer in zip(shares, self.queues, strict=True):
            if share:
                future = Future()
                writer.put((share, company_of, future))
                futures.append(future)
        return futures

    @staticmethod
    def _run(work: queue.SimpleQueue) -> None:
        try:
            while (item := work.get()) is not None:
                records, company_of, future = item
                try:
                    future.set_result(records_store(records, company_of=company_of).stored)
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

    def _resolve(self, rows: list) -> None:
        """Look up, once per delivery, the lines of the numbers of these rows, by the number as
        written and normalised (a delivery writes its numbers one way: few distinct strings)."""
        written = {raw_number(fields) for _, fields in rows} - self.lines.keys()
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
        """Check one batch of (row number, fields) and hand it to be stored.

        With writers, the batch is stored on their own connections while the caller reads and
        checks the next one; `finish` waits for the last."""
        self._resolve(rows)
        valid = []
        for row_number, fields in rows:
            try:
                valid.append(parse_row(fields, line_ids=self.lines, now=self.now, oldest=self.oldest))
            except RowError as error:
                self.reject(row_number, str(error))
        self.wait()
        if self.writers:
            stored = self.writers.submit(valid, self.company_of)
        else:
            stored = [records_store(valid, company_of=self.company_of).stored]
        self.in_flight = (len(rows), len(valid), stored)

    def wait(self) -> None:
        """Wait for the batch in flight to be stored, and count it into the report."""
        if self.in_flight is None:
            return
        rows, valid, results = self.in_flight
        self.in_flight = None
        stored = sum(r.result() if hasattr(r, "result") else r for r in results)
        report = self.report
        report.rows += rows
        report.stored += stored
        report.duplicates += valid - stored
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


def usage_file_import(*, file, name: str) -> UsageImport:
    """Import a CSV file of usage records (`file` is a binary file object); return its report.

    A file that is too big, not UTF-8 text, not CSV, empty or without the expected header is
    refused as a whole with a clear message; otherwise every valid row lands and every invalid
    one is listed with its row number and reason.
    """
    delivery = Delivery(channel=UsageImport.Channel.FILE, source=name)
    size = _size(file)
    if size is not None and size > settings.USAGE_IMPORT_MAX_BYTES:
        limit = settings.USAGE_IMPORT_MAX_BYTES // (1024 * 1024)
        return delivery.fail(_("The file is larger than %(limit)d MB: split it into smaller files.") % {"limit": limit})
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(header):
            return delivery.fail(_("The file is empty."))
        if [h.strip().lower() for h in header] != list(COLUMNS):
            return delivery.fail(
                _("This is not a usage records CSV: its first row must be the column names %(columns)s.")
                % {"columns": ",".join(COLUMNS)}
            )
        for batch in _batches((reader.line_num, row) for row in reader if row):
            delivery.batch(batch)
        delivery.wait()
    except UnicodeDecodeError:
        return delivery.fail(_("The file is not UTF-8 text: it is not a usage records CSV."))
    except csv.Error as error:
        return delivery.fail(
            _("The file is not valid CSV at row %(row)d: %(error)s") % {"row": reader.line_num, "error": error}
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

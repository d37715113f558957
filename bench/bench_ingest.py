"""Usage ingestion through the CSV path, beside a bare COPY of the same rows, on the benchmark world.

Needs the benchmark world on PostgreSQL (`make bench` builds it). Writes RECORDS new usage records
of today for the world's lines into a CSV file, then, alternately, ROUNDS times:
  * floor: COPY of the same rows (line ids already resolved) into the same partitioned, indexed
    records table, committed;
  * ingestion: `usage_file_import` of the file, committed batch by batch as in production —
    parsing, checks, line lookup, staging, dedup, per-day and per-month totals and counters;
  * again: the same file delivered a second time onto the first (every record a duplicate).
After each measurement the rows are deleted, today's per-day and this month's per-month totals and
the counters are put back and the tables vacuumed, so every measurement starts from the same state
and the world is left as it was (the usage alerts job is not queued during the run).
Reports the best round of each, in records per second, and the ratio ingestion / COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfcare_bench \\
        .venv/bin/python bench/bench_ingest.py [--records 200000] [--rounds 3]
"""

import argparse
import csv
import datetime
import io
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/selfcare_bench")
os.environ.setdefault("DEMO", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from selfcare.demo.bench import BENCH_VAT_NUMBER  # noqa: E402
from selfcare.lines.models import Line  # noqa: E402
from selfcare.usage import services, tasks  # noqa: E402
from selfcare.usage.models import UsageImport  # noqa: E402
from selfcare.usage.records import COLUMNS  # noqa: E402
from selfcare.usage.services import usage_file_import  # noqa: E402

TARGET = 0.5
KINDS = [("data", 0.6), ("voice", 0.25), ("sms", 0.1), ("mms", 0.02), ("option", 0.01), ("other", 0.02)]


def make_rows(records: int, seed: int) -> tuple[list[list], list[tuple]]:
    """The CSV rows (numbers) and the same rows as table tuples (line ids), all of today in Rome."""
    rng = random.Random(seed)
    lines = list(Line.objects.filter(company__vat_number=BENCH_VAT_NUMBER).values_list("number", "pk"))
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    span = max(60, int((now - midnight).total_seconds()) - 120)
    kinds, weights = zip(*KINDS, strict=True)
    csv_rows, table_rows = [], []
    run = f"{seed}-{int(time.time())}"
    for i in range(records):
        number, line_id = rng.choice(lines)
        started = midnight + datetime.timedelta(seconds=rng.randrange(span))
        kind = rng.choices(kinds, weights)[0]
        seconds = rng.randrange(5, 900) if kind == "voice" else 0
        volume = rng.randrange(10_000, 30_000_000) if kind == "data" else 0
        cost = "0.1900" if kind == "voice" and i % 10 == 0 else "0"
        other = "+390612345678" if kind in ("voice", "sms", "mms") else ""
        values = [f"bench-{run}-{i}", number, started.isoformat(), kind, "out", other, seconds, volume, "", cost]
        csv_rows.append(values)
        table_rows.append((line_id, values[0], started, kind, "out", other, seconds, volume, "", cost))
    return csv_rows, table_rows


def bare_copy(table_rows, midnight) -> float:
    """COPY the rows into the records table and commit (foreign-key checks included); then remove them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for r in table_rows:
        writer.writerow([r[0], r[1], r[2].isoformat(), *r[3:]])
    text = buffer.getvalue()
    columns = "line_id, record_id, started_at, category, direction, other_party, duration_seconds, volume_bytes, "
    columns += "roaming_zone, cost"
    options = "FORMAT csv, FORCE_NOT_NULL (other_party, roaming_zone)"
    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY usage_usagerecord ({columns}) FROM STDIN ({options})") as copy:
            copy.write(text)
    elapsed = time.perf_counter() - start
    remove_records(midnight)
    return elapsed


def remove_records(midnight) -> None:
    """Delete the rows written by a measurement, and vacuum, so the next one starts from a clean table."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM usage_usagerecord WHERE started_at >= %s AND record_id LIKE 'bench-%%'", [midnight])
        cursor.execute(f"VACUUM usage_usagerecord_{midnight:%Y%m}")


SNAPSHOT = """
DROP TABLE IF EXISTS bench_daily, bench_monthly, bench_counters;
CREATE TEMP TABLE bench_daily AS SELECT * FROM usage_dailyusage WHERE day = %(day)s;
CREATE TEMP TABLE bench_monthly AS SELECT * FROM usage_monthlyusage WHERE month = %(month)s;
CREATE TEMP TABLE bench_counters AS SELECT id, used, used_raw, alerted_percent FROM lines_counter;
"""
RESTORE = """
DELETE FROM usage_dailyusage WHERE day = %(day)s;
INSERT INTO usage_dailyusage SELECT * FROM bench_daily;
DELETE FROM usage_monthlyusage WHERE month = %(month)s;
INSERT INTO usage_monthlyusage SELECT * FROM bench_monthly;
UPDATE lines_counter c SET used = b.used, used_raw = b.used_raw, alerted_percent = b.alerted_percent
    FROM bench_counters b WHERE b.id = c.id AND (c.used_raw <> b.used_raw OR c.alerted_percent <> b.alerted_percent);
"""


def ingest(path: Path, midnight) -> tuple[float, float]:
    """Import the file (committed, as in production), then the same file again; then put the world
    back as it was (records, per-day totals, counters, reports)."""
    day = {"day": midnight.date(), "month": midnight.date().replace(day=1)}
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT, day)
    start = time.perf_counter()
    with path.open("rb") as file:
        report = usage_file_import(file=file, name=path.name)
    first = time.perf_counter() - start
    assert report.stored == report.rows and report.rejected == 0, (report.stored, report.rejected, report.message)
    start = time.perf_counter()
    with path.open("rb") as file:
        again = usage_file_import(file=file, name=path.name)
    second = time.perf_counter() - start
    assert again.stored == 0 and again.duplicates == report.rows, "the repeat stored something"
    remove_records(midnight)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(RESTORE, day)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM usage_dailyusage, usage_monthlyusage, lines_counter")
    UsageImport.objects.filter(pk__in=[report.pk, again.pk]).delete()
    return first, second


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--block-lines", type=int, default=None, help="lines per block (default: the product's)")
    args = parser.parse_args()
    if args.block_lines:
        services.BLOCK_LINES = args.block_lines
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL (DATABASE_URL).")
    # Alerts are a job of their own, queued after each batch: not part of what is measured here.
    tasks.check_usage_alerts = lambda line_ids: None
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    csv_rows, table_rows = make_rows(args.records, seed=11)
    if not table_rows:
        sys.exit("No benchmark world here: build it with `make bench` first.")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "usage.csv"
        with path.open("w", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(COLUMNS)
            writer.writerows(csv_rows)
        copies, firsts, seconds = [], [], []
        for _ in range(args.rounds):
            copies.append(bare_copy(table_rows, midnight))
            first, second = ingest(path, midnight)
            firsts.append(first)
            seconds.append(second)
    n = args.records
    copy_rate, ingest_rate, again_rate = n / min(copies), n / min(firsts), n / min(seconds)
    ratio = ingest_rate / copy_rate
    print(f"Machine: {platform.node()} · {os.cpu_count()} cores · PostgreSQL {connection.pg_version // 10000}")
    print(f"{n:,} records of today over {Line.objects.filter(company__vat_number=BENCH_VAT_NUMBER).count():,} lines, "
          f"best of {args.rounds} rounds\n")  # fmt: skip
    print("| Path | Seconds | Records/s | Ratio to COPY |")
    print("|---|---:|---:|---:|")
    print(f"| bare COPY into the partitioned, indexed table | {min(copies):.2f} | {copy_rate:,.0f} | 1.00 |")
    print(f"| CSV ingestion (checks, dedup, per-day and per-month totals, counters) | {min(firsts):.2f} "
          f"| {ingest_rate:,.0f} | **{ratio:.2f}** (target ≥ {TARGET}) |")  # fmt: skip
    print(f"| the same file again (every record a duplicate) | {min(seconds):.2f} | {again_rate:,.0f} "
          f"| {again_rate / copy_rate:.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()

"""The "Download traffico" spreadsheet (F-TRF-2): our writer against plain XlsxWriter, time and memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfcare_bench \\
        .venv/bin/python bench/bench_export.py [--rows 20000 100000] [--repeat 3] [--no-db]

Synthetic mode (no database): ROWS rows of the export's ten columns (a datetime, texts, whole and
decimal numbers, as `traffic_rows` yields them) are built into a Python list, then written to an
in-memory .xlsx by
  * plain XlsxWriter: a Workbook with default options, `write_row` per row, the same bold header,
    frozen panes, widths and number formats: the yardstick;
  * our writer (`selfcare.usage.export.write_xlsx`) from the same list, with the writer
    TRAFFIC_XLSX_WRITER chooses ("auto": rustpy-xlsxwriter when installed), and with XlsxWriter, the
    fallback, in constant-memory mode;
  * our writer from a generator (the rows made as they are written, as the database export does).
Database mode, when the benchmark world is in DATABASE_URL (only read, never written): the line with
the most records in the last 90 days exports those 90 days through `traffic_export` (the service the
page calls: server-side cursor, conversion, writer), and plain XlsxWriter writes the same rows, read
beforehand into a list, as its yardstick.

Each measured case runs REPEAT times, each time in a fresh subprocess, so that peak memories do not
mix: the figures are the median time and the highest peak resident memory (ru_maxrss) of the
process, which includes the interpreter, Django and, in synthetic mode, the list of rows itself
("before" is the resident memory just before writing). The ratio is the case's time over plain
XlsxWriter's time for the same rows (target: at most 0.3); target peak memory: under 250 MB at
100,000 rows.
"""

import argparse
import datetime
import io
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/selfcare_bench")
DAYS = 90
TARGET_RATIO = 0.3
TARGET_PEAK_MB = 250


def setup_django(database_url: str | None = None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEMO", "1")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def current_rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def synthetic_rows(count: int):
    """Rows shaped as traffic_rows yields them, made one at a time (same seed, same rows)."""
    rng = random.Random(20261125)
    start = datetime.datetime(2026, 8, 28)  # noqa: DTZ001 (spreadsheet cells hold naive Rome times)
    kinds = [("Chiamate", "In uscita"), ("SMS", "In uscita"), ("Internet", "In uscita"), ("Chiamate", "In entrata")]
    for n in range(count):
        kind, direction = kinds[rng.randrange(4)]
        data = kind == "Internet"
        yield (
            start + datetime.timedelta(seconds=n * 77 + rng.randrange(60)),
            "+393471234567",
            kind,
            direction,
            "" if data else f"+39333{rng.randrange(10**7):07d}",
            0 if data else rng.randrange(3600),
            rng.randrange(50 * 2**20) / 2**20 if data else 0.0,
            "EU" if rng.random() < 0.05 else "",
            round(rng.random() * 2, 4),
            f"MED{n:016d}",
        )


def plain_xlsxwriter(rows, columns, target) -> int:
    """The yardstick: XlsxWriter as its documentation shows it, with the file's formatting."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target)
    sheet = workbook.add_worksheet("Traffico")
    bold = workbook.add_format({"bold": True})
    for index, column in enumerate(columns):
        cell_format = workbook.add_format({"num_format": column.num_format}) if column.num_format else None
        sheet.set_column(index, index, column.width, cell_format)
    sheet.write_row(0, 0, [str(column.header) for column in columns], bold)
    sheet.freeze_panes(1, 0)
    count = 0
    for count, row in enumerate(rows, 1):
        sheet.write_row(count, 0, row)
    workbook.close()
    return count


def heaviest_line():
    """(line, first day, last day, records): the line with the most records in the last 90 days."""
    from django.db.models import Sum
    from django.utils import timezone

    from selfcare.lines.models import Line
    from selfcare.usage.models import DailyUsage

    last = timezone.localdate()
    first = last - datetime.timedelta(days=DAYS - 1)
    top = (
        DailyUsage.objects.filter(day__gte=first, day__lte=last)
        .values("line_id")
        .annotate(records=Sum("count"))
        .order_by("-records")
        .first()
    )
    if top is None:
        return None
    return Line.objects.get(pk=top["line_id"]), first, last, top["records"]


def run_case(case: str, rows: int) -> dict:
    """One measurement, in this (fresh) process."""
    database = case.startswith("db-")
    setup_django(DB_URL if database else "sqlite:///:memory:")
    from django.conf import settings

    from selfcare.usage import export

    plain = "plain" in case
    writer = "xlsxwriter" if case.endswith("-xlsxwriter") and not plain else None
    settings.TRAFFIC_XLSX_WRITER = writer or getattr(settings, "TRAFFIC_XLSX_WRITER", "auto")
    target = io.BytesIO()
    if database:
        line, first, last, _ = heaviest_line()
        start, end = export.rome_midnight(first), export.rome_midnight(last + datetime.timedelta(days=1))
        if case == "db-plain-xlsxwriter":
            data = list(export.traffic_rows(line.pk, start, end, number=line.number))
            before = current_rss_mb()
            started = time.perf_counter()
            written = plain_xlsxwriter(data, export.COLUMNS, target)
            seconds = time.perf_counter() - started
        else:
            before = current_rss_mb()
            started = time.perf_counter()
            _, content = export.traffic_export(line, first, last)
            seconds = time.perf_counter() - started
            target.write(content)
            written = export.UsageRecord.objects.filter(
                line_id=line.pk, started_at__gte=start, started_at__lt=end
            ).count()
    else:
        data = synthetic_rows(rows) if case.endswith("-generator") else list(synthetic_rows(rows))
        before = current_rss_mb()
        started = time.perf_counter()
        if case == "plain-xlsxwriter":
            written = plain_xlsxwriter(data, export.COLUMNS, target)
        else:
            written = export.write_xlsx(data, export.COLUMNS, target, title="Traffico")
        seconds = time.perf_counter() - started
    return {
        "case": case,
        "writer": "plain" if plain else export.chosen_writer(),
        "rows": written,
        "seconds": seconds,
        "peak_mb": rss_mb(),
        "before_mb": before,
        "file_mb": len(target.getvalue()) / 2**20,
    }


def measure(case: str, rows: int, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        output = subprocess.run(
            [sys.executable, __file__, "--case", case, "--rows", str(rows)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        ).stdout
        runs.append(json.loads(output.strip().splitlines()[-1]))
    return {
        **runs[0],
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "before_mb": max(r["before_mb"] for r in runs),
    }


def world_exists() -> bool:
    setup_django(DB_URL)
    from django.db import DatabaseError

    try:
        return heaviest_line() is not None
    except DatabaseError:
        return False


def row(label: str, result: dict, yardstick: dict | None) -> str:
    ratio = result["seconds"] / yardstick["seconds"] if yardstick else 1.0
    return (
        f"| {label} | {result['rows']:,} | {result['seconds']:.2f} | {result['rows'] / result['seconds']:,.0f} "
        f"| {result['peak_mb']:.0f} ({result['before_mb']:.0f}) | {ratio:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 100_000], help="synthetic sizes")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per case (median time)")
    parser.add_argument("--no-db", action="store_true", help="synthetic mode only")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # one measurement in this process
    options = parser.parse_args()
    if options.case:
        print(json.dumps(run_case(options.case, options.rows[0])))
        return

    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for package in ("XlsxWriter", "rustpy-xlsxwriter"):
        try:
            versions.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            versions.append(f"{package} not installed")
    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs; {', '.join(versions)}; "
        f"median of {options.repeat} fresh processes per case"
    )
    print()
    print("| case | rows | seconds | rows/s | peak MB (before writing) | ratio to plain XlsxWriter |")
    print("|---|---|---|---|---|---|")
    for rows in options.rows:
        plain = measure("plain-xlsxwriter", rows, options.repeat)
        print(row("plain XlsxWriter, from a list", plain, None), flush=True)
        ours = measure("export", rows, options.repeat)
        print(row(f"export writer ({ours['writer']}), from the same list", ours, plain), flush=True)
        streamed = measure("export-generator", rows, options.repeat)
        print(row(f"export writer ({streamed['writer']}), from a generator", streamed, plain), flush=True)
        fallback = measure("export-xlsxwriter", rows, options.repeat)
        print(row("export writer (xlsxwriter fallback), from the same list", fallback, plain), flush=True)
    if options.no_db:
        return
    if not world_exists():
        print(f"\nNo benchmark world in {DB_URL}: database mode skipped.")
        return
    line, first, last, records = heaviest_line()
    plain = measure("db-plain-xlsxwriter", 0, options.repeat)
    print(row(f"DB: plain XlsxWriter, the same rows from a list ({DAYS} days)", plain, None), flush=True)
    ours = measure("db-export", 0, options.repeat)
    print(row(f"DB: traffic_export ({ours['writer']}), {DAYS} days", ours, plain), flush=True)
    fallback = measure("db-export-xlsxwriter", 0, options.repeat)
    print(row(f"DB: traffic_export (xlsxwriter fallback), {DAYS} days", fallback, plain), flush=True)
    print(
        f"\nDB: line {line.pk} ({records:,} records per its daily totals, {first} to {last}); "
        f"file {ours['file_mb']:.1f} MB."
    )


if __name__ == "__main__":
    main()

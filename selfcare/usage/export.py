"""The "Download traffico" spreadsheet (SPEC F-TRF-2): a line's usage records of a date range as .xlsx.

One row per record, oldest first, ten columns (COLUMNS): start, line, type, direction, other party,
duration, volume, roaming zone, cost, record id. Cells are typed, so the customer can sort, filter
and add them up:
- start: the Europe/Rome local time as an Excel date-time (Excel has no time zones);
- duration: whole seconds; volume: megabytes as the line's Internet counters count them
  (1 MB = 1,048,576 bytes), the exact value bytes / 1,048,576 shown with 3 decimals, so a column
  sum is not distorted by rounding each row; cost: euro, shown with 4 decimals as stored;
- texts (labels, numbers, ids) are written as text, never read as formulas or links.

The records are read from a server-side cursor in chunks and handed to the writer one row at a time,
so memory does not grow with the number of records. Two writers give the same file:
rustpy-xlsxwriter (rust_xlsxwriter, compiled: 0.12-0.18 of the time plain XlsxWriter takes for the
same rows, bench/bench_export.py) and XlsxWriter in its constant-memory mode, the fallback.
`settings.TRAFFIC_XLSX_WRITER` chooses: "auto" (the default: the Rust one when it is installed),
"rust" or "xlsxwriter".
"""

import datetime
import functools
import importlib
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import DateTimeField, FloatField, Func, QuerySet
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from selfcare.core.errors import ApplicationError
from selfcare.lines.models import Line

from .counting import MB
from .models import Category, UsageRecord

ROME = ZoneInfo("Europe/Rome")
MAX_DAYS = 90
CHUNK_SIZE = 5000
WRITERS = ("rust", "xlsxwriter")
DATETIME_FORMAT = "dd/mm/yyyy hh:mm:ss"


@dataclass(frozen=True)
class Column:
    """One column of a spreadsheet: its header, width (characters) and cell type.

    kind is "datetime" (a naive datetime), "number" (int or float) or "text" (str).
    """

    header: str | Promise
    width: float
    kind: str = "text"
    num_format: str | None = None


COLUMNS = (
    Column(gettext_lazy("Start"), 19, "datetime", DATETIME_FORMAT),
    Column(gettext_lazy("Line"), 15),
    Column(gettext_lazy("Type"), 12),
    Column(gettext_lazy("Direction"), 11),
    Column(gettext_lazy("Other party"), 18),
    Column(gettext_lazy("Duration (s)"), 12, "number", "0"),
    Column(gettext_lazy("Volume (MB)"), 13, "number", "#,##0.000"),
    Column(gettext_lazy("Roaming zone"), 13),
    Column(gettext_lazy("Cost (€)"), 11, "number", "#,##0.0000"),
    Column(gettext_lazy("Record ID"), 26),
)

_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


class RomeWallClock(Func):
    """A time column as Europe/Rome wall-clock time without time zone, as the spreadsheet shows it.

    PostgreSQL converts it, and psycopg then reads a plain timestamp in C: reading the records of a
    90-day export took less than half the time of reading the aware value (Django's loader for
    those is Python code) and converting it row by row. Other databases return the aware value as it
    is, and traffic_rows converts it.
    """

    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra_context):
        # A literal, not a parameter: ROME is a constant of this module, never input.
        template = f"(%(expressions)s AT TIME ZONE '{ROME.key}')"
        return super().as_sql(compiler, connection, template=template, **extra_context)


def traffic_rows(
    line_id: int, start: datetime.datetime, end: datetime.datetime, *, number: str | None = None
) -> Iterator[tuple]:
    """The cells of COLUMNS for each record of the line that started in [start, end), oldest first.

    start and end are aware datetimes. The records come from a server-side cursor on PostgreSQL
    (CHUNK_SIZE rows a fetch), so a long range never sits in memory. `number` is the line's number
    when the caller has the line already (otherwise it is read once).
    """
    if number is None:
        number = Line.objects.filter(pk=line_id).values_list("number", flat=True).first() or ""
    records = (
        UsageRecord.objects.filter(line_id=line_id, started_at__gte=start, started_at__lt=end)
        # (started_at, record_id) is unique (the natural key), so the order is total and repeatable.
        .order_by("started_at", "record_id")
    )
    yield from record_rows(records, {line_id: number})


def record_rows(records: QuerySet, numbers: Mapping[int, str]) -> Iterator[tuple]:
    """The cells of COLUMNS for each of `records` (a UsageRecord queryset, in its own order).

    `numbers` gives each line's number by line id. The records are read from a server-side cursor
    on PostgreSQL, CHUNK_SIZE rows a fetch.
    """
    # Labels in the active language, looked up once instead of once per row.
    categories = {value: str(label) for value, label in Category.choices}
    directions = {value: str(label) for value, label in UsageRecord.Direction.choices}
    records = records.values_list(
        "line_id",
        RomeWallClock("started_at"),
        "category",
        "direction",
        "other_party",
        "duration_seconds",
        "volume_bytes",
        "roaming_zone",
        Cast("cost", FloatField()),
        "record_id",
    )
    # Outside a transaction Django declares the cursor WITH HOLD: PostgreSQL computes the result
    # once, and this process still receives it CHUNK_SIZE rows at a time (measured: no slower than
    # inside a transaction, which on SQLite would take the write lock for the whole export).
    for line_id, started_at, category, direction, other, seconds, volume, zone, cost, record_id in records.iterator(
        chunk_size=CHUNK_SIZE
    ):
        if started_at.tzinfo is not None:  # not converted by the database
            started_at = started_at.astimezone(ROME).replace(tzinfo=None)
        yield (
            started_at,
            numbers.get(line_id, ""),
            categories.get(category, category),
            directions.get(direction, direction),
            other,
            seconds,
            volume / MB,
            zone,
            cost,
            record_id,
        )


def available_writers() -> list[str]:
    """The writers installed here, fastest first."""
    return [name for name in WRITERS if name == "xlsxwriter" or _rust_module() is not None]


def chosen_writer(writer: str | None = None) -> str:
    """The writer to use: `writer` if given, else settings.TRAFFIC_XLSX_WRITER ("auto" by default)."""
    choice = writer or getattr(settings, "TRAFFIC_XLSX_WRITER", "auto")
    if choice == "auto":
        return available_writers()[0]
    if choice not in WRITERS:
        raise ImproperlyConfigured(f"TRAFFIC_XLSX_WRITER must be auto, rust or xlsxwriter, not {choice!r}")
    if choice not in available_writers():
        raise ImproperlyConfigured("TRAFFIC_XLSX_WRITER is rust but rustpy-xlsxwriter is not installed")
    return choice


def write_xlsx(
    rows: Iterable[Sequence],
    columns: Sequence[Column],
    target: BinaryIO | str,
    *,
    title: str,
    writer: str | None = None,
) -> int:
    """Write a one-sheet .xlsx into `target` (a binary file object or a path); return the rows written.

    A bold header row with the panes frozen below it, the columns' widths and number formats, then
    one row per item of `rows` (the cells in the order of `columns`), consumed one at a time.
    """
    headers = [str(column.header) for column in columns]
    if len(set(headers)) != len(headers):
        raise ValueError("column headers must differ: the fast writer keys cells by header")
    name = chosen_writer(writer)
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        # The Rust writer takes the header row from the first record: with none, XlsxWriter writes it.
        name = "xlsxwriter"
    else:
        rows = itertools.chain([first], rows)
    write = _write_rust if name == "rust" else _write_xlsxwriter
    return write(rows, columns, headers, target, sheet_title(title))


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return " ".join(_SHEET_NAME_FORBIDDEN.sub(" ", title).split())[:31].strip() or "Sheet1"


def traffic_export(line: Line, start_date: datetime.date, end_date: datetime.date) -> tuple[str, bytes]:
    """The .xlsx of the line's records from start_date to end_date (Europe/Rome days, both included).

    The caller has already checked that the line is in the user's scope. The range is at most
    MAX_DAYS days; a bad range raises ApplicationError on the field "date_to". Returns the file name
    and the file's content.
    """
    if end_date < start_date:
        raise ApplicationError(_("The end date comes before the start date."), field="date_to", code="invalid_range")
    if (end_date - start_date).days + 1 > MAX_DAYS:
        raise ApplicationError(
            _("Choose at most %(days)d days.") % {"days": MAX_DAYS}, field="date_to", code="range_too_long"
        )
    start = rome_midnight(start_date)
    end = rome_midnight(end_date + datetime.timedelta(days=1))
    # The writers build the file in temporary files; what is kept in memory is the zipped result.
    buffer = io.BytesIO()
    write_xlsx(traffic_rows(line.pk, start, end, number=line.number), COLUMNS, buffer, title=_("Traffic"))
    digits = line.number.lstrip("+")
    filename = f"{_('traffic')}_{digits}_{start_date:%Y%m%d}_{end_date:%Y%m%d}.xlsx"
    return filename, buffer.getvalue()


def rome_midnight(day: datetime.date) -> datetime.datetime:
    """The start of a Europe/Rome calendar day as an aware datetime (23 or 25 hours long on DST days)."""
    return datetime.datetime.combine(day, datetime.time(), tzinfo=ROME)


@functools.cache
def _rust_module():
    try:
        return importlib.import_module("rustpy_xlsxwriter")
    except ImportError:
        return None


def _write_rust(rows, columns, headers, target, title) -> int:
    rust = _rust_module()
    count = 0

    def records():
        # The Rust writer takes one dict per row, keyed by header; it reads them as they come.
        nonlocal count
        for count, row in enumerate(rows, 1):  # noqa: B007 (read once the writer is done)
            yield dict(zip(headers, row, strict=True))

    formats = []
    for column in columns:
        cell_format = rust.Format()
        if column.num_format:
            cell_format.set_num_format(column.num_format)
        formats.append(cell_format)
    rust.write_worksheet(
        records(),
        target,
        sheet_name=title,
        freeze_row=1,
        bold_headers=True,
        column_widths=[column.width for column in columns],
        column_formats=formats,
        datetime_format=DATETIME_FORMAT,
    )
    return count


def _write_xlsxwriter(rows, columns, headers, target, title) -> int:
    import xlsxwriter

    # constant_memory: each row goes to a temporary file as soon as the next one starts.
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    try:
        sheet = workbook.add_worksheet(title)
        bold = workbook.add_format({"bold": True})
        writers, formats = [], []
        for index, column in enumerate(columns):
            cell_format = workbook.add_format({"num_format": column.num_format}) if column.num_format else None
            sheet.set_column(index, index, column.width, cell_format)
            formats.append(cell_format)
            # Typed writes only: write() would turn a text starting with "=" into a formula.
            writers.append(
                {"datetime": sheet.write_datetime, "number": sheet.write_number}.get(column.kind, sheet.write_string)
            )
        sheet.write_row(0, 0, headers, bold)
        sheet.freeze_panes(1, 0)
        count = 0
        cells = list(zip(writers, formats, strict=True))
        for count, row in enumerate(rows, 1):  # noqa: B007 (read once the writer is done)
            for index, ((write, cell_format), value) in enumerate(zip(cells, row, strict=True)):
                write(count, index, value, cell_format)
    finally:
        workbook.close()
    return count

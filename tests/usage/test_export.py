"""The "Download traffico" spreadsheet (F-TRF-2), read back cell by cell, with each writer."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation

from selfcare.core.errors import ApplicationError
from selfcare.usage import export
from selfcare.usage.models import UsageRecord
from tests.factories import LineFactory

from .conftest import MB, ROME

pytestmark = pytest.mark.django_db

HEADERS = [
    "Start", "Line", "Type", "Direction", "Other party", "Duration (s)", "Volume (MB)", "Roaming zone",
    "Cost (€)", "Record ID",
]  # fmt: skip
# 29 March 2026 is 23 hours long in Rome (summer time starts), 25 October 2026 is 25 hours long.
SPRING = datetime.date(2026, 3, 29)
AUTUMN = datetime.date(2026, 10, 25)
UTC = datetime.UTC


def wall(*args) -> datetime.datetime:
    """A Rome wall-clock time as the spreadsheet holds it: Excel dates have no time zone."""
    return datetime.datetime(*args)  # noqa: DTZ001


@pytest.fixture(
    params=[
        "xlsxwriter",
        pytest.param(
            "rust",
            marks=pytest.mark.skipif(
                "rust" not in export.available_writers(), reason="rustpy-xlsxwriter is not installed"
            ),
        ),
    ]
)
def writer(request, settings):
    """Each test runs with each writer; XlsxWriter, the fallback, always."""
    settings.TRAFFIC_XLSX_WRITER = request.param
    return request.param


RECORD_DEFAULTS = {"direction": "out", "other_party": "", "duration_seconds": 0, "volume_bytes": 0, "roaming_zone": ""}


def record(line, record_id, started_at, category="voice", cost="0", **fields):
    """One record written with the ORM (on PostgreSQL it lands in its month's or the default partition)."""
    return UsageRecord.objects.create(
        line=line, record_id=record_id, started_at=started_at, category=category, cost=Decimal(cost),
        **(RECORD_DEFAULTS | fields),
    )  # fmt: skip


def read(content: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == [workbook.active.title]
    return workbook.active


def values(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def assert_number(cell, expected):
    assert cell.data_type == "n" and isinstance(cell.value, int | float) and not isinstance(cell.value, bool)
    assert cell.value == pytest.approx(expected, abs=1e-9)


@pytest.fixture
def line(company):
    return LineFactory(company=company, number="+393471234567")


@pytest.fixture
def spring_day(line, company):
    """Records around the 23-hour day, plus another line's records at the same times."""
    midnight = datetime.datetime(2026, 3, 29, tzinfo=ROME)
    other = LineFactory(company=company, number="+393479999999")
    for when in (midnight, midnight + datetime.timedelta(hours=5)):
        record(other, f"other-{when:%H}", when)
    return [
        record(line, "before", midnight - datetime.timedelta(seconds=1)),
        # Inserted out of order: the file is in time order all the same.
        record(line, "late", datetime.datetime(2026, 3, 29, 23, 59, 59, tzinfo=ROME), "sms", other_party="+39333003"),
        record(line, "first", midnight, other_party="+393330000001", duration_seconds=125, cost="0.1234"),
        # 01:30 is still winter time (UTC+1), 03:30 is summer time (UTC+2): one hour apart in reality.
        record(
            line,
            "winter",
            datetime.datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
            "data",
            volume_bytes=1536 * MB,
            roaming_zone="EU",
            cost="1.5000",
            direction="in",
        ),
        record(line, "summer", datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "data", volume_bytes=1234567),
        record(line, "after", datetime.datetime(2026, 3, 30, tzinfo=ROME)),
    ]


def test_a_day_of_records_cell_by_cell(line, spring_day, writer):
    name, content = export.traffic_export(line, SPRING, SPRING)
    assert name == "traffic_393471234567_20260329_20260329.xlsx"
    sheet = read(content)
    assert sheet.title == "Traffic"
    header = list(sheet.iter_rows(max_row=1))[0]
    assert [cell.value for cell in header] == HEADERS
    assert all(cell.font.b for cell in header)
    assert sheet.freeze_panes == "A2"
    for letter, column in zip("ABCDEFGHIJ", export.COLUMNS, strict=True):
        assert sheet.column_dimensions[letter].width == pytest.approx(column.width, abs=1)
    # Only this line, only the Rome day: from its midnight included to the next one excluded.
    assert [row[9] for row in values(sheet)] == ["first", "winter", "summer", "late"]
    assert sheet.max_row == 5 and sheet.max_column == 10

    first, winter, summer, late = list(sheet.iter_rows(min_row=2))
    assert first[0].value == wall(2026, 3, 29, 0, 0)
    assert winter[0].value == wall(2026, 3, 29, 1, 30)
    assert summer[0].value == wall(2026, 3, 29, 3, 30)
    assert late[0].value == wall(2026, 3, 29, 23, 59, 59)
    for row in (first, winter, summer, late):
        assert row[0].is_date and isinstance(row[0].value, datetime.datetime)
        assert row[0].number_format == export.DATETIME_FORMAT
        for index in (1, 2, 3, 9):
            assert row[index].data_type == "s"
    assert [first[i].value for i in (1, 2, 3, 4)] == ["+393471234567", "Calls", "Outgoing", "+393330000001"]
    assert_number(first[5], 125)
    assert_number(first[6], 0)
    assert first[7].value in ("", None)
    assert_number(first[8], 0.1234)
    assert first[8].number_format == "#,##0.0000"
    assert [winter[i].value for i in (2, 3, 7)] == ["Internet", "Incoming", "EU"]
    assert_number(winter[6], 1536)  # MB: 1,536 MiB
    assert winter[6].number_format == "#,##0.000"
    assert_number(winter[8], 1.5)
    assert_number(summer[6], 1234567 / MB)  # the exact value; the format shows 3 decimals
    assert summer[4].value in ("", None)
    assert late[2].value == "SMS"


def test_the_25_hour_day_has_the_repeated_hour_twice(line, writer):
    # 02:30 happens twice on 25 October: at 00:30 UTC (summer time) and at 01:30 UTC (winter time).
    record(line, "second", datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    record(line, "first", datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC))
    record(line, "last", datetime.datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC))  # 23:59:59 winter time
    record(line, "next day", datetime.datetime(2026, 10, 25, 23, 0, tzinfo=UTC))  # 26 October, midnight
    record(line, "day before", datetime.datetime(2026, 10, 24, 21, 59, 59, tzinfo=UTC))  # 24 October, 23:59:59
    rows = values(read(export.traffic_export(line, AUTUMN, AUTUMN)[1]))
    assert [(row[9], row[0]) for row in rows] == [
        ("first", wall(2026, 10, 25, 2, 30)),
        ("second", wall(2026, 10, 25, 2, 30)),
        ("last", wall(2026, 10, 25, 23, 59, 59)),
    ]


def test_rows_come_in_time_order_across_cursor_chunks(line, writer, monkeypatch):
    monkeypatch.setattr(export, "CHUNK_SIZE", 3)
    start = datetime.datetime(2026, 5, 1, 8, tzinfo=ROME)
    # Same start as r05, written first: the record id, not the insertion order, decides between them.
    record(line, "r05b", start + datetime.timedelta(minutes=5))
    for n in reversed(range(11)):
        record(line, f"r{n:02d}", start + datetime.timedelta(minutes=n), duration_seconds=n)
    rows = values(read(export.traffic_export(line, datetime.date(2026, 5, 1), datetime.date(2026, 5, 2))[1]))
    assert [row[9] for row in rows] == [f"r{n:02d}" for n in range(6)] + ["r05b"] + [f"r{n:02d}" for n in range(6, 11)]
    assert [row[5] for row in rows if row[9] != "r05b"] == list(range(11))


def test_texts_stay_texts(line, writer):
    when = datetime.datetime(2026, 5, 1, 8, tzinfo=ROME)
    record(line, "=1+2", when, other_party='=HYPERLINK("http://x.eu","y")')
    record(line, "0042", when + datetime.timedelta(seconds=1), other_party="http://x.example")
    sheet = read(export.traffic_export(line, datetime.date(2026, 5, 1), datetime.date(2026, 5, 1))[1])
    cells = list(sheet.iter_rows(min_row=2))
    assert [(row[4].value, row[4].data_type) for row in cells] == [
        ('=HYPERLINK("http://x.eu","y")', "s"),
        ("http://x.example", "s"),
    ]
    assert [row[9].value for row in cells] == ["=1+2", "0042"]
    assert not sheet._hyperlinks


def test_no_records_gives_the_header_only(line, writer):
    sheet = read(export.traffic_export(line, SPRING, SPRING)[1])
    assert [cell.value for cell in list(sheet.iter_rows())[0]] == HEADERS
    assert sheet.max_row == 1 and sheet.freeze_panes == "A2"


def test_labels_follow_the_active_language(line, writer):
    record(line, "r1", datetime.datetime(2026, 5, 1, 8, tzinfo=ROME))
    with translation.override("it"):
        name, content = export.traffic_export(line, datetime.date(2026, 5, 1), datetime.date(2026, 5, 1))
    sheet = read(content)
    assert sheet.title == "Traffico"
    assert [cell.value for cell in list(sheet.iter_rows())[0]][1:3] == ["Linea", "Tipo"]
    assert values(sheet)[0][2:4] == ["Chiamate", "In uscita"]


@pytest.mark.parametrize("days", [1, 90])
def test_up_to_90_days_are_exported(line, writer, days):
    last = datetime.date(2026, 6, 30)
    first = last - datetime.timedelta(days=days - 1)
    record(line, "first day", datetime.datetime.combine(first, datetime.time(), tzinfo=ROME))
    record(line, "last day", datetime.datetime.combine(last, datetime.time(23, 59), tzinfo=ROME))
    record(line, "day before", datetime.datetime.combine(first, datetime.time(), tzinfo=ROME) - datetime.timedelta(1))
    rows = values(read(export.traffic_export(line, first, last)[1]))
    assert [row[9] for row in rows] == ["first day", "last day"]


@pytest.mark.parametrize(
    ("first", "last", "message", "code"),
    [
        (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30), "Choose at most 90 days.", "range_too_long"),  # 91
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), "Choose at most 90 days.", "range_too_long"),
        (datetime.date(2026, 6, 2), datetime.date(2026, 6, 1), "The end date comes before the start date.",
         "invalid_range"),
    ],
)  # fmt: skip
def test_a_bad_range_is_refused(line, first, last, message, code):
    record(line, "r1", datetime.datetime(2026, 6, 1, 8, tzinfo=ROME))
    with pytest.raises(ApplicationError) as refused:
        export.traffic_export(line, first, last)
    assert refused.value.message == message and refused.value.field == "date_to" and refused.value.code == code


def test_write_xlsx_counts_rows_and_accepts_a_file_and_a_long_title(tmp_path, writer):
    columns = [export.Column("When", 18, "datetime", export.DATETIME_FORMAT), export.Column("N", 8, "number", "0")]
    rows = ((wall(2026, 1, 1) + datetime.timedelta(hours=n), n) for n in range(2500))
    path = tmp_path / "out.xlsx"
    with path.open("wb") as target:
        written = export.write_xlsx(rows, columns, target, title="Traffic: a/very [long] title of a sheet")
    assert written == 2500
    sheet = openpyxl.load_workbook(path).active
    assert sheet.title == "Traffic a very long title of a"
    assert sheet.max_row == 2501
    assert sheet["A2501"].value == wall(2026, 1, 1) + datetime.timedelta(hours=2499)
    assert sheet["B2501"].value == 2499


def test_the_writer_setting(settings):
    settings.TRAFFIC_XLSX_WRITER = "auto"
    assert export.chosen_writer() == export.available_writers()[0]
    assert export.chosen_writer("xlsxwriter") == "xlsxwriter"
    settings.TRAFFIC_XLSX_WRITER = "openpyxl"
    with pytest.raises(ImproperlyConfigured):
        export.chosen_writer()
    del settings.TRAFFIC_XLSX_WRITER
    assert export.chosen_writer() == export.available_writers()[0]  # "auto" when unset

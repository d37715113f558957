"""On PostgreSQL the CSV path checks plain rows in SQL; rows with quoted fields, the API and other
databases are checked in Python. Both apply the rules of `selfcare.usage.records`: the same file
gives the same report (reasons, row numbers) and the same stored records either way."""

import datetime
import io

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfcare.usage import services
from selfcare.usage.models import UsageRecord
from selfcare.usage.records import COLUMNS
from selfcare.usage.retention import retention_start

from .conftest import ROME

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL checks are PostgreSQL's"),
]

REPORT = ["status", "rows", "stored", "duplicates", "rejected", "errors", "message"]
STORED = ["line_id", "record_id", "started_at", "category", "direction", "other_party",
          "duration_seconds", "volume_bytes", "roaming_zone", "cost"]  # fmt: skip


class Rollback(Exception):
    pass


def _deliver(text: str, *, in_python: bool, monkeypatch) -> tuple[dict, list]:
    """Import `text` and return its report and the records stored, then undo the import."""
    with monkeypatch.context() as patch:
        if in_python:
            patch.setattr(services, "copy_text", lambda lines: None)
        try:
            with transaction.atomic():
                report = services.usage_file_import(file=io.BytesIO(text.encode()), name="cdr.csv")
                stored = sorted(UsageRecord.objects.values_list(*STORED))
                raise Rollback
        except Rollback:
            pass
    return {name: getattr(report, name) for name in REPORT}, stored


def _both_paths(text, monkeypatch):
    in_sql = _deliver(text, in_python=False, monkeypatch=monkeypatch)
    in_python = _deliver(text, in_python=True, monkeypatch=monkeypatch)
    assert in_sql == in_python
    return in_sql


def _csv(rows) -> str:
    return "\n".join([",".join(COLUMNS), *(",".join(row) for row in rows)]) + "\n"


# Values near the rules' edges, as the mediation might write them (no commas, quotes or line breaks:
# those rows are read by the CSV reader and checked in Python on both sides).
NUMBERS = ["+393471234567", "393471234567", "00393471234567", "3471234567", "347 1234567", " +393471234567\t",
           "+393999999999", "12", "abc", "", "+39347123456\\7"]  # fmt: skip
TYPES = ["data", "DATA", "Sms", "voice", "mms", "option", "other", "fax", "", " data ", "dat\\a", "vöice"]
DIRECTIONS = ["out", "in", "", "OUT", "In", "both", " in"]
WHOLE = ["0", "", "1", "61", "+5", "-0", "-5", "007", "1.5", "1e3", "2147483647", "2147483648",
         "4611686018427387904", "4611686018427387905", "99999999999999999999", " 12 ", "1 2", "١٢"]  # fmt: skip
ZONES = ["", "EU", "eu", "WORLD1", "world12", "ABCDEFGHI", "A-1", "ß", " EU "]
COSTS = ["0", "", "0.1200", "1.", ".5", "+.5", "-0", "-0.0000", "-1", "1.23456", "1.50000", "999999.9999",
         "1000000", "1e2", "NaN", "Infinity", "0x1", " 2.5 ", "1_0"]  # fmt: skip
OTHER = ["", "+390612345678", "x" * 32, "x" * 33, "tab\there", "back\\slash"]
RECORD_IDS = ["", " ", "x" * 64, "x" * 65]


OFFSETS = ["+01:00", "Z", "+0100", "+01", "-00:00", "-03:30", "+15:59", "+16:00", "", "z"]
FRACTIONS = ["", ".5", ".123456", ".1234567", ",5"]
ODD_TIMES = [
    "2026-02-29T10:00:00+01:00", "2024-02-29T10:00:00+01:00", "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z",
    "2026-11-25T24:00:00Z", "2026-11-25T10:60:00Z", "2026-11-25T10:00:60Z", "2026-11-25", "2026-11-25T10:00",
    "20261125T100000Z", "yesterday", "now", "", "0000-01-01T00:00Z", "3026-01-01T00:00Z",
]  # fmt: skip


def _moments(now: datetime.datetime) -> list[datetime.datetime]:
    """Inside the accepted window, just after it (the future) and just before it (older than the detail kept)."""
    oldest = retention_start()
    return [
        now - datetime.timedelta(hours=1), now + datetime.timedelta(minutes=3), now + datetime.timedelta(hours=2),
        oldest + datetime.timedelta(days=1), oldest - datetime.timedelta(days=1),
    ]  # fmt: skip


def _write_time(moment, offset, separator="T", seconds=True, fraction="") -> str:
    local = moment.astimezone(ROME) if offset in ("+01:00", "+0100", "+01") else moment
    text = local.strftime("%Y-%m-%d") + separator + local.strftime("%H:%M")
    if seconds:
        text += local.strftime(":%S") + fraction
    return text + offset


def _time_values(now: datetime.datetime) -> list[str]:
    written = [_write_time(m, offset) for m in _moments(now) for offset in OFFSETS]
    written += [_write_time(now - datetime.timedelta(hours=1), "Z", separator, seconds, fraction)
                for separator in ("T", " ", "t") for seconds in (True, False) for fraction in FRACTIONS]  # fmt: skip
    return written + ODD_TIMES


def _times(now: datetime.datetime) -> st.SearchStrategy[str]:
    """Start times around the accepted window, in the written forms of ISO 8601 and a few others."""
    written = st.builds(
        _write_time, st.sampled_from(_moments(now)), st.sampled_from(OFFSETS), st.sampled_from(["T", " ", "t"]),
        st.booleans(), st.sampled_from(FRACTIONS),
    )  # fmt: skip
    return st.one_of(written, st.sampled_from(ODD_TIMES))


EDGES = [RECORD_IDS, NUMBERS, None, TYPES, DIRECTIONS, OTHER, WHOLE, WHOLE, ZONES, COSTS]


def _valid_row(record_id: str, now: datetime.datetime) -> list[str]:
    started = (now - datetime.timedelta(hours=1)).isoformat()
    return [record_id, "+393471234567", started, "data", "out", "", "0", "1048576", "", "0"]


def test_each_edge_value_gives_the_same_outcome(line, monkeypatch):
    """A row per value near the edges of each column's rules, the other columns valid."""
    now = timezone.now()
    rows = []
    for column, values in enumerate(EDGES):
        for value in values or _time_values(now):
            row = _valid_row(f"e{len(rows)}", now)
            row[column] = value
            rows.append(row)
    report, stored = _both_paths(_csv(rows), monkeypatch)
    assert 0 < report["stored"] < report["rows"] == len(rows)


def _rows(now):
    """Rows valid but for some of their fields, which take values near the rules' edges."""

    def text(values):
        return st.one_of(st.sampled_from(values), st.text(alphabet="0a+-.: \tZ\\", max_size=6))

    fields = [
        st.sampled_from(RECORD_IDS), text(NUMBERS), _times(now), text(TYPES), text(DIRECTIONS), text(OTHER),
        text(WHOLE), text(WHOLE), text(ZONES), text(COSTS),
    ]  # fmt: skip

    @st.composite
    def rows(draw):
        values = _valid_row(f"r{draw(st.integers(0, 30))}", now)
        for column in draw(st.sets(st.integers(0, len(COLUMNS) - 1), max_size=2)):  # the others stay valid
            values[column] = draw(fields[column])
        return values

    short = st.lists(st.sampled_from(["r1", "+393471234567"]), max_size=11).filter(lambda r: len(r) != 10)
    return st.lists(st.one_of(rows(), rows(), rows(), short, st.just([])), min_size=1, max_size=25)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_sql_and_python_checks_agree(line, monkeypatch, data):
    now = timezone.now().replace(second=0, microsecond=0)
    rows = data.draw(_rows(now))
    _both_paths(_csv(rows), monkeypatch)


def test_row_numbers_are_the_files_lines_across_blocks(line, moment, monkeypatch):
    """Blank lines, CRLF endings, a quoted field over two lines and blocks cut in the middle of it."""
    monkeypatch.setattr(services, "BLOCK_LINES", 3)
    monkeypatch.setattr(services, "BATCH_ROWS", 2)
    good = f"r{{}},+393471234567,{moment.isoformat()},sms,out,,0,0,,0"
    lines = [
        ",".join(COLUMNS), good.format(1), "", good.format(2), "bad,+393471234567,yesterday,sms,out,,0,0,,0",
        good.format(3), 'r4,+393471234567,' + moment.isoformat() + ',sms,out,"two\r\nlines",0,0,,0',
        good.format(5), "", "", "short,+393471234567", good.format(6) + "\\",  good.format(7),
    ]  # fmt: skip
    report, stored = _both_paths("\r\n".join(lines) + "\r\n", monkeypatch)
    assert (report["rows"], report["stored"], report["rejected"]) == (9, 6, 3)
    assert report["errors"] == [
        {"row": 5, "reason": "started_at is not a date and time in ISO 8601"},
        {"row": 12, "reason": "2 columns instead of 10"},
        {"row": 13, "reason": "cost is not a number"},
    ]


def test_the_pinned_reasons_in_both_paths(line, moment, monkeypatch, settings):
    future = moment + datetime.timedelta(hours=2)
    rows = [
        ["ok1", "+393471234567", moment.isoformat(), "sms", "out", "", "0", "0", "", "0"],
        ["bad-number", "+393999999999", moment.isoformat(), "sms", "out", "", "0", "0", "", "0"],
        ["neg", "+393471234567", moment.isoformat(), "voice", "out", "", "-5", "0", "", "0"],
        ["future", "+393471234567", future.isoformat(), "sms", "out", "", "0", "0", "", "0"],
        ["naive", "+393471234567", "2026-01-05T10:00:00", "sms", "out", "", "0", "0", "", "0"],
        ["type", "+393471234567", moment.isoformat(), "FAX", "out", "", "0", "0", "", "0"],
        ["zone", "+393471234567", moment.isoformat(), "data", "out", "", "0", "5", "EU-1", "0"],
        ["cost", "+393471234567", moment.isoformat(), "sms", "out", "", "0", "0", "", "1.23456"],
    ]
    report, stored = _both_paths(_csv(rows), monkeypatch)
    assert [e["reason"] for e in report["errors"]] == [
        "unknown number +393999999999",
        "duration_seconds is negative",
        "started_at is in the future",
        "started_at has no UTC offset",
        "unknown type fax",
        "roaming_zone must be up to 8 letters or digits",
        "cost has more than 4 decimals",
    ]
    assert [r[1] for r in stored] == ["ok1"]

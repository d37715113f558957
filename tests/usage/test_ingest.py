"""Usage ingestion from files: stored once, totals and counters kept with the records, bad rows reported."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum

from selfcare.usage.models import DailyUsage, UsageImport, UsageRecord
from selfcare.usage.services import usage_file_import
from tests.factories import LineFactory

from .conftest import MB, ROME, counters, csv_file, row

pytestmark = pytest.mark.django_db


def _import(rows, name="cdr.csv", **kwargs):
    return usage_file_import(file=csv_file(rows, **kwargs), name=name)


def test_a_file_lands_with_its_totals_and_counters(line, moment, django_capture_on_commit_callbacks):
    rows = [
        row("r1", "+393471234567", moment, "data", volume=300 * MB, cost="0"),
        row("r2", "393471234567", moment, "data", volume=5 * MB, zone="EU"),
        row("r3", "347 1234567", moment, "voice", "out", "+390612345678", seconds=61, cost="0.1200"),
        row("r4", "3471234567", moment, "voice", "in", "+390612345678", seconds=600),
        row("r5", "+393471234567", moment, "sms", "out", "+393331112222"),
        row("r6", "+393471234567", moment, "data", volume=50 * MB, zone="WORLD1", cost="0.5000"),
    ]
    with django_capture_on_commit_callbacks() as callbacks:
        report = _import(rows)
    assert (report.status, report.rows, report.stored, report.duplicates, report.rejected) == ("done", 6, 6, 0, 0)
    assert UsageRecord.objects.filter(line=line).count() == 6
    day = moment.astimezone(ROME).date()
    data = DailyUsage.objects.get(line=line, day=day, category="data")
    assert (data.count, data.volume_bytes, data.roaming_volume_bytes) == (3, 355 * MB, 55 * MB)
    assert str(data.cost) == "0.5000"
    voice = DailyUsage.objects.get(line=line, day=day, category="voice")
    assert (voice.count, voice.duration_seconds, str(voice.cost)) == (2, 661, "0.1200")
    # Home Internet → Internet; EU → roaming; other zones and incoming calls use no allowance;
    # minutes are rounded up, MB down.
    assert counters(line) == {
        "data_mb": (300, 300 * MB),
        "roaming_mb": (5, 5 * MB),
        "voice_min": (2, 61),
        "sms": (1, 1),
    }
    assert callbacks, "the threshold checks are queued after the commit"


def test_the_same_file_twice_is_counted_once(line, moment):
    rows = [row(f"r{i}", "+393471234567", moment, "data", volume=MB) for i in range(5)]
    first = _import(rows)
    again = _import(rows)
    assert (first.stored, first.duplicates) == (5, 0)
    assert (again.stored, again.duplicates, again.status) == (0, 5, "done")
    assert UsageRecord.objects.count() == 5
    assert DailyUsage.objects.get(line=line, category="data").volume_bytes == 5 * MB
    assert counters(line)["data_mb"] == (5, 5 * MB)


def test_overlapping_files_and_repeats_inside_a_file(line, moment):
    first = [row(f"r{i}", "+393471234567", moment, "sms") for i in range(0, 6)]
    second = [row(f"r{i}", "+393471234567", moment, "sms") for i in range(4, 10)]
    second.append(second[-1])  # the same record twice in one file
    assert _import(first).stored == 6
    report = _import(second)
    assert (report.stored, report.duplicates) == (4, 3)
    assert DailyUsage.objects.get(line=line, category="sms").count == 10
    assert counters(line)["sms"] == (10, 10)


def test_same_record_id_at_another_time_is_another_record(line, moment):
    earlier = moment - datetime.timedelta(seconds=30)
    report = _import([row("r1", "+393471234567", moment, "sms"), row("r1", "+393471234567", earlier, "sms")])
    assert report.stored == 2


def test_bad_rows_are_reported_and_the_good_ones_land(line, moment, settings):
    future = moment + datetime.timedelta(hours=2)
    too_old = moment - datetime.timedelta(days=31 * (settings.USAGE_RETENTION_MONTHS + 1))
    rows = [
        row("ok1", "+393471234567", moment, "sms"),
        row("bad-number", "+393999999999", moment, "sms"),
        row("neg", "+393471234567", moment, "voice", seconds=-5),
        row("future", "+393471234567", future, "sms"),
        ["naive", "+393471234567", "2026-01-05T10:00:00", "sms", "out", "", "0", "0", "", "0"],
        ["badtime", "+393471234567", "yesterday", "sms", "out", "", "0", "0", "", "0"],
        row("type", "+393471234567", moment, "fax"),
        row("cost", "+393471234567", moment, "sms", cost="-1"),
        row("old", "+393471234567", too_old, "sms"),
        ["short", "+393471234567"],
        row("", "+393471234567", moment, "sms"),
        row("ok2", "+393471234567", moment, "data", volume=MB),
    ]
    report = _import(rows, name="mixed.csv")
    assert (report.status, report.rows, report.stored, report.rejected) == ("errors", 12, 2, 10)
    reasons = {e["row"]: e["reason"] for e in report.errors}
    assert reasons == {
        3: "unknown number +393999999999",
        4: "duration_seconds is negative",
        5: "started_at is in the future",
        6: "started_at has no UTC offset",
        7: "started_at is not a date and time in ISO 8601",
        8: "unknown type fax",
        9: "cost is negative",
        10: "started_at is older than the detail the product keeps",
        11: "2 columns instead of 10",
        12: "record_id is missing",
    }
    assert set(UsageRecord.objects.values_list("record_id", flat=True)) == {"ok1", "ok2"}


def test_a_number_of_any_company_is_found_but_only_its_line_gets_the_record(line, moment, other_company):
    other = LineFactory(company=other_company, number="+393480000001")
    report = _import([row("a", "+393471234567", moment, "sms"), row("b", "+393480000001", moment, "sms")])
    assert report.stored == 2
    assert UsageRecord.objects.get(record_id="b").line == other


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\n\n", "The file is empty."),
        (b"%PDF-1.7\n\xff\xfe\x00binary", "The file is not UTF-8 text: it is not a usage records CSV."),
        (b"name;surname\nMario;Rossi\n", "This is not a usage records CSV"),
        (b"record_id,number,started_at,type,direction,other_party,duration_seconds,volume_bytes,roaming_zone,cost\n",
         "The file has the column names but no records."),
        (b"record_id,number,started_at,type,direction,other_party,duration_seconds,volume_bytes,roaming_zone,cost\n"
         b'"r1,"+39347\n', "The file is not valid CSV at row"),
    ],
)  # fmt: skip
def test_files_that_are_not_usage_csv_are_refused_whole(line, content, message):
    import io

    report = usage_file_import(file=io.BytesIO(content), name="upload.bin")
    assert report.status == UsageImport.Status.FAILED
    assert report.message.startswith(message)
    assert UsageRecord.objects.count() == 0


def test_a_huge_file_is_refused_before_reading(line, moment, settings, tmp_path):
    settings.USAGE_IMPORT_MAX_BYTES = 1024
    path = tmp_path / "huge.csv"
    path.write_bytes(csv_file([row(f"r{i}", "+393471234567", moment, "sms") for i in range(40)]).getvalue())
    with path.open("rb") as file:
        report = usage_file_import(file=file, name=path.name)
    assert report.status == "failed"
    assert "larger than" in report.message
    assert UsageRecord.objects.count() == 0


def test_days_are_rome_calendar_days(line):
    # 23:30 UTC on 31 March is already 1 April in Rome (summer time, UTC+2); 22:59 UTC on 31 October
    # is still 31 October in Rome only after the switch back (UTC+1): 23:59 local.
    year = datetime.datetime.now(ROME).year - 1
    spring = datetime.datetime(year, 3, 31, 23, 30, tzinfo=datetime.UTC)
    autumn = datetime.datetime(year, 10, 31, 22, 59, tzinfo=datetime.UTC)
    from selfcare.usage.records import Record
    from selfcare.usage.services import records_store

    records = [
        Record(line.pk, "s", spring, "sms", "out", "", 0, 0, "", 0),
        Record(line.pk, "a", autumn, "sms", "out", "", 0, 0, "", 0),
    ]
    records_store(records, company_of={})
    days = set(DailyUsage.objects.values_list("day", flat=True))
    assert days == {datetime.date(year, 4, 1), datetime.date(year, 10, 31)}


def test_counters_only_count_records_of_their_period(line, moment):
    previous_month = moment.astimezone(ROME).replace(day=1) - datetime.timedelta(hours=12)
    _import([row("old", "+393471234567", previous_month, "sms"), row("new", "+393471234567", moment, "sms")])
    assert counters(line)["sms"] == (1, 1)
    assert DailyUsage.objects.aggregate(n=Sum("count"))["n"] == 2


def test_import_usage_command(line, moment, tmp_path):
    good = tmp_path / "good.csv"
    good.write_bytes(csv_file([row("r1", "+393471234567", moment, "sms")]).getvalue())
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"hello\n")
    from io import StringIO

    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("import_usage", str(good), str(bad), stdout=out, stderr=err)
    assert "good.csv: Done — 1 rows, 1 stored" in out.getvalue()
    assert "bad.csv: This is not a usage records CSV" in err.getvalue()
    assert UsageImport.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_file_over_several_lines_lands_whole_through_the_writers(company, moment, settings):
    """Outside a transaction, PostgreSQL stores batches on the writers' own connections."""
    settings.USAGE_IMPORT_WRITERS = 2
    lines = [LineFactory(company=company, number=f"+39347000000{i}") for i in range(4)]
    rows = [row(f"r{i}", line.number, moment, "data", volume=MB) for i, line in enumerate(lines * 5)]
    report = _import(rows)
    assert (report.status, report.rows, report.stored) == ("done", 20, 20)
    for line in lines:
        assert DailyUsage.objects.get(line=line, category="data").count == 5
    assert _import(rows).duplicates == 20


@pytest.mark.django_db(transaction=True)
def test_an_unexpected_failure_is_reported_and_raised(company, moment, monkeypatch):
    from selfcare.usage import services

    LineFactory(company=company, number="+393471234567")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "records_store", broken)  # storing inline (SQLite)
    monkeypatch.setattr(services, "ingest_staged", broken)  # storing on the writers (PostgreSQL, both paths)
    with pytest.raises(RuntimeError, match="disk full"):
        _import([row("r1", "+393471234567", moment, "sms")])
    report = UsageImport.objects.get()
    assert report.status == "failed" and "stopped on an unexpected error" in report.message
    assert UsageRecord.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_failed_batch_leaves_nothing_staged(line, moment, monkeypatch):
    """PostgreSQL stages a batch in a temporary table of the connection, in the batch's transaction:
    a batch that fails takes its staged rows with it, and the next one stores only its own."""
    if connection.vendor != "postgresql":
        pytest.skip("staging is PostgreSQL's")
    from selfcare.usage import services
    from selfcare.usage.records import Record

    def record(record_id):
        return Record(line.pk, record_id, moment, "sms", "out", "", 0, 0, "", 0)

    real = services.ingest_staged

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "ingest_staged", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        services.records_store([record("lost")], company_of={})
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('pg_temp.usage_staged') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT count(*) FROM usage_staged")
            assert cursor.fetchone()[0] == 0
    monkeypatch.setattr(services, "ingest_staged", real)
    assert services.records_store([record("kept")], company_of={}).stored == 1
    assert services.records_store([record("next")], company_of={}).stored == 1
    assert sorted(UsageRecord.objects.values_list("record_id", flat=True)) == ["kept", "next"]
    assert counters(line)["sms"] == (2, 2)

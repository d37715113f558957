"""Usage alerts at 80% and 100% of an allowance, once each; retention of the detail; monthly partitions."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from selfcare.accounts.models import SimAssociation
from selfcare.lines.models import Counter
from selfcare.notifications.models import Notification
from selfcare.usage.alerts import usage_alerts_send
from selfcare.usage.models import DailyUsage, UsageRecord
from selfcare.usage.partitions import existing_partitions
from selfcare.usage.records import Record
from selfcare.usage.retention import retention_start
from selfcare.usage.services import records_store, usage_file_import
from tests.factories import EmployeeFactory

from .conftest import MB, csv_file, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(line, company):
    return EmployeeFactory(company=company, line=line)


def _use_data(moment, mb, prefix):
    usage_file_import(file=csv_file([row(f"{prefix}", "+393471234567", moment, "data", volume=mb * MB)]), name="f")


def test_each_level_is_announced_once_to_the_lines_users(line, owner, moment, company):
    friend = EmployeeFactory(company=company)
    SimAssociation.objects.create(user=friend, line=line)
    _use_data(moment, 8_000, "a")  # 78% of 10 GB: nothing yet
    assert usage_alerts_send(line_ids=[line.pk]) == 0
    _use_data(moment, 300, "b")  # 81%
    assert usage_alerts_send(line_ids=[line.pk]) == 2
    assert usage_alerts_send(line_ids=[line.pk]) == 0
    notification = Notification.objects.get(user=owner)
    assert "80%" in notification.title and "+39 347 123 4567" in notification.title
    assert notification.link == f"/prodotti/linee/{line.pk}/"
    _use_data(moment, 3_000, "c")  # over the allowance
    assert usage_alerts_send(line_ids=[line.pk]) == 2
    assert Notification.objects.filter(user=friend).count() == 2
    assert Counter.objects.get(line=line, kind="data_mb").alerted_percent == 100


def test_a_jump_past_both_levels_sends_only_the_last(line, owner, moment):
    _use_data(moment, 12_000, "a")
    assert usage_alerts_send(line_ids=[line.pk]) == 1
    # Written in the portal's first language: users have no language of their own yet.
    assert Notification.objects.get(user=owner).title == "Hai esaurito il bundle Internet della linea +39 347 123 4567"


def test_ingestion_queues_the_check_for_the_lines_it_touched(
    line, moment, monkeypatch, django_capture_on_commit_callbacks
):
    from selfcare.usage import tasks

    queued = []
    monkeypatch.setattr(tasks, "check_usage_alerts", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        _use_data(moment, 10, "a")
    assert queued == [[line.pk]]


def test_retention_drops_old_detail_and_keeps_daily_totals(line, moment, settings):
    settings.USAGE_RETENTION_MONTHS = 6
    start = retention_start()
    old = start - datetime.timedelta(days=3)
    kept = start + datetime.timedelta(days=1)
    records = [
        Record(line.pk, "old", old, "sms", "out", "", 0, 0, "", 0),
        Record(line.pk, "kept", kept, "sms", "out", "", 0, 0, "", 0),
        Record(line.pk, "now", moment, "sms", "out", "", 0, 0, "", 0),
    ]
    records_store(records, company_of={})
    call_command("drop_old_usage")
    assert set(UsageRecord.objects.values_list("record_id", flat=True)) == {"kept", "now"}
    assert DailyUsage.objects.filter(line=line).count() == 3  # the totals of the old day stay


def test_records_live_in_their_months_partition(line, moment):
    if connection.vendor != "postgresql":
        pytest.skip("partitions are PostgreSQL's")
    previous = (timezone.localdate().replace(day=1) - datetime.timedelta(days=40)).replace(day=15)
    earlier = datetime.datetime.combine(previous, datetime.time(12), tzinfo=datetime.UTC)
    records_store(
        [
            Record(line.pk, "a", moment, "sms", "out", "", 0, 0, "", 0),
            Record(line.pk, "b", earlier, "sms", "out", "", 0, 0, "", 0),
        ],
        company_of={},
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT record_id, tableoid::regclass::text FROM usage_usagerecord ORDER BY record_id")
        where = dict(cursor.fetchall())
    assert where == {"a": f"usage_usagerecord_{moment:%Y%m}", "b": f"usage_usagerecord_{previous:%Y%m}"}
    assert {f"usage_usagerecord_{previous:%Y%m}", f"usage_usagerecord_{moment:%Y%m}"} <= set(existing_partitions())

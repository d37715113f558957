"""Per-day and per-month totals and counters always equal a recomputation from the stored records, however the
records arrive: in any batches, repeated, across days and months."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfcare.lines.models import Counter
from selfcare.usage.counting import counter_use, used_from_raw
from selfcare.usage.models import DailyUsage, MonthlyUsage, UsageRecord
from selfcare.usage.records import Record
from selfcare.usage.services import records_store

from .conftest import ROME

record_fields = st.tuples(
    st.integers(0, 40),  # record id: few, so that repeats happen
    st.integers(0, 60 * 24 * 45),  # minutes before the reference time: this month and the last
    st.sampled_from(["voice", "sms", "mms", "data", "option", "other"]),
    st.sampled_from(["out", "in"]),
    st.sampled_from(["", "", "EU", "WORLD1"]),
    st.integers(0, 4_000),
    st.integers(0, 50 * 1024 * 1024),
    st.decimals(min_value=0, max_value=5, places=4),
)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(record_fields, max_size=60), cuts=st.lists(st.integers(0, 60), max_size=4))
def test_totals_and_counters_equal_a_recount(line, rows, cuts):
    reference = datetime.datetime.now(ROME).replace(second=0, microsecond=0) - datetime.timedelta(minutes=1)
    records = []
    for rid, minutes, category, direction, zone, seconds, volume, cost in rows:
        # The same id always has the same time, so a repeated id is a repeated delivery of one record.
        started = reference - datetime.timedelta(minutes=(minutes + rid * 7919) % (60 * 24 * 45))
        records.append(Record(line.pk, f"r{rid}", started, category, direction, "", seconds, volume, zone, cost))
    bounds = sorted({0, len(records), *(c for c in cuts if c < len(records))})
    try:
        with transaction.atomic():
            for start, end in zip(bounds, bounds[1:], strict=False):
                records_store(records[start:end], company_of={})
            _assert_recount(line)
            raise Rollback
    except Rollback:
        pass


def _assert_recount(line):
    daily = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    for r in UsageRecord.objects.filter(line=line):
        totals = daily[(r.started_at.astimezone(ROME).date(), r.category)]
        totals[0] += 1
        totals[1] += r.duration_seconds
        totals[2] += r.volume_bytes
        totals[3] += r.volume_bytes if r.roaming_zone else 0
        totals[4] += r.cost
    stored = {
        (d.day, d.category): [d.count, d.duration_seconds, d.volume_bytes, d.roaming_volume_bytes, d.cost]
        for d in DailyUsage.objects.filter(line=line)
    }
    assert stored == dict(daily)
    monthly = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    for (day, category), totals in daily.items():
        month = monthly[(day.replace(day=1), category)]
        for i, value in enumerate(totals):
            month[i] += value
    stored = {
        (m.month, m.category): [m.count, m.duration_seconds, m.volume_bytes, m.roaming_volume_bytes, m.cost]
        for m in MonthlyUsage.objects.filter(line=line)
    }
    assert stored == dict(monthly)
    for counter in Counter.objects.filter(line=line):
        raw = 0
        for r in UsageRecord.objects.filter(line=line):
            use = counter_use(r.category, r.direction, r.roaming_zone, r.duration_seconds, r.volume_bytes)
            day = r.started_at.astimezone(ROME).date()
            if use and use[0] == counter.kind and counter.period_start <= day < counter.period_end:
                raw += use[1]
        assert (counter.used_raw, counter.used) == (raw, used_from_raw(counter.kind, raw)), counter.kind

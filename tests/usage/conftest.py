import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from selfcare.lines.models import Counter
from selfcare.usage.records import COLUMNS
from tests.factories import LineFactory

ROME = ZoneInfo("Europe/Rome")
MB = 1024 * 1024


def csv_file(rows, header=COLUMNS) -> io.BytesIO:
    """A usage CSV in memory; rows are lists of column values (converted with str)."""
    lines = [",".join(header)] if header else []
    lines += [",".join("" if v is None else str(v) for v in row) for row in rows]
    return io.BytesIO(("\n".join(lines) + "\n").encode())


def row(record_id, number, started_at, kind="data", direction="out", other="", seconds=0, volume=0, zone="", cost="0"):
    return [record_id, number, started_at.isoformat(), kind, direction, other, seconds, volume, zone, cost]


@pytest.fixture
def moment():
    """A time earlier today (Rome), at least one minute before now, inside the current period."""
    now = timezone.now().astimezone(ROME)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(midnight, now - datetime.timedelta(hours=1)) if now - midnight > datetime.timedelta(minutes=2) else now


@pytest.fixture
def line(company):
    """A mobile line with this month's counters: 10 GB of Internet, 1 GB of EU roaming, 1,000 minutes, 100 SMS."""
    line = LineFactory(company=company, number="+393471234567")
    today = timezone.localdate()
    start = today.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    for kind, allowance in (("data_mb", 10_240), ("roaming_mb", 1_024), ("voice_min", 1_000), ("sms", 100)):
        Counter.objects.create(line=line, kind=kind, period_start=start, period_end=end, allowance=allowance)
    return line


def counters(line) -> dict[str, tuple[int, int]]:
    return {c.kind: (c.used, c.used_raw) for c in Counter.objects.filter(line=line)}


@pytest.fixture(autouse=True)
def _english():
    """Reports are written in the active language (Italian by default): these tests read them in English."""
    from django.utils import translation

    with translation.override("en"):
        yield

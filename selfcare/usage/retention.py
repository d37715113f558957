"""Retention of usage detail: records older than USAGE_RETENTION_MONTHS whole months are dropped.

The per-day totals stay (pages, charts and costs read them); only the record-level detail goes,
as the privacy rules on traffic data ask (DATA.md). On PostgreSQL a month goes by dropping its
partition; rows of that age in the DEFAULT partition, and on other databases, are deleted.
"""

import datetime
import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import UsageRecord
from .partitions import drop_partitions_before, month_of

logger = logging.getLogger(__name__)
ROME = ZoneInfo("Europe/Rome")


def retention_start(months: int | None = None, *, today: datetime.date | None = None) -> datetime.datetime:
    """The start (Rome midnight) of the oldest month whose detail is kept: the current month and the
    `months` before it."""
    months = settings.USAGE_RETENTION_MONTHS if months is None else months
    month = month_of(today or timezone.localdate())
    for _ in range(months):
        month = month_of(month - datetime.timedelta(days=1))
    return datetime.datetime.combine(month, datetime.time(), tzinfo=ROME)


@dataclass
class Dropped:
    partitions: list[str]
    rows: int


def usage_detail_drop(*, months: int | None = None) -> Dropped:
    """Drop the usage records older than the retention window; the per-day totals are kept."""
    start = retention_start(months)
    with transaction.atomic():
        partitions = drop_partitions_before(start.date())
        rows, _ = UsageRecord.objects.filter(started_at__lt=start).delete()
    logger.info("usage detail before %s dropped: %d partitions, %d rows", start.date(), len(partitions), rows)
    return Dropped(partitions, rows)

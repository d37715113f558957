"""Reads of a line's traffic (F-TRF-1): totals and a chart from the per-day totals, the detail list
from the records, for a period of the Europe/Rome calendar."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from selfcare.core.cache import make_key
from selfcare.core.pagination import Page, keyset_page
from selfcare.core.scope import Scope
from selfcare.lines.cache import line_versions
from selfcare.lines.models import Line

from .models import Category, DailyUsage, UsageRecord

ROME = ZoneInfo("Europe/Rome")
SUMMARY_CACHE_SECONDS = 300
RECORDS_PAGE_SIZE = 25


class Period:
    TODAY, WEEK, MONTH, QUARTER = "today", "week", "month", "3months"
    ALL = (TODAY, WEEK, MONTH, QUARTER)


def period_days(period: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First day and the day after the last of a period ending today (Rome calendar).

    "This week" starts on Monday; "last three months" is this month and the two before it.
    """
    if period == Period.TODAY:
        first = today
    elif period == Period.WEEK:
        first = today - datetime.timedelta(days=today.weekday())
    elif period == Period.MONTH:
        first = today.replace(day=1)
    elif period == Period.QUARTER:
        first = today.replace(day=1)
        for _ in range(2):
            first = (first - datetime.timedelta(days=1)).replace(day=1)
    else:
        raise ValueError(period)
    return first, today + datetime.timedelta(days=1)


def rome_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=ROME)


@dataclass
class Totals:
    """Traffic of a period by type: what the four cards of the page show."""

    calls: int = 0
    call_seconds: int = 0
    messages: int = 0
    data_bytes: int = 0
    options: int = 0
    options_cost: Decimal = Decimal(0)
    other: int = 0
    other_cost: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)


@dataclass
class TrafficSummary:
    period: str
    first: datetime.date
    last: datetime.date  # included
    totals: Totals
    days: list[dict] = field(default_factory=list)  # {"day", "data_bytes", "call_seconds", "messages"}


def traffic_line(*, scope: Scope, line_id: int, kind: str | None = None) -> Line:
    """A line whose traffic the scope may see; 404 otherwise."""
    lines = scope.lines(Line.objects.select_related("holder").filter(pk=line_id))
    line = lines.first()
    if line is None or (kind and line.kind != kind):
        raise Http404
    return line


def traffic_summary(*, line_id: int, period: str, today: datetime.date | None = None) -> TrafficSummary:
    """Totals by type and per-day series of one line for a period: one query on the per-day totals,
    cached until the line's traffic changes (ingestion gives the line a new version) or the day does."""
    today = today or timezone.localdate()
    key = make_key("traffic-summary:v1", line_id, period, today, line_versions([line_id]))
    return cache.get_or_set(key, lambda: _summary(line_id, period, today), SUMMARY_CACHE_SECONDS)


def _summary(line_id: int, period: str, today: datetime.date) -> TrafficSummary:
    first, end = period_days(period, today)
    rows = (
        DailyUsage.objects.filter(line_id=line_id, day__gte=first, day__lt=end)
        .values_list("day", "category", "count", "duration_seconds", "volume_bytes", "cost")
        .order_by("day")
    )
    totals = Totals()
    by_day: dict[datetime.date, dict] = {}
    for day, category, count, seconds, volume, cost in rows:
        point = by_day.setdefault(day, {"day": day, "data_bytes": 0, "call_seconds": 0, "messages": 0})
        totals.cost += cost
        if category == Category.VOICE:
            totals.calls += count
            totals.call_seconds += seconds
            point["call_seconds"] += seconds
        elif category in (Category.SMS, Category.MMS):
            totals.messages += count
            point["messages"] += count
        elif category == Category.DATA:
            totals.data_bytes += volume
            point["data_bytes"] += volume
        elif category == Category.OPTION:
            totals.options += count
            totals.options_cost += cost
        else:
            totals.other += count
            totals.other_cost += cost
    days = []
    day = first
    while day < end:  # every day of the period, so the chart shows the quiet days too
        days.append(by_day.get(day, {"day": day, "data_bytes": 0, "call_seconds": 0, "messages": 0}))
        day += datetime.timedelta(days=1)
    return TrafficSummary(period, first, end - datetime.timedelta(days=1), totals, days)


def traffic_records(
    *, line_id: int, period: str, cursor: str | None = None, today: datetime.date | None = None
) -> Page:
    """One page of the line's records of the period, newest first (one query; InvalidCursor if bad)."""
    first, end = period_days(period, today or timezone.localdate())
    records = UsageRecord.objects.filter(
        line_id=line_id, started_at__gte=rome_midnight(first), started_at__lt=rome_midnight(end)
    )
    return keyset_page(records, keys=["started_at", "id"], descending=True, cursor=cursor, size=RECORDS_PAGE_SIZE)


def traffic_line_choices(*, scope: Scope, kind: str, q: str = "", cursor: str | None = None) -> Page:
    """Lines of one kind the scope may see, searched by number or holder, for the line picker."""
    lines = scope.lines(Line.objects.filter(kind=kind)).select_related("holder", "offer")
    text = q.strip()
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        match = Q(holder__last_name__icontains=text) | Q(holder__first_name__icontains=text)
        if digits:
            match |= Q(number__contains=digits)
        lines = lines.filter(match)
    return keyset_page(lines, keys=["number"], cursor=cursor, size=RECORDS_PAGE_SIZE)

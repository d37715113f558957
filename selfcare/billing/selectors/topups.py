"""Reads of the top-up history (SPEC F-BIL-4): the top-ups of the lines a scope may see.

A manager sees his company's lines (those of his cost centres or sites when he is restricted to
some), an employee his own line and the lines he associated. Days are days of the Rome calendar.
A page is one query, whatever the number of top-ups or lines.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from selfcare.core.pagination import Page, keyset_page
from selfcare.core.scope import Scope
from selfcare.topups.models import Topup
from selfcare.usage.selectors import rome_midnight

HISTORY_MONTHS = 24
PAGE_SIZE = 25
# Newest first; the id breaks ties between top-ups of the same instant.
KEYS = ["created_at", "id"]


def history_start(today: datetime.date) -> datetime.date:
    """The first day the history shows: the first of the month 24 months before this one."""
    month = today.year * 12 + today.month - 1 - HISTORY_MONTHS
    return datetime.date(month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class TopupFilters:
    """What the user asked for; empty values mean "any" (the period: the whole history)."""

    line: str = ""  # digits of the number, or part of it
    first_day: datetime.date | None = None
    last_day: datetime.date | None = None  # included

    @property
    def active(self) -> bool:
        return bool(self.line or self.first_day or self.last_day)


def topup_list(
    *,
    scope: Scope,
    filters: TopupFilters = TopupFilters(),  # noqa: B008  (frozen: never changed)
    cursor: str | None = None,
    size: int = PAGE_SIZE,
    today: datetime.date | None = None,
) -> Page:
    """One page of the scope's top-ups, newest first, with their line; InvalidCursor for a bad cursor."""
    today = today or timezone.localdate()
    first = max(filters.first_day or datetime.date.min, history_start(today))
    topups = Topup.objects.filter(scope.line_filter("line__"), created_at__gte=rome_midnight(first))
    if filters.last_day:
        topups = topups.filter(created_at__lt=rome_midnight(filters.last_day + datetime.timedelta(days=1)))
    if filters.line:
        topups = topups.filter(line__number__contains=filters.line)
    return keyset_page(topups.select_related("line"), keys=KEYS, descending=True, cursor=cursor, size=size)

"""Reads of the Giga Smart Share pages (SPEC F-PRD-4): the company's shared data pools.

A pool is a company row (`scope.company_rows`), its member SIMs are lines (`scope.lines`): a
manager restricted to some cost centres or sites sees every pool of the company with the pool's
own figures (size, extra GB, gigabytes used by the whole pool, as on the pool's invoice), but
counts, lists and opens only the member SIMs of his cost centres and sites.

Every figure is computed in the database with subqueries, so the list costs one query whatever
the number of pools, SIMs and devices, and the member list one query per page.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BigIntegerField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from selfcare.catalog.models import AllowanceKind
from selfcare.core.pagination import Page, keyset_page
from selfcare.core.scope import Scope
from selfcare.lines.models import Counter, Device, Line, Pool

MB_PER_GB = 1024
MEMBER_PAGE_SIZE = 25


def current_data_counters(today: datetime.date) -> QuerySet:
    """The data counters (MB) of the period running today: the plan's and the options'."""
    return Counter.objects.filter(kind=AllowanceKind.DATA_MB, period_start__lte=today, period_end__gt=today)


def _sum_used(counters: QuerySet, group_by: str) -> Coalesce:
    """The sum of `used` of `counters` grouped by one outer key, 0 when there is none."""
    total = counters.order_by().values(group_by).annotate(total=Sum("used")).values("total")
    return Coalesce(Subquery(total, output_field=BigIntegerField()), Value(0), output_field=BigIntegerField())


def _count(queryset: QuerySet, group_by: str) -> Coalesce:
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0), output_field=IntegerField())


def pool_queryset(*, scope: Scope, today: datetime.date) -> QuerySet:
    """The scope's pools annotated with `sim_count`, `device_count` (of the SIMs the scope may see)
    and `used_mb` (data used this period by every member of the pool)."""
    members = scope.lines(Line.objects.filter(pool=OuterRef("pk")))
    devices = Device.objects.filter(Q(line__pool=OuterRef("pk")) & scope.line_filter("line__"))
    return scope.company_rows(Pool.objects.all()).annotate(
        sim_count=_count(members, "pool"),
        device_count=_count(devices, "line__pool"),
        used_mb=_sum_used(current_data_counters(today).filter(line__pool=OuterRef("pk")), "line__pool"),
    )


@dataclass
class PoolSummary:
    """A pool with what its row and its page show."""

    pool: Pool
    sim_count: int
    device_count: int
    used_mb: int

    @property
    def capacity_gb(self) -> int:
        """Gigabytes the pool's SIMs share this period: the pool's size plus the extra GB bought."""
        return self.pool.total_gb + self.pool.extra_gb

    @property
    def capacity_mb(self) -> int:
        return self.capacity_gb * MB_PER_GB

    @property
    def used_gb(self) -> Decimal:
        return (Decimal(self.used_mb) / MB_PER_GB).quantize(Decimal("0.01"))

    @property
    def percent_used(self) -> int:
        """Share of the pool used, 0 to 100 (a pool used beyond its size shows full)."""
        return min(100, round(100 * self.used_mb / self.capacity_mb)) if self.capacity_mb else 0

    @classmethod
    def of(cls, pool: Pool) -> "PoolSummary":
        return cls(pool=pool, sim_count=pool.sim_count, device_count=pool.device_count, used_mb=pool.used_mb)


def pool_list(*, scope: Scope) -> list[PoolSummary]:
    """Every pool of the scope's company, by pool ID, with its SIMs, devices and data used (one query)."""
    today = timezone.localdate()
    return [PoolSummary.of(pool) for pool in pool_queryset(scope=scope, today=today).order_by("pool_code")]


def pool_get(*, scope: Scope, pool_id: int, today: datetime.date | None = None) -> PoolSummary:
    """One pool of the scope's company with its figures; 404 for another company's or a missing pool."""
    today = today or timezone.localdate()
    pool = pool_queryset(scope=scope, today=today).filter(pk=pool_id).first()
    if pool is None:
        raise Http404
    return PoolSummary.of(pool)


def member_queryset(*, scope: Scope, pool_id: int, today: datetime.date) -> QuerySet:
    """The pool's member lines the scope may see, with holder, offer and `used_mb` this period."""
    return (
        scope.lines(Line.objects.filter(pool_id=pool_id))
        .select_related("offer", "holder")
        .annotate(used_mb=_sum_used(current_data_counters(today).filter(line=OuterRef("pk")), "line"))
    )


@dataclass
class PoolDetail:
    summary: PoolSummary
    members: Page

    @property
    def pool(self) -> Pool:
        return self.summary.pool


def pool_detail(*, scope: Scope, pool_id: int, cursor: str | None = None, size: int = MEMBER_PAGE_SIZE) -> PoolDetail:
    """The pool and one page of its member SIMs by number (keyset: raises InvalidCursor on a bad cursor)."""
    today = timezone.localdate()
    summary = pool_get(scope=scope, pool_id=pool_id, today=today)
    members = keyset_page(
        member_queryset(scope=scope, pool_id=summary.pool.pk, today=today), keys=["number"], cursor=cursor, size=size
    )
    return PoolDetail(summary=summary, members=members)


@dataclass
class PoolSim:
    """One member SIM of a pool: its data use this period and its residual credit."""

    pool: Pool
    line: Line
    used_mb: int
    counters: list[Counter]

    @property
    def credit(self) -> Decimal | None:
        """Residual credit of a prepaid line; None for a postpaid one."""
        return self.line.credit

    @property
    def resets_on(self) -> datetime.date | None:
        """When the plan's data counter starts again (None without a counter this period)."""
        plan = [c for c in self.counters if c.bucket == "plan"] or self.counters
        return plan[0].period_end if plan else None


def pool_sim(*, scope: Scope, pool_id: int, line_id: int) -> PoolSim:
    """One SIM of one pool; 404 when the pool is not the company's or the line is not a visible member."""
    today = timezone.localdate()
    pool = scope.company_rows(Pool.objects.all()).filter(pk=pool_id).first()
    if pool is None:
        raise Http404
    line = member_queryset(scope=scope, pool_id=pool.pk, today=today).filter(pk=line_id).first()
    if line is None:
        raise Http404
    counters = list(current_data_counters(today).filter(line=line).order_by("bucket"))
    return PoolSim(pool=pool, line=line, used_mb=line.used_mb, counters=counters)

"""Reads for the two home pages; each takes the request's Scope and sees only what it may."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.core.cache import cache
from django.db.models import Count, ExpressionWrapper, F, IntegerField, Q, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from selfcare.billing.models import Invoice
from selfcare.core.cache import make_key
from selfcare.core.scope import Scope
from selfcare.customers.models import Company
from selfcare.lines.cache import company_version, line_versions
from selfcare.lines.models import USE_PER_MILLE, ActiveOption, Counter, Line
from selfcare.lines.selectors.lines import active_options, current_counters, near_allowance_line_ids, scope_cache_key
from selfcare.tickets.selectors import OpenTickets, open_tickets


@dataclass
class EmployeeHomeData:
    line: Line
    lines: list[Line]
    counters: list[Counter]
    options: list[ActiveOption]


@dataclass
class EmployeeHome:
    """The employee's home, read on first use: a page whose parts are already rendered in the cache
    under cache_key reads nothing more."""

    cache_key: str  # changes whenever the data does: the page caches its parts under it
    read: Callable[[], EmployeeHomeData] = field(repr=False)

    @cached_property
    def _data(self) -> EmployeeHomeData:
        return self.read()

    @property
    def line(self) -> Line:
        return self._data.line

    @property
    def lines(self) -> list[Line]:
        return self._data.lines

    @property
    def counters(self) -> list[Counter]:
        return self._data.counters

    @property
    def options(self) -> list[ActiveOption]:
        return self._data.options


HOME_CACHE_SECONDS = 300


def employee_home(*, scope: Scope) -> EmployeeHome:
    """The employee's current line with its counters and options, and his other lines for the switcher.

    Read once and then served from the cache until any of his lines changes (their versions are
    part of the key, see selfcare.lines.cache) or the day changes."""
    today = timezone.localdate()
    versions = line_versions(scope.line_ids)
    key = make_key("employee-home:v2", scope.company_id, scope.line_ids, scope.current_line_id, today, versions)
    return EmployeeHome(
        cache_key=key,
        read=lambda: cache.get_or_set(key, lambda: _employee_home(scope, today), HOME_CACHE_SECONDS),
    )


def _employee_home(scope: Scope, today: datetime.date) -> EmployeeHomeData:
    lines = list(scope.lines(Line.objects.select_related("offer")).order_by("number"))
    current = next((line for line in lines if line.pk == scope.current_line_id), None)
    if current is None:
        raise Http404
    return EmployeeHomeData(
        line=current,
        lines=lines,
        counters=list(current_counters(today).filter(line=current)),
        options=list(active_options().filter(line=current)),
    )


SPEND_MONTHS = 6  # months before the current one on the spend chart
TOP_LINES = 5


@dataclass
class MonthSpend:
    month: datetime.date  # first day of the month
    amount: Decimal


@dataclass
class ManagerHome:
    company_name: str
    lines_by_kind: dict
    lines_total: int
    unpaid_count: int
    unpaid_amount: Decimal
    overdue_count: int
    spend: list[MonthSpend]
    near_allowance_count: int
    top_usage: list[Counter]
    activating: list[Line]
    activating_count: int
    open_tickets: OpenTickets | None = None
    cache_key: str = ""  # changes whenever the company's data does: the page caches its cards under it

    @property
    def spend_this_month(self) -> Decimal:
        return self.spend[-1].amount


def manager_home(*, scope: Scope) -> ManagerHome:
    """The company at a glance: lines, invoices to pay, spend by month, lines near their allowances,
    lines being activated, open tickets. Each part is one aggregate query, whatever the number of
    lines; the result is cached until anything of the company changes (selfcare.lines.cache) or the
    day does. A restricted manager's tickets include those he opened: his key has his id."""
    today = timezone.localdate()
    user = scope.user_id if scope.is_restricted else None
    key = make_key("manager-home:v2", scope_cache_key(scope), user, today, company_version(scope.company_id))
    return cache.get_or_set(key, lambda: _manager_home(scope, today, key), HOME_CACHE_SECONDS)


def _manager_home(scope: Scope, today: datetime.date, cache_key: str) -> ManagerHome:
    by_kind: dict[str, dict[str, int]] = {}
    total = 0
    for row in scope.lines(Line.objects.all()).values("kind", "status").annotate(n=Count("pk")).order_by("kind"):
        by_kind.setdefault(row["kind"], {})[row["status"]] = row["n"]
        total += row["n"]
    open_statuses = [Invoice.Status.TO_PAY, Invoice.Status.PARTIALLY_PAID, Invoice.Status.OVERDUE]
    unpaid = scope.company_rows(Invoice.objects.filter(status__in=open_statuses)).aggregate(
        n=Count("pk"),
        due=Sum(F("total_amount") - F("paid_amount")),
        overdue=Count("pk", filter=Q(status=Invoice.Status.OVERDUE)),
    )
    activating = scope.lines(Line.objects.filter(status=Line.Status.ACTIVATING))
    return ManagerHome(
        company_name=Company.objects.values_list("name", flat=True).get(pk=scope.company_id),
        lines_by_kind=by_kind,
        lines_total=total,
        unpaid_count=unpaid["n"],
        unpaid_amount=unpaid["due"] or Decimal(0),
        overdue_count=unpaid["overdue"],
        spend=monthly_spend(scope=scope, today=today),
        near_allowance_count=scope.lines(Line.objects.filter(pk__in=near_allowance_line_ids(today))).count(),
        top_usage=top_usage(scope=scope, today=today),
        activating=list(
            activating.select_related("activation").order_by("activation__expected_on", "number")[:TOP_LINES]
        ),
        activating_count=activating.count(),
        open_tickets=open_tickets(scope=scope),
        cache_key=cache_key,
    )


def monthly_spend(*, scope: Scope, today: datetime.date) -> list[MonthSpend]:
    """What the company was invoiced (VAT included) in each of the last months and in this one,
    by month of issue; months without invoices are zero."""
    months = [_month_start(today, back) for back in range(SPEND_MONTHS, -1, -1)]
    rows = (
        scope.company_rows(Invoice.objects.filter(issued_on__gte=months[0]))
        .annotate(month=TruncMonth("issued_on"))
        .values("month")
        .annotate(amount=Sum("total_amount"))
        .order_by()
    )
    amounts = {_as_date(row["month"]): row["amount"] for row in rows}
    return [MonthSpend(month=m, amount=amounts.get(m) or Decimal(0)) for m in months]


def _month_start(day: datetime.date, back: int) -> datetime.date:
    """The first day of the month `back` months before the month of `day`."""
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def _as_date(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def top_usage(*, scope: Scope, today: datetime.date) -> list[Counter]:
    """The current counters nearest to (or over) their allowance, one per line, highest first."""
    counters = (
        current_counters(today)
        .filter(scope.line_filter("line__"), allowance__gt=0, line__status=Line.Status.ACTIVE)
        .annotate(per_mille=ExpressionWrapper(USE_PER_MILLE, output_field=IntegerField()))
        .select_related("line", "line__holder")
        .order_by("-per_mille", "line__number")[: TOP_LINES * 4]
    )
    seen, top = set(), []
    for counter in counters:
        if counter.line_id not in seen:
            seen.add(counter.line_id)
            top.append(counter)
    return top[:TOP_LINES]


def switcher_lines(*, scope: Scope) -> list[Line]:
    """The lines an employee can switch between (his own and the associated ones); empty with one line."""
    if not scope.is_employee or len(scope.line_ids) < 2:
        return []
    return list(scope.lines(Line.objects.only("pk", "number")).order_by("number"))

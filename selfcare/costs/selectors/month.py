"""Traffic costs of one month per cost centre, holder and line (SPEC F-TRE-2, F-X-1).

Everything is read from the per-month totals (MonthlyUsage: line, month, category, kept by
ingestion with the per-day totals), never from the raw usage records, and summed in the database:
each table is one GROUP BY query, so a page costs the same few queries with ten lines or ten
thousand. Months are Europe/Rome calendar months, like the days of the per-day totals they sum.
Amounts are Decimal euro as stored (4 decimals); pages and exports round them to the cent.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DecimalField, FilteredRelation, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from selfcare.core.cache import make_key
from selfcare.core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page
from selfcare.core.scope import Scope
from selfcare.customers.models import CostCentre, Holder
from selfcare.lines.cache import company_version
from selfcare.lines.models import Line
from selfcare.lines.selectors.lines import scope_cache_key
from selfcare.usage.models import Category, MonthlyUsage

ZERO = Decimal("0")
# The columns of every cost table: what the categories of the per-month totals add up to.
CATEGORY_GROUPS = {
    "calls": (Category.VOICE,),
    "messages": (Category.SMS, Category.MMS),
    "internet": (Category.DATA,),
    "other": (Category.OPTION, Category.OTHER),
}
COST_FIELDS = [*(f"cost_{name}" for name in CATEGORY_GROUPS), "cost_total"]
_SUM_FIELD = DecimalField(max_digits=16, decimal_places=4)
# Lines (and holders) go from the most expensive down; the number (the holder's id) breaks ties.
LINE_KEYS = ["cost_total", "number"]
HOLDER_KEYS = ["cost_total", "pk"]
NO_CENTRE = "none"  # the lines tab's filter value for lines without a cost centre


# --- Months --------------------------------------------------------------------------------------


def current_month(today: datetime.date | None = None) -> datetime.date:
    """The first day of this month in Rome time (the project's TIME_ZONE)."""
    return (today or timezone.localdate()).replace(day=1)


def add_months(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + n
    return datetime.date(index // 12, index % 12 + 1, 1)


def available_months(today: datetime.date | None = None) -> list[datetime.date]:
    """This month and those whose usage is still kept (USAGE_RETENTION_MONTHS), newest first."""
    this = current_month(today)
    return [add_months(this, -i) for i in range(settings.USAGE_RETENTION_MONTHS + 1)]


def month_key(month: datetime.date) -> str:
    return f"{month:%Y-%m}"


# --- Sums ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Costs:
    """Cost of some traffic by category group, and in all."""

    calls: Decimal = ZERO
    messages: Decimal = ZERO
    internet: Decimal = ZERO
    other: Decimal = ZERO
    total: Decimal = ZERO

    def __add__(self, other: "Costs") -> "Costs":
        return Costs(*(a + b for a, b in zip(self.values(), other.values(), strict=True)))

    def values(self) -> tuple[Decimal, ...]:
        return (self.calls, self.messages, self.internet, self.other, self.total)

    @classmethod
    def of(cls, row) -> "Costs":
        """The costs summed by cost_sums() on a row: a dict (values()) or an annotated object."""
        get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
        return cls(*(Decimal(get(name) or 0) for name in COST_FIELDS))


def cost_sums(path: str = "", where: Q | None = None) -> dict:
    """Annotations summing the cost of the per-month totals found at `path` ("" on MonthlyUsage itself,
    "month__" through a filtered relation) per category group and in all, 0 when there are none;
    `where` keeps only some of them (the lines of the scope, when summing per holder).

    Rounded to the column's 4 decimals in SQL: on SQLite a sum is a float, and the keyset cursor
    must find the very value it saw (PostgreSQL's numeric sums are exact anyway)."""

    def total(condition: Q | None = None):
        if where is not None:
            condition = where if condition is None else condition & where
        summed = Sum(f"{path}cost", filter=condition)
        return Round(Coalesce(summed, Value(ZERO), output_field=_SUM_FIELD), 4, output_field=_SUM_FIELD)

    sums = {f"cost_{name}": total(Q(**{f"{path}category__in": cats})) for name, cats in CATEGORY_GROUPS.items()}
    sums["cost_total"] = total()
    return sums


def month_usage(*, scope: Scope, month: datetime.date) -> QuerySet:
    """The per-month totals of the month for the lines the scope may see."""
    return MonthlyUsage.objects.filter(scope.line_filter("line__"), month=month)


# --- Per cost centre (the month page's summary, chart and CSV) --------------------------------------


@dataclass
class CentreCosts:
    cost_centre_id: int | None  # None: the lines without a cost centre
    code: str
    name: str
    lines: int  # lines with traffic in the month
    costs: Costs
    share: int = 0  # percent of the month's total


@dataclass
class MonthSummary:
    month: datetime.date
    total: Costs
    lines_with_traffic: int
    centres: list[CentreCosts] = field(default_factory=list)

    @property
    def has_traffic(self) -> bool:
        return self.lines_with_traffic > 0


# A month's costs still sum tens of thousands of per-month totals for a large company: the results are
# cached under the company's version (selfcare.lines.cache), which every ingestion batch, assignment
# and cost-centre or holder change renews, so a cached figure is never served after a change.
COSTS_CACHE_SECONDS = 600


def _cached(name: str, scope: Scope, compute, *parts):
    key = make_key(f"costs-{name}:v1", scope_cache_key(scope), company_version(scope.company_id), *parts)
    return cache.get_or_set(key, compute, COSTS_CACHE_SECONDS)


def month_summary(*, scope: Scope, month: datetime.date) -> MonthSummary:
    """The month's costs per cost centre (cached, see COSTS_CACHE_SECONDS)."""
    return _cached("summary", scope, lambda: _month_summary(scope, month), month)


def _month_summary(scope: Scope, month: datetime.date) -> MonthSummary:
    """The month's costs per cost centre, most expensive first, then the lines without a cost
    centre ("No cost centre"), and the month's total. Two queries: the GROUP BY on the per-month
    totals and the company's cost centres (listed even when their lines had no traffic; a manager
    restricted to some cost centres or sites sees only those his lines are in)."""
    grouped = {
        row["line__cost_centre_id"]: row
        for row in month_usage(scope=scope, month=month)
        .values("line__cost_centre_id")
        .annotate(**cost_sums(), lines=Count("line_id", distinct=True))
        .order_by()
    }
    centres = scope.company_rows(CostCentre.objects.order_by("code")).values_list("pk", "code", "name")
    if scope.is_restricted:
        centres = centres.filter(pk__in=[pk for pk in grouped if pk is not None])
    rows = []
    for pk, code, name in centres:
        row = grouped.get(pk, {})
        rows.append(CentreCosts(pk, code, name, row.get("lines", 0), Costs.of(row)))
    rows.sort(key=lambda r: -r.costs.total)  # stable: equal totals keep the order of the codes
    if None in grouped:
        row = grouped[None]
        rows.append(CentreCosts(None, "", "", row["lines"], Costs.of(row)))
    total = sum((r.costs for r in rows), Costs())
    for r in rows:
        r.share = round(100 * r.costs.total / total.total) if total.total else 0
    return MonthSummary(month=month, total=total, lines_with_traffic=sum(r.lines for r in rows), centres=rows)


# --- Per line ------------------------------------------------------------------------------------


def lines_with_costs(*, scope: Scope, month: datetime.date, centre: int | str | None = None) -> QuerySet:
    """The scope's lines, each annotated with its costs in the month (zero without traffic), with
    holder and cost centre. The per-month totals are joined on (line, month) only, so the
    unique (line, month, category) index serves the join. `centre`: a cost centre id, NO_CENTRE for
    the lines without one, None for all."""
    qs = scope.lines(Line.objects.all())
    if centre == NO_CENTRE:
        qs = qs.filter(cost_centre__isnull=True)
    elif centre is not None:
        qs = qs.filter(cost_centre_id=centre)
    return (
        qs.annotate(month=FilteredRelation("monthly_usage", condition=Q(monthly_usage__month=month)))
        .annotate(**cost_sums("month__"))
        .select_related("holder", "cost_centre")
    )


@dataclass
class CostPage:
    page: Page
    total: int  # rows of the whole list (lines or holders)
    unassigned: "CentreCosts | None" = None  # holders: the lines without a holder, on the first page


def month_lines(
    *,
    scope: Scope,
    month: datetime.date,
    centre: int | str | None = None,
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> CostPage:
    """A page of month_lines (cached, see COSTS_CACHE_SECONDS; a bad cursor caches nothing)."""
    compute = lambda: _month_lines(scope=scope, month=month, centre=centre, cursor=cursor, size=size)  # noqa: E731
    return _cached("lines", scope, compute, month, centre, cursor, size)


def _month_lines(
    *,
    scope: Scope,
    month: datetime.date,
    centre: int | str | None = None,
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> CostPage:
    """One page of the scope's lines by cost in the month, most expensive first (keyset; a bad
    cursor raises InvalidCursor), and how many lines there are. Two queries."""
    qs = lines_with_costs(scope=scope, month=month, centre=centre)
    page = keyset_page(qs, keys=LINE_KEYS, descending=True, cursor=cursor, size=size)
    count_qs = scope.lines(Line.objects.all())
    if centre == NO_CENTRE:
        count_qs = count_qs.filter(cost_centre__isnull=True)
    elif centre is not None:
        count_qs = count_qs.filter(cost_centre_id=centre)
    return CostPage(page=page, total=count_qs.count())


def month_line_export_rows(*, scope: Scope, month: datetime.date, chunk_size: int = 2000):
    """Every line the scope may see with its costs in the month, by cost centre code (lines
    without one first) and number, read in chunks (for the CSV download)."""
    qs = lines_with_costs(scope=scope, month=month)
    return qs.order_by(Coalesce("cost_centre__code", Value("")), "number").iterator(chunk_size=chunk_size)


# --- Per holder ----------------------------------------------------------------------------------


def month_holders(
    *, scope: Scope, month: datetime.date, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE
) -> CostPage:
    """A page of month_holders (cached, see COSTS_CACHE_SECONDS; a bad cursor caches nothing)."""
    compute = lambda: _month_holders(scope=scope, month=month, cursor=cursor, size=size)  # noqa: E731
    return _cached("holders", scope, compute, month, cursor, size)


def _month_holders(
    *, scope: Scope, month: datetime.date, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE
) -> CostPage:
    """One page of the company's holders by the cost of their lines in the month, most expensive
    first, with the number of their lines; on the first page also the lines without a holder.
    Only the lines the scope may see count. Three queries."""
    in_scope = scope.line_filter("line__")
    condition = Q(line__monthly_usage__month=month)
    qs = (
        scope.company_rows(Holder.objects.all())
        .annotate(month=FilteredRelation("line__monthly_usage", condition=condition))
        .annotate(
            **cost_sums("month__", where=in_scope),
            line_count=Count("line", distinct=True, filter=in_scope),
        )
        .select_related("cost_centre")
    )
    page = keyset_page(qs, keys=HOLDER_KEYS, descending=True, cursor=cursor, size=size)
    unassigned = None
    if not cursor:
        row = (
            month_usage(scope=scope, month=month)
            .filter(line__holder__isnull=True)
            .aggregate(**cost_sums(), lines=Count("line_id", distinct=True))
        )
        if row["lines"]:
            unassigned = CentreCosts(None, "", "", row["lines"], Costs.of(row))
    return CostPage(page=page, total=scope.company_rows(Holder.objects.all()).count(), unassigned=unassigned)

"""Reads of the mobile and fixed line lists and of one line (SPEC F-PRD-1..3).

Every list is built from the request's Scope, filtered in the database and paginated by keyset,
so a page costs the same few queries with ten lines or ten thousand.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.db.models import ExpressionWrapper, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Lower
from django.http import Http404
from django.utils import timezone

from selfcare.catalog.models import Offer, Option
from selfcare.core.cache import make_key
from selfcare.core.pagination import Page, decode_cursor, keyset_page
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.lines.cache import company_version, line_versions
from selfcare.lines.models import USE_PER_MILLE, ActiveOption, Counter, Device, Line, Sim
from selfcare.topups.models import Topup

NEAR_ALLOWANCE_PERCENT = 80

# Sort choices of the line lists: name → the annotation it orders by (the number breaks ties).
SORTS = {
    "number": "number",
    "holder": "sort_holder",
    "offer": "sort_offer",
    "status": "status",
    "cost_centre": "sort_cost_centre",
}


@dataclass(frozen=True)
class LineFilters:
    """What the manager asked for; empty values mean "any"."""

    kind: str = Line.Kind.MOBILE
    q: str = ""
    offer_id: int | None = None
    status: str = ""
    cost_centre_id: int | None = None
    payment: str = ""  # "prepaid" | "postpaid"
    near_allowance: bool = False
    sort: str = "number"
    descending: bool = False


def current_counters(today: datetime.date | None = None) -> QuerySet:
    """Counters of the period running today, in display order, each with the name of the option it
    belongs to (option_name; None for the plan's own counters)."""
    today = today or timezone.localdate()
    option_name = Option.objects.filter(code=OuterRef("bucket")).values("name")[:1]
    return (
        Counter.objects.filter(period_start__lte=today, period_end__gt=today)
        .annotate(option_name=Subquery(option_name))
        .order_by("kind", "bucket")
    )


def active_options() -> QuerySet:
    return (
        ActiveOption.objects.filter(status=ActiveOption.Status.ACTIVE)
        .select_related("option")
        .order_by(F("expires_at").asc(nulls_last=True), "option__name")
    )


def near_allowance_line_ids(today: datetime.date) -> QuerySet:
    """Ids of the lines with a current counter at or over NEAR_ALLOWANCE_PERCENT of its allowance
    (read from the counters' use index, so only the few counters that high are visited)."""
    return (
        current_counters(today)
        .filter(allowance__gt=0)
        .annotate(per_mille=ExpressionWrapper(USE_PER_MILLE, output_field=IntegerField()))
        .filter(per_mille__gte=NEAR_ALLOWANCE_PERCENT * 10)
        .order_by()
        .values("line_id")
    )


def line_queryset(*, scope: Scope, filters: LineFilters, today: datetime.date | None = None) -> QuerySet:
    """The scope's lines matching the filters (not yet ordered)."""
    today = today or timezone.localdate()
    qs = scope.lines(Line.objects.filter(kind=filters.kind))
    if filters.q:
        qs = qs.filter(_search(filters.q))
    if filters.offer_id:
        qs = qs.filter(offer_id=filters.offer_id)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.cost_centre_id:
        qs = qs.filter(cost_centre_id=filters.cost_centre_id)
    if filters.payment == "prepaid":
        qs = qs.filter(offer__kind=Offer.Kind.PREPAID)
    elif filters.payment == "postpaid":
        qs = qs.exclude(offer__kind=Offer.Kind.PREPAID)
    if filters.near_allowance:
        qs = qs.filter(pk__in=near_allowance_line_ids(today))
    return qs


def with_sort_keys(qs: QuerySet) -> QuerySet:
    """The annotations the list sorts by (the holder's name, the offer, the cost centre)."""
    return qs.annotate(
        sort_holder=Lower(
            Concat(Coalesce("holder__last_name", Value("")), Value(" "), Coalesce("holder__first_name", Value("")))
        ),
        sort_offer=F("offer__name"),
        sort_cost_centre=Coalesce("cost_centre__code", Value("")),
    )


def _search(text: str) -> Q:
    """Part of a number (spaces and a leading + ignored) or words of the holder's name."""
    compact = text.replace(" ", "").removeprefix("+")
    if compact.isdigit():
        return Q(number__contains=compact)
    q = Q()
    for word in text.split():
        q &= Q(holder__last_name__icontains=word) | Q(holder__first_name__icontains=word)
    return q


def with_row_details(queryset: QuerySet, today: datetime.date) -> QuerySet:
    """What a list row shows: offer, holder, cost centre, current counters, active options."""
    return queryset.select_related("offer", "holder", "cost_centre").prefetch_related(
        Prefetch("counters", queryset=current_counters(today), to_attr="current_counters"),
        Prefetch("active_options", queryset=active_options(), to_attr="current_options"),
    )


@dataclass
class LineList:
    """One page of lines and the count of matches, read on first use: a page whose table is
    already rendered in the cache under cache_key reads neither."""

    filters: LineFilters
    cache_key: str  # changes whenever the company's data does: the page caches its table under it
    read: Callable[[], tuple[Page, int]] = field(repr=False)

    @cached_property
    def _data(self) -> tuple[Page, int]:
        return self.read()

    @property
    def page(self) -> Page:
        return self._data[0]

    @property
    def total(self) -> int:
        return self._data[1]


LIST_CACHE_SECONDS = 300


def scope_cache_key(scope: Scope) -> tuple:
    """The part of a cache key that tells scopes apart: company, role, a manager's restriction, lines."""
    return (scope.company_id, scope.role, sorted(scope.cost_centre_ids), sorted(scope.site_ids), scope.line_ids)


def _sort_keys(filters: LineFilters) -> list[str]:
    """What a list is ordered by: the chosen column, then the number (unique) to break ties."""
    key = SORTS.get(filters.sort, "number")
    return [key] if key == "number" else [key, "number"]


def line_list(*, scope: Scope, filters: LineFilters, cursor: str | None = None, size: int = 25) -> LineList:
    """One page of the scope's lines of one kind, filtered and sorted, with the count of matches.

    Cached until anything of the company changes (its version is part of the key, see
    selfcare.lines.cache) or the day does, and read only when used (LineList); a bad cursor
    raises InvalidCursor here and caches nothing."""
    if cursor:
        decode_cursor(cursor, len(_sort_keys(filters)))
    today = timezone.localdate()
    key = make_key(
        "line-list:v2", scope_cache_key(scope), today, company_version(scope.company_id), filters, cursor, size
    )

    def read() -> tuple[Page, int]:
        return cache.get_or_set(key, lambda: _line_page(scope, filters, cursor, size, today), LIST_CACHE_SECONDS)

    return LineList(filters=filters, cache_key=key, read=read)


def _line_page(
    scope: Scope, filters: LineFilters, cursor: str | None, size: int, today: datetime.date
) -> tuple[Page, int]:
    qs = line_queryset(scope=scope, filters=filters, today=today)
    rows = with_row_details(with_sort_keys(qs), today)
    page = keyset_page(rows, keys=_sort_keys(filters), descending=filters.descending, cursor=cursor, size=size)
    # The count needs no sort keys: without them it joins nothing it does not filter on.
    return page, qs.count()


def line_export_rows(*, scope: Scope, filters: LineFilters, chunk_size: int = 2000):
    """Every line matching the filters, in the list's order, read in chunks (for the CSV export)."""
    today = timezone.localdate()
    qs = with_row_details(with_sort_keys(line_queryset(scope=scope, filters=filters, today=today)), today)
    key = SORTS.get(filters.sort, "number")
    order = [F(key).desc() if filters.descending else F(key).asc(), "number"]
    return qs.order_by(*order).iterator(chunk_size=chunk_size)


@dataclass
class LineDetail:
    line: Line
    counters: list[Counter]
    options: list[ActiveOption]
    sim: Sim | None
    devices: list[Device]
    topups: list[Topup]
    can_reveal: bool


RECENT_TOPUPS = 5


DETAIL_CACHE_SECONDS = 300


def line_detail(*, scope: Scope, line_id: int) -> LineDetail:
    """One line the scope may see, with everything its page shows; 404 outside the scope.

    The scope is checked on every call; what the page shows is cached until the line changes
    (its version is part of the key, see selfcare.lines.cache) or the day does."""
    today = timezone.localdate()
    if not scope.lines(Line.objects.filter(pk=line_id)).exists():
        raise Http404
    key = make_key("line-detail:v1", line_id, today, line_versions([line_id]), scope.can(Cap.SIM_SECRETS_REVEAL))
    return cache.get_or_set(key, lambda: _line_detail(scope, line_id, today), DETAIL_CACHE_SECONDS)


def _line_detail(scope: Scope, line_id: int, today: datetime.date) -> LineDetail:
    line = (
        scope.lines(Line.objects.select_related("offer", "holder", "cost_centre", "site", "pool"))
        .filter(pk=line_id)
        .first()
    )
    if line is None:
        raise Http404
    sim = Sim.objects.filter(line=line, status=Sim.Status.ACTIVE).defer("pin", "puk").first()
    return LineDetail(
        line=line,
        counters=list(current_counters(today).filter(line=line)),
        options=list(active_options().filter(line=line)),
        sim=sim,
        devices=list(Device.objects.filter(line=line).order_by("model")),
        topups=list(Topup.objects.filter(line=line).order_by("-created_at")[:RECENT_TOPUPS]),
        can_reveal=sim is not None and scope.can(Cap.SIM_SECRETS_REVEAL),
    )

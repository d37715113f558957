"""Traffic of the generated lines: usage records, per-day totals and the current period's counters.

Each line gets a profile (how much data, how many calls, whether it roams). Each day of a line is
first drawn as a plan (counts and volumes); a line with detail expands the plan into usage records
and its per-day totals are summed from them, so the two always agree; any other line gets the
per-day totals straight from the plan, which keeps a world of thousands of lines fast to build.
"""

import datetime
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from selfcare.catalog.models import AllowanceKind, Offer
from selfcare.demo.world.bulk import insert_rows
from selfcare.demo.world.context import Context, rome_midnight
from selfcare.lines.models import ActiveOption, Counter, Line
from selfcare.usage.counting import counter_use, used_from_raw
from selfcare.usage.models import Category, DailyUsage, UsageRecord
from selfcare.usage.partitions import ensure_partitions

MB = 1024 * 1024
RAW_UNIT = {
    AllowanceKind.DATA_MB: MB,
    AllowanceKind.ROAMING_DATA_MB: MB,
    AllowanceKind.VOICE_MINUTES: 60,
    AllowanceKind.SMS: 1,
}
ZERO = Decimal(0)
INTL_PER_MINUTE = Decimal("0.19")
WORLD_ROAMING_PER_MINUTE = Decimal("0.79")
WORLD_ROAMING_PER_MB = Decimal("0.0100")
INTL_PREFIXES = ["+4420", "+4930", "+3314", "+3491", "+4122", "+1212"]

RECORD_COLUMNS = (
    "line_id", "record_id", "started_at", "category", "direction", "other_party",
    "duration_seconds", "volume_bytes", "roaming_zone", "cost",
)  # fmt: skip
DAILY_COLUMNS = (
    "line_id", "day", "category", "count", "duration_seconds", "volume_bytes", "roaming_volume_bytes", "cost",
)  # fmt: skip


@dataclass
class Profile:
    """How a line is used: daily means and its trips abroad."""

    line_id: int
    kind: str  # "voice" (mobile with calls), "data" (data-only SIM) or "fixed"
    data_mb: float = 0.0
    data_records: int = 0
    calls: float = 0.0  # per business day
    sms: float = 0.0  # per day
    intl_share: float = 0.0
    roaming_zone: str = ""
    roaming_days: frozenset = frozenset()
    heavy_daily_mb: float | None = None  # forced daily data in the current period (lines near their cap)
    option_events: list = field(default_factory=list)  # (aware datetime, option code, price)


@dataclass
class DayPlan:
    data_records: int
    data_bytes: int
    calls: int
    sms: int
    roaming: str
    elapsed: float  # fraction of the day that has happened (1 except today)


@dataclass
class Period:
    """Usage of the current period per line, for the counters."""

    data_bytes: int = 0
    roaming_eu_bytes: int = 0
    voice_out_seconds: int = 0
    sms_out: int = 0


def make_profiles(
    ctx: Context,
    lines: Iterable[Line],
    options: Iterable[ActiveOption],
    *,
    days: int,
    records_per_day: tuple[int, int] = (16, 40),
    heavy_share: float = 0.06,
    roaming_share: float = 0.04,
) -> dict[int, Profile]:
    """Draw a usage profile for every line in service (lines being activated have no traffic yet)."""
    rng = ctx.rng
    first_day = ctx.today - datetime.timedelta(days=days - 1)
    elapsed_days = max(1.0, (ctx.now - rome_midnight(ctx.period_start)).total_seconds() / 86400)
    allowances = ctx.catalogue.offer_allowances
    profiles: dict[int, Profile] = {}
    for line in lines:
        if line.status == Line.Status.ACTIVATING:
            continue
        if line.kind == Line.Kind.FIXED:
            profiles[line.pk] = Profile(line.pk, "fixed", calls=rng.uniform(8, 30), intl_share=0.03)
            continue
        is_data = line.offer.kind == Offer.Kind.DATA_ONLY
        p = Profile(
            line.pk,
            "data" if is_data else "voice",
            data_mb=min(6000.0, rng.lognormvariate(math.log(1400 if is_data else 650), 0.7)),
            data_records=rng.randint(*records_per_day),
            calls=0.0 if is_data else rng.uniform(5, 15),
            sms=0.0 if is_data else rng.uniform(0.05, 0.6),
            intl_share=0.15 if rng.random() < 0.1 else 0.0,
        )
        if rng.random() < roaming_share:
            p.roaming_zone = "EU" if rng.random() < 0.75 else "WORLD1"
            start = first_day + datetime.timedelta(days=rng.randint(0, days - 1))
            p.roaming_days = frozenset(start + datetime.timedelta(days=i) for i in range(rng.randint(3, 8)))
        allowance = allowances[line.offer.code].get(AllowanceKind.DATA_MB)
        if allowance and rng.random() < heavy_share:
            # Near or past 80% of the plan's GB by now: what the manager's "lines near their cap" shows.
            p.heavy_daily_mb = rng.uniform(0.78, 1.08) * allowance / elapsed_days
        profiles[line.pk] = p
    for active in options:
        profile = profiles.get(active.line_id)
        if profile is not None and active.activated_at.astimezone(datetime.UTC).date() >= first_day:
            profile.option_events.append((active.activated_at, active.option.code, active.option.price))
    return profiles


def plan_day(rng: random.Random, p: Profile, day: datetime.date, elapsed: float, in_period: bool) -> DayPlan:
    """Draw one day of a line: how many records of each kind and how much data."""
    business = day.weekday() < 5
    roaming = p.roaming_zone if day in p.roaming_days else ""
    data_records = data_bytes = 0
    if p.data_records:
        data_records = max(1, round(p.data_records * rng.uniform(0.7, 1.3) * (1 if business else 0.7)))
        mb = p.heavy_daily_mb if (in_period and p.heavy_daily_mb) else p.data_mb * (1 if business else 0.7)
        data_bytes = int(mb * MB * rng.uniform(0.75, 1.25) * (0.5 if roaming else 1))
    calls = round(p.calls * rng.uniform(0.6, 1.4)) if business else rng.randint(0, 2) * (p.calls > 0)
    sms = int(p.sms * (1 if business else 0.5) + rng.random())
    if elapsed < 1:
        data_records = round(data_records * elapsed)
        data_bytes = int(data_bytes * elapsed) if data_records else 0
        calls, sms = round(calls * elapsed), round(sms * elapsed)
    if p.kind != "voice" or p.sms == 0:
        sms = 0
    return DayPlan(data_records, data_bytes, calls, sms, roaming, elapsed)


def _other_party(rng: random.Random, intl_share: float) -> tuple[str, bool]:
    if intl_share and rng.random() < intl_share:
        return f"{rng.choice(INTL_PREFIXES)}{rng.randint(1_000_000, 9_999_999)}", True
    if rng.random() < 0.7:
        return f"+393{rng.randint(100_000_000, 999_999_999)}", False
    return f"+390{rng.randint(200_000_000, 999_999_999)}", False


def day_records(
    rng: random.Random, p: Profile, plan: DayPlan, day: datetime.date, start: datetime.datetime, length: int
) -> Iterator[tuple]:
    """Expand a day plan into usage records (tuples in RECORD_COLUMNS order), in time order per kind."""
    tag = f"{day:%Y%m%d}{p.line_id:08d}"
    span = int(length * plan.elapsed)
    if plan.data_records:
        times = sorted(rng.randrange(span) for _ in range(plan.data_records))
        weights = [rng.random() + 0.2 for _ in times]
        scale = plan.data_bytes / sum(weights)
        for k, (t, w) in enumerate(zip(times, weights, strict=True)):
            volume = int(w * scale)
            cost = ZERO
            if plan.roaming == "WORLD1":
                cost = (WORLD_ROAMING_PER_MB * volume / MB).quantize(Decimal("0.0001"))
            yield (
                p.line_id, f"{tag}D{k:04d}", start + datetime.timedelta(seconds=t), Category.DATA, "out", "",
                rng.randint(60, 3600), volume, plan.roaming, cost,
            )  # fmt: skip
    # Calls happen in office hours on business days, 8:00-20:00 (or within the elapsed part of today).
    hi = min(20 * 3600, span - 1)
    lo = min(8 * 3600, hi)
    for k in range(plan.calls):
        other, intl = _other_party(rng, p.intl_share)
        out = rng.random() < 0.55
        seconds = min(3600, int(rng.expovariate(1 / 140)) + 5)
        cost = ZERO
        if out and plan.roaming == "WORLD1":
            cost = WORLD_ROAMING_PER_MINUTE * math.ceil(seconds / 60)
        elif out and intl:
            cost = INTL_PER_MINUTE * math.ceil(seconds / 60)
        yield (
            p.line_id, f"{tag}V{k:04d}", start + datetime.timedelta(seconds=rng.randint(lo, hi)), Category.VOICE,
            "out" if out else "in", other, seconds, 0, plan.roaming, cost,
        )  # fmt: skip
    for k in range(plan.sms):
        yield (
            p.line_id, f"{tag}S{k:04d}", start + datetime.timedelta(seconds=rng.randrange(span)), Category.SMS,
            "out" if rng.random() < 0.6 else "in", f"+393{rng.randint(100_000_000, 999_999_999)}", 0, 0,
            plan.roaming, ZERO,
        )  # fmt: skip
    for k, (when, code, price) in enumerate(p.option_events):
        if start <= when < start + datetime.timedelta(seconds=length):
            yield (p.line_id, f"{tag}O{k:04d}", when, Category.OPTION, "out", code[:32], 0, 0, "", price)


def plan_totals(rng: random.Random, p: Profile, plan: DayPlan, start: datetime.datetime, length: int):
    """Per-category totals of a day plan without its records: {category: [count, secs, bytes, roam, cost]}."""
    totals = {}
    if plan.data_records:
        cost = ZERO
        if plan.roaming == "WORLD1":
            cost = (WORLD_ROAMING_PER_MB * plan.data_bytes / MB).quantize(Decimal("0.0001"))
        totals[Category.DATA] = [
            plan.data_records,
            plan.data_records * rng.randint(600, 2400),
            plan.data_bytes,
            plan.data_bytes if plan.roaming else 0,
            cost,
        ]
    if plan.calls:
        seconds = int(plan.calls * 145 * rng.uniform(0.7, 1.3))
        cost = ZERO
        if p.intl_share:
            cost = INTL_PER_MINUTE * math.ceil(seconds * p.intl_share * 0.55 / 60)
        totals[Category.VOICE] = [plan.calls, seconds, 0, 0, cost]
    if plan.sms:
        totals[Category.SMS] = [plan.sms, 0, 0, 0, ZERO]
    events = [e for e in p.option_events if start <= e[0] < start + datetime.timedelta(seconds=length)]
    if events:
        totals[Category.OPTION] = [len(events), 0, 0, 0, sum((e[2] for e in events), ZERO)]
    return totals


@dataclass
class UsageResult:
    records: int = 0
    daily: int = 0
    periods: dict[int, Period] = field(default_factory=dict)


def generate_usage(ctx: Context, profiles: dict[int, Profile], *, detail_line_ids: set[int], days: int) -> UsageResult:
    """Write usage records for the detail lines and per-day totals for every profiled line.

    Returns the row counts and, per line, the current period's usage for the counters.
    """
    rng = ctx.rng
    now = ctx.now
    result = UsageResult(periods={line_id: Period() for line_id in profiles})
    calendar = []
    for offset in range(days - 1, -1, -1):
        day = ctx.today - datetime.timedelta(days=offset)
        start = rome_midnight(day)
        length = int((rome_midnight(day + datetime.timedelta(days=1)) - start).total_seconds())
        elapsed = min(1.0, (now - start).total_seconds() / length)
        if elapsed * length < 60:
            continue  # the first minute of today: nothing has happened yet
        calendar.append((day, start, length, elapsed, day >= ctx.period_start))

    daily_rows: list[tuple] = []
    ensure_partitions(day for day, *_ in calendar)

    def record_stream() -> Iterator[tuple]:
        for line_id, p in profiles.items():
            period = result.periods[line_id]
            detail = line_id in detail_line_ids
            for day, start, length, elapsed, in_period in calendar:
                plan = plan_day(rng, p, day, elapsed, in_period)
                if detail:
                    totals: dict[str, list] = {}
                    for row in day_records(rng, p, plan, day, start, length):
                        t = totals.get(row[3])
                        if t is None:
                            t = totals[row[3]] = [0, 0, 0, 0, ZERO]
                        t[0] += 1
                        t[1] += row[6]
                        t[2] += row[7]
                        if row[8]:
                            t[3] += row[7]
                        t[4] += row[9]
                        if in_period:
                            _count_period(period, row)
                        yield row
                else:
                    totals = plan_totals(rng, p, plan, start, length)
                    if in_period:
                        _count_period_totals(period, totals, plan)
                for category, (count, secs, volume, roaming, cost) in totals.items():
                    daily_rows.append((line_id, day, category, count, secs, volume, roaming, cost))

    result.records = insert_rows(UsageRecord, RECORD_COLUMNS, record_stream())
    result.daily = insert_rows(DailyUsage, DAILY_COLUMNS, daily_rows)
    return result


def _count_period(period: Period, row: tuple) -> None:
    # The same rule as ingestion's, so the demo's counters match a recount of its records.
    use = counter_use(row[3], row[4], row[8], row[6], row[7])
    if use is None:
        return
    kind, amount = use
    if kind == AllowanceKind.DATA_MB:
        period.data_bytes += amount
    elif kind == AllowanceKind.ROAMING_DATA_MB:
        period.roaming_eu_bytes += amount
    elif kind == AllowanceKind.VOICE_MINUTES:
        period.voice_out_seconds += amount
    else:
        period.sms_out += amount


def _count_period_totals(period: Period, totals: dict, plan: DayPlan) -> None:
    if Category.DATA in totals:
        if not plan.roaming:
            period.data_bytes += totals[Category.DATA][2]
        elif plan.roaming == "EU":
            period.roaming_eu_bytes += totals[Category.DATA][2]
    if Category.VOICE in totals:
        period.voice_out_seconds += int(totals[Category.VOICE][1] * 0.55)
    if Category.SMS in totals:
        period.sms_out += round(totals[Category.SMS][0] * 0.6)


def create_counters(ctx: Context, lines: Iterable[Line], options: Iterable[ActiveOption], periods) -> int:
    """One counter per allowance of each line's plan (and of its active options) for the current period."""
    rng = ctx.rng
    rows = []
    for line in lines:
        period = periods.get(line.pk)
        if period is None:
            continue
        raw_by_kind = {
            AllowanceKind.DATA_MB: period.data_bytes,
            AllowanceKind.ROAMING_DATA_MB: period.roaming_eu_bytes,
            AllowanceKind.VOICE_MINUTES: period.voice_out_seconds,
            AllowanceKind.SMS: period.sms_out,
        }
        for kind, amount in ctx.catalogue.offer_allowances[line.offer.code].items():
            rows.append(
                Counter(
                    line_id=line.pk,
                    kind=kind,
                    bucket="plan",
                    period_start=ctx.period_start,
                    period_end=ctx.period_end,
                    used=used_from_raw(kind, raw_by_kind[kind]),
                    used_raw=raw_by_kind[kind],
                    allowance=amount,
                )
            )
    for active in options:
        if active.status != ActiveOption.Status.ACTIVE or active.line_id not in periods:
            continue
        start = active.activated_at.date()
        end = max(active.expires_at.date(), start + datetime.timedelta(days=1))
        for kind, amount in ctx.catalogue.option_allowances[active.option.code].items():
            used = int(amount * rng.uniform(0, 0.9))
            rows.append(
                Counter(
                    line_id=active.line_id,
                    kind=kind,
                    bucket=active.option.code,
                    period_start=start,
                    period_end=end,
                    used=used,
                    used_raw=used * RAW_UNIT[kind],
                    allowance=amount,
                )
            )
    Counter.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

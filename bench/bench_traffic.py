"""The traffic pages of the heaviest line and the cost-centre month view, on the benchmark world.

Needs the benchmark world (`make bench` builds it; `BENCH_KEEP_WORLD=1 make bench` reuses it).
Starts gunicorn as bench_pages.py does (persistent connections, Redis sessions and cache) and,
with one client, requests each page N times one after the other: p50 and p95 service time, every
answer checked (200 and the page's own content). Pages:
  * "Traffico" of the line with the most records of the last 90 days, for each period (today, this
    week, this month, the last three months) — first page of records, totals and chart;
  * the same line's second page of records of the last three months (through the keyset cursor);
  * "Costi": the whole company's month by cost centre, holder and line — as served again (cached
    under the company's version) and as computed for the first view after a change (30 requests,
    each after giving the company a new version).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfcare_bench \\
        .venv/bin/python bench/bench_traffic.py [--requests 300]
"""

import argparse
import os
import platform
import re
import sys
import time

from bench_pages import ENV, ROOT
from httpbench import call, log_in, percentile, server, session

TARGETS = {"traffic": 40, "costs": 200, "costs-cold": 200}  # p95 with one client, ms


def world():
    sys.path.insert(0, str(ROOT))
    # The server's Redis too, so that this process can give the company a new version (a change).
    os.environ.update(
        {"DATABASE_URL": ENV["DATABASE_URL"], "REDIS_URL": ENV["REDIS_URL"], "DEMO": "1",
         "DJANGO_SETTINGS_MODULE": "config.settings"}
    )  # fmt: skip
    import django

    django.setup()
    import datetime

    from django.db.models import Sum
    from django.urls import reverse
    from django.utils import timezone

    from selfcare.demo.bench import BENCH_VAT_NUMBER
    from selfcare.demo.world.users import BENCH_MANAGER_USERNAME, DEMO_PASSWORD
    from selfcare.usage.models import DailyUsage, UsageRecord

    since = timezone.localdate() - datetime.timedelta(days=90)
    heaviest = (
        DailyUsage.objects.filter(line__company__vat_number=BENCH_VAT_NUMBER, day__gte=since)
        .values("line_id")
        .annotate(n=Sum("count"))
        .order_by("-n")
        .first()
    )
    if heaviest is None:
        sys.exit("No benchmark world in this database: run `make bench` (or manage.py bench_world) first.")
    line_id = heaviest["line_id"]
    from selfcare.lines.cache import touch
    from selfcare.lines.models import Line

    company_id = Line.objects.get(pk=line_id).company_id
    return {
        "change": lambda: touch(companies=[company_id]),
        "manager": BENCH_MANAGER_USERNAME,
        "password": DEMO_PASSWORD,
        "line": line_id,
        "records": UsageRecord.objects.filter(line_id=line_id, started_at__date__gte=since).count(),
        "traffic": reverse("traffic:line", args=[line_id]),
        "costs": reverse("costs:month"),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    w = world()
    with server(ENV):
        opener, _jar = session()
        assert log_in(opener, w["manager"], w["password"]), "cannot log in as the benchmark manager"
        status, body = call(opener, f"{w['traffic']}?period=3months")
        cursor = re.search(rb'rel="next" href="\?[^"]*cursor=([^"&]+)"', body)
        assert status == 200 and cursor, "the heaviest line has no second page of records"
        pages = [
            (f"traffic, {period}", "traffic", f"{w['traffic']}?period={period}", b"traffic-records")
            for period in ("today", "week", "month", "3months")
        ]
        pages.append(
            ("traffic, 3 months, page 2", "traffic",
             f"{w['traffic']}?period=3months&cursor={cursor[1].decode()}", b"traffic-records")
        )  # fmt: skip
        pages.append(("costs, whole company's month", "costs", w["costs"], b"<table"))
        # The same after every change of the company's data (an ingestion batch, an assignment):
        # the first view after a change computes the month again.
        pages.append(("costs, month, first view after a change", "costs-cold", w["costs"], b"<table"))
        rows = []
        for name, kind, path, expect in pages:
            for _ in range(20 if kind != "costs-cold" else 2):  # warm up
                call(opener, path)
            latencies, errors = [], 0
            for _ in range(args.requests if kind != "costs-cold" else 30):
                if kind == "costs-cold":
                    w["change"]()
                started = time.monotonic()
                status, body = call(opener, path)
                latencies.append((time.monotonic() - started) * 1000)
                errors += not (status == 200 and expect in body)
            rows.append((name, kind, percentile(latencies, 50), percentile(latencies, 95), errors))
    print(f"Heaviest line: {w['records']:,} records in 90 days. Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs; {args.requests} requests per page, one client.\n")  # fmt: skip
    print("| page | p50 | p95 (target) | errors |")
    print("|---|---|---|---|")
    failed = False
    for name, kind, p50, p95, errors in rows:
        ok = p95 <= TARGETS[kind] and not errors
        failed |= not ok
        print(f"| {name} | {p50:.1f} ms | {p95:.1f} ms (≤ {TARGETS[kind]}) | {errors} |{'' if ok else ' **missed**'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

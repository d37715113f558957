"""The homes and the Prodotti pages on the 10,000-line benchmark world, through the real server.

Needs the benchmark world (`make bench` builds it; `BENCH_KEEP_WORLD=1 make bench` reuses it).
Starts gunicorn as `make run` does (2 workers x 4 threads, persistent database connections,
sessions and cache in Redis as in production) with one extra bare authenticated view,
/bench/hello/, and measures in one run:
  * service time with one client: N requests per page one after the other, p50 and p95;
  * throughput with CLIENTS concurrent clients for SECONDS per page, as a ratio to the hello view
    measured just before and just after that page (the mean of the two is the yardstick, since
    the speed of a shared machine drifts during a run).
Every response must be a 200 with the page's content; anything else counts as an error.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfcare_bench \\
        .venv/bin/python bench/bench_pages.py [--clients 20] [--seconds 10] [--requests 300]
"""

import argparse
import os
import platform
import sys
import time

from httpbench import ROOT, UNLIMITED, call, load, log_in, percentile, server, session

DB_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/selfcare_bench")
# Sessions and cache in Redis, as in production (DESIGN §9); its own Redis database number.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
ENV = {
    **os.environ,
    **UNLIMITED,
    "DATABASE_URL": DB_URL,
    "REDIS_URL": REDIS_URL,
    "DEMO": "1",
    "DEBUG": "0",
    "DJANGO_SETTINGS_MODULE": "bench.hello_settings",
    "PYTHONPATH": str(ROOT),
}
# Targets of the issue: p95 with one client (ms) and throughput as a share of the hello view.
TARGETS = {"employee": (25, 0.5), "manager": (60, 0.2)}


def world():
    """The benchmark company's two logins, a few of its lines and a frequent surname (Django ORM)."""
    sys.path.insert(0, str(ROOT))
    os.environ.update({"DATABASE_URL": DB_URL, "DEMO": "1", "DJANGO_SETTINGS_MODULE": "config.settings"})
    import django

    django.setup()
    from django.db.models import Count

    from selfcare.accounts.models import User
    from selfcare.customers.models import Holder
    from selfcare.demo.bench import BENCH_VAT_NUMBER
    from selfcare.demo.world.users import BENCH_MANAGER_USERNAME, DEMO_PASSWORD
    from selfcare.lines.models import Line

    employee = User.objects.filter(company__vat_number=BENCH_VAT_NUMBER, role="employee").first()
    if employee is None:
        sys.exit("No benchmark world in this database: run `make bench` (or manage.py bench_world) first.")
    company = employee.company
    lines = list(Line.objects.filter(company=company, kind="mobile").order_by("?").values_list("pk", flat=True)[:50])
    surname = (
        Holder.objects.filter(company=company).values("last_name").annotate(n=Count("pk")).order_by("-n").first()
    )["last_name"]
    return {
        "password": DEMO_PASSWORD,
        "employee": employee.username,
        "manager": BENCH_MANAGER_USERNAME,
        "lines": lines,
        "surname": surname,
        "line_count": Line.objects.filter(company=company).count(),
    }


def pages(w):
    """(name, profile, path or path-maker, text the page must contain)."""
    lines = w["lines"]
    return [
        ("employee home", "employee", "/", b"progressbar"),
        ("manager home", "manager", "/", b"spend-chart"),
        ("mobile list, first page", "manager", "/prodotti/mobile/", b"lines-table"),
        ("mobile list, filtered", "manager", "/prodotti/mobile/?near=on&status=active&sort=-holder", b"lines-table"),
        ("mobile list, search", "manager", f"/prodotti/mobile/?q={w['surname']}", b"lines-table"),
        ("line detail", "manager", lambda n: f"/prodotti/linee/{lines[n % len(lines)]}/", b"sim-title"),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--requests", type=int, default=300, help="requests per page with one client")
    parser.add_argument("--hello-seconds", type=float, default=5, help="each run of the hello view")
    args = parser.parse_args()
    w = world()

    with server(ENV):
        openers = {}
        for profile in ("employee", "manager"):
            openers[profile] = []
            for _ in range(args.clients):
                opener, _jar = session()
                assert log_in(opener, w[profile], w["password"]), f"cannot log in as {w[profile]}"
                openers[profile].append(opener)

        def fetch(opener, path, expect):
            started = time.monotonic()
            status, body = call(opener, path)
            return status == 200 and expect in body, time.monotonic() - started

        def iteration(profile, target, expect):
            def run(index, n):
                path = target(index * 1000 + n) if callable(target) else target
                return fetch(openers[profile][index], path, expect)

            return run

        rows = []
        for name, profile, target, expect in pages(w):
            single = iteration(profile, target, expect)
            for n in range(20):  # warm up: connections, templates, caches of the database
                single(0, n)
            latencies, errors = [], 0
            for n in range(args.requests):
                ok, elapsed = single(0, n)
                latencies.append(elapsed * 1000)
                errors += not ok
            rows.append([name, profile, percentile(latencies, 50), percentile(latencies, 95), errors])

        # The machine's speed drifts (shared host): each page is measured between two runs of the
        # hello view, and its ratio is to the mean of those two.
        hello_run = iteration("manager", "/bench/hello/", b"hello")
        hellos = [load(args.clients, args.hello_seconds, hello_run)]
        for row in rows:
            name, profile = row[0], row[1]
            target, expect = next((t, e) for n, p, t, e in pages(w) if n == name)
            row.append(load(args.clients, args.seconds, iteration(profile, target, expect)))
            hellos.append(load(args.clients, args.hello_seconds, hello_run))
            row.append((hellos[-2]["rate"] + hellos[-1]["rate"]) / 2)

    rates = [h["rate"] for h in hellos]
    print(f"Benchmark world: {w['line_count']:,} lines. Python {platform.python_version()}, {os.cpu_count()} CPUs.")
    print(f"{args.requests} requests per page with one client; {args.clients} clients x {args.seconds:.0f} s per page.")
    print(
        f"hello view: {min(rates):.0f}-{max(rates):.0f} req/s over the run "
        f"({sum(h['errors'] for h in hellos)} errors)\n"
    )
    print("| page | 1 client p50 | 1 client p95 (target) | 20 clients req/s | hello req/s | ratio (target) | errors |")
    print("|---|---|---|---|---|---|---|")
    failed = False
    for name, profile, p50, p95, errors, loaded, hello in rows:
        p95_target, ratio_target = TARGETS[profile]
        ratio = loaded["rate"] / hello
        ok = p95 <= p95_target and ratio >= ratio_target and not errors and not loaded["errors"]
        failed |= not ok
        print(
            f"| {name} | {p50:.1f} ms | {p95:.1f} ms (≤ {p95_target}) | {loaded['rate']:.0f} | {hello:.0f} | "
            f"{ratio:.2f} (≥ {ratio_target}) | {errors + loaded['errors']} |{'' if ok else ' **missed**'}"
        )
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

"""Billing on the benchmark world: the monthly run, the Fatture page and serving a stored PDF.

Needs the benchmark world (`make bench` builds it; `BENCH_KEEP_WORLD=1 make bench` reuses it).
  * the billing run of the last month billed by the world, for every company: the month's invoices
    are deleted and made again by `billing_run`, inside a transaction that is rolled back at the
    end, so the world is left as it was; invoices and invoice lines per second;
  * with gunicorn as bench_pages.py starts it and one client: p50/p95 of the Fatture page of the
    large company (24 months of invoices) — first page, a filtered page, the second page — and of
    downloading a stored PDF copy (rendered once before the measure).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfcare_bench \\
        .venv/bin/python bench/bench_billing.py [--requests 300]
"""

import argparse
import os
import platform
import re
import sys
import time

from bench_pages import ENV, ROOT
from httpbench import call, log_in, percentile, server, session


class Rollback(Exception):
    pass


def setup():
    sys.path.insert(0, str(ROOT))
    os.environ.update({"DATABASE_URL": ENV["DATABASE_URL"], "DEMO": "1", "DJANGO_SETTINGS_MODULE": "config.settings"})
    import django

    django.setup()


def billing_run_figures() -> dict:
    """Time the billing run of the latest billed month, leaving the database unchanged."""
    from django.db import transaction
    from django.db.models import Max

    from selfcare.billing.models import Invoice, InvoiceLine
    from selfcare.billing.services.billing_run import billing_run

    period = Invoice.objects.aggregate(last=Max("billing_period"))["last"]
    if period is None:
        sys.exit("No benchmark world in this database: run `make bench` (or manage.py bench_world) first.")
    figures = {}
    try:
        with transaction.atomic():
            Invoice.objects.filter(billing_period=period).delete()
            started = time.monotonic()
            run = billing_run(period=period)
            elapsed = time.monotonic() - started
            figures = {
                "period": period,
                "seconds": elapsed,
                "invoices": run.invoices_created,
                "companies": run.companies,
                "lines": InvoiceLine.objects.filter(invoice__billing_period=period).count(),
            }
            raise Rollback
    except Rollback:
        pass
    return figures


def page_targets() -> dict:
    from django.urls import reverse

    from selfcare.billing.documents.pdf import invoice_pdf_ensure
    from selfcare.billing.models import Invoice
    from selfcare.demo.bench import BENCH_VAT_NUMBER
    from selfcare.demo.world.users import BENCH_MANAGER_USERNAME, DEMO_PASSWORD

    invoices = Invoice.objects.filter(company__vat_number=BENCH_VAT_NUMBER)
    # The PDF of a device invoice of the large company (a few pages), stored once as the product does.
    stored = invoices.filter(kind=Invoice.Kind.DEVICES).order_by("-issued_on").first() or invoices.first()
    invoice_pdf_ensure(invoice_id=stored.pk)
    stored.refresh_from_db()
    return {
        "manager": BENCH_MANAGER_USERNAME,
        "password": DEMO_PASSWORD,
        "count": invoices.count(),
        "list": reverse("billing:invoices"),
        "pdf": reverse("billing:invoice_pdf", args=[stored.pk]),
        "pdf_bytes": stored.pdf.size,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    setup()
    run = billing_run_figures()
    targets = page_targets()
    rows = []
    with server(ENV):
        opener, _jar = session()
        assert log_in(opener, targets["manager"], targets["password"]), "cannot log in as the benchmark manager"
        status, body = call(opener, targets["list"])
        cursor = re.search(rb'rel="next" href="\?[^"]*cursor=([^"&]+)"', body)
        assert status == 200 and cursor, "the large company has a single page of invoices"
        pages = [
            ("Fatture, first page", targets["list"], b"invoices-table"),
            ("Fatture, unpaid only", f"{targets['list']}?status=unpaid", b"invoices-table"),
            ("Fatture, services of 2026", f"{targets['list']}?kind=services&date_from=2026-01-01", b"invoices-table"),
            ("Fatture, second page", f"{targets['list']}?cursor={cursor[1].decode()}", b"invoices-table"),
            ("stored PDF download", targets["pdf"], b"%PDF"),
        ]
        for name, path, expect in pages:
            for _ in range(20):
                call(opener, path)
            latencies, errors = [], 0
            for _ in range(args.requests):
                started = time.monotonic()
                status, body = call(opener, path)
                latencies.append((time.monotonic() - started) * 1000)
                errors += not (status == 200 and expect in body[:200_000])
            rows.append((name, percentile(latencies, 50), percentile(latencies, 95), errors))
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs.\n")
    per_second = run["invoices"] / run["seconds"], run["lines"] / run["seconds"]
    print(f"Billing run of {run['period']:%Y-%m}: {run['invoices']:,} invoices ({run['lines']:,} invoice lines) "
          f"for {run['companies']:,} companies in {run['seconds']:.2f} s: "
          f"{per_second[0]:.1f} invoices/s, {per_second[1]:,.0f} lines/s.\n")  # fmt: skip
    print(f"Pages of the large company ({targets['count']} invoices in 24 months), one client, "
          f"{args.requests} requests each; the stored PDF is {targets['pdf_bytes'] / 1024:.0f} KiB.\n")  # fmt: skip
    print("| page | p50 | p95 | errors |")
    print("|---|---|---|---|")
    for name, p50, p95, errors in rows:
        print(f"| {name} | {p50:.1f} ms | {p95:.1f} ms | {errors} |")
    sys.exit(1 if any(r[3] for r in rows) else 0)


if __name__ == "__main__":
    main()

"""Invoice documents: PDF copies (pages per second) and FatturaPA XML (files per second).

Reads invoices of different sizes from DATABASE_URL — the benchmark world by default (`make bench`
builds it), or any database with invoices — and, without storing anything:
  * renders each one's PDF copy as `invoice_pdf_ensure` does (`invoice_pdf_render`: one query for
    the charges, the template, WeasyPrint), counts its pages with pypdf: seconds and pages/s;
  * builds its FatturaPA XML and validates it against the schema (`einvoice_build`): seconds and
    XML/s. Small invoices are repeated (--repeat) so that their rate is measured, not one call.
One invoice is taken from each size class (charges: up to 10, up to 1,000, up to 9,999 — the most
a FatturaPA lists one by one —, more), the largest of each class up to --max-lines charges.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/selfcare_bench \\
        .venv/bin/python bench/bench_documents.py [--max-lines 20000] [--repeat 20]
"""

import argparse
import io
import logging
import os
import platform
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/selfcare_bench")
SIZE_CLASSES = ((1, 10), (11, 1000), (1001, 9999), (10_000, 10**9))


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = DB_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEMO", "1")
    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # its progress messages are INFO


def pick_invoices(max_lines: int) -> list[tuple[int, int]]:
    """(invoice id, charges) of the largest invoice of each size class, at most max_lines charges."""
    from django.db.models import Count

    from selfcare.billing.models import Invoice

    sizes = Invoice.objects.annotate(charges=Count("lines")).filter(charges__lte=max_lines)
    picked = []
    for low, high in SIZE_CLASSES:
        top = sizes.filter(charges__gte=low, charges__lte=high).order_by("-charges", "pk").first()
        if top is not None:
            picked.append((top.pk, top.charges))
    return picked


def timed(function, repeat: int):
    """(result of the last call, seconds per call)."""
    started = time.perf_counter()
    for _n in range(repeat):
        result = function()
    return result, (time.perf_counter() - started) / repeat


def measure(invoice_id: int, charges: int, repeat: int) -> dict:
    import pypdf

    from selfcare.billing.documents.fatturapa import einvoice_build
    from selfcare.billing.documents.pdf import invoice_pdf_render
    from selfcare.billing.models import Invoice
    from selfcare.core.errors import ApplicationError

    invoice = Invoice.objects.select_related("company").get(pk=invoice_id)
    times = repeat if charges <= 1000 else 1
    content, pdf_seconds = timed(lambda: invoice_pdf_render(invoice), times)
    pages = len(pypdf.PdfReader(io.BytesIO(content)).pages)
    figures = {"number": invoice.number, "charges": charges, "pages": pages, "pdf_s": pdf_seconds}
    figures["pdf_bytes"] = len(content)
    try:
        xml, xml_seconds = timed(lambda: einvoice_build(invoice), times if charges <= 1000 else 3)
        figures.update(xml_s=xml_seconds, xml_bytes=len(xml))
    except ApplicationError as exc:  # e.g. a company without a registered office in a demo database
        figures.update(xml_s=None, xml_error=str(exc.message))
    return figures


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-lines", type=int, default=20_000, help="skip invoices with more charges")
    parser.add_argument("--repeat", type=int, default=20, help="calls per small invoice (≤1,000 charges)")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    picked = pick_invoices(args.max_lines)
    if not picked:
        sys.exit(f"No invoices in {connection.settings_dict['NAME']}: run `make bench` or a billing run first.")
    print(f"# invoice documents — {platform.node()}, {os.cpu_count()} CPUs, {connection.vendor}")
    header = (
        f"{'invoice':<13}{'charges':>8}{'pages':>7}{'PDF s':>9}{'pages/s':>9}{'PDF KB':>8}"
        f"{'XML s':>9}{'XML/s':>8}{'XML KB':>8}"
    )
    print(header)
    print("-" * len(header))
    for invoice_id, charges in picked:
        f = measure(invoice_id, charges, args.repeat)
        xml = (
            f"{f['xml_s']:>9.3f}{1 / f['xml_s']:>8.1f}{f['xml_bytes'] / 1024:>8.0f}"
            if f["xml_s"] is not None
            else f"  n/a: {f['xml_error']}"
        )
        print(
            f"{f['number']:<13}{f['charges']:>8}{f['pages']:>7}{f['pdf_s']:>9.2f}{f['pages'] / f['pdf_s']:>9.1f}"
            f"{f['pdf_bytes'] / 1024:>8.0f}{xml}",
            flush=True,
        )
    print(f"peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()

"""The PDF copy of an invoice (SPEC F-BIL-1), rendered once with WeasyPrint and stored.

The copy is in Italian whatever the reader's language, like the fiscal document it copies, and says
on every page that it is not valid for tax purposes (the fiscal invoice is the FatturaPA XML).
Charges are grouped by cost centre, then by line, with subtotals; charges of the company as a whole
(not of a line) come on their own.
"""

import textwrap
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from selfcare.billing.models import Invoice, InvoiceLine, PaymentMethod
from selfcare.billing.services.invoices import vat_summaries
from selfcare.core.money import format_money as money
from selfcare.core.validators import format_phone_number

TEMPLATE = "billing/documents/invoice_pdf.html"


def css_string(text: str) -> SafeString:
    """`text` as a CSS string literal, for the page margins' texts (which CSS, not HTML, prints)."""
    escaped = "".join(char if char.isalnum() or char in " .,:;-/()'" else f"\\{ord(char):x} " for char in text)
    return mark_safe(f'"{escaped}"')  # noqa: S308 (every character outside a safe set is escaped)


def pdf_render(html: str) -> bytes:
    """A PDF from HTML that needs nothing from outside: every URL it names is refused."""
    # No fetching at all: a name or description holding a URL can never make the server request it.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


@dataclass
class Charge:
    """One charge as printed: every value already formatted."""

    kind: str
    description: str
    quantity: str
    unit_price: str
    vat_rate: str
    amount: str


@dataclass
class Group:
    """Charges with their total: those of a line, of the company, or of a cost centre (its lines)."""

    title: str
    subtitle: str = ""
    sort_key: str = ""
    charges: list[Charge] = field(default_factory=list)
    children: list["Group"] = field(default_factory=list)
    total: Decimal = Decimal(0)
    total_text: str = ""
    # A cost centre's heading and the label of its total.
    heading: str = ""
    total_label: str = ""
    # A line's charges as preformatted text (see DETAIL_COLUMNS).
    head: str = ""
    block: str = ""


# The charges of each line are printed as monospaced text in these columns (characters): a large
# company's invoice has tens of thousands of them, and WeasyPrint lays out a block of text per line
# about three times faster than table cells (measured: 1,000 lines of two charges, 2.0 s as text
# and 6.3 s as a table; bench/bench_documents.py has the figures of whole invoices).
DETAIL_COLUMNS = (
    ("description", 46),
    ("kind", 20),
    ("quantity", 7),
    ("unit_price", 13),
    ("vat_rate", 7),
    ("amount", 13),
)
DETAIL_WIDTH = sum(width for _name, width in DETAIL_COLUMNS)


def _detail_row(values: dict[str, str]) -> str:
    cells = []
    for name, width in DETAIL_COLUMNS:
        value = values.get(name, "")[: width - 1]
        cells.append(value.ljust(width) if name in ("description", "kind") else value.rjust(width))
    return "".join(cells).rstrip()


def _detail_text(charges: list[Charge]) -> str:
    """The charges of a line as rows of DETAIL_COLUMNS; a long description goes on over more rows."""
    rows = []
    width = DETAIL_COLUMNS[0][1] - 1
    for charge in charges:
        parts = textwrap.wrap(charge.description, width) or [""]
        rows.append(_detail_row({**charge.__dict__, "description": parts[0]}))
        rows.extend(_detail_row({"description": part}) for part in parts[1:])
    return "\n".join(rows)


def detail_header() -> str:
    """The column titles of the per-line detail, aligned as its rows."""
    return _detail_row(
        {
            "description": _("Description"),
            "kind": _("Type"),
            "quantity": _("Qty"),
            "unit_price": _("Unit price"),
            "vat_rate": _("VAT %"),
            "amount": _("Amount"),
        }
    )


def _charges(invoice: Invoice) -> list[dict]:
    # One query for every charge with its line, holder and cost centre.
    return list(
        InvoiceLine.objects.filter(invoice=invoice)
        .order_by("pk")
        .values(
            "kind",
            "description",
            "quantity",
            "unit_price",
            "vat_rate",
            "amount",
            "line_id",
            "line__number",
            "line__holder__first_name",
            "line__holder__last_name",
            "cost_centre_id",
            "cost_centre__code",
            "cost_centre__name",
        )
    )


def _decimal(value: Decimal) -> str:
    return formats.number_format(value.normalize(), use_l10n=True)


def _charge(row: dict, kinds: dict) -> Charge:
    quantity = row["quantity"]
    unit_price = row["unit_price"]
    return Charge(
        kind=kinds.get(row["kind"], row["kind"]),
        description=row["description"],
        quantity="" if quantity == 1 else _decimal(quantity),
        # Unit prices may have up to 8 decimals: shown with the ones they have, at least 2.
        unit_price=money(unit_price) if unit_price == unit_price.quantize(Decimal("0.01")) else _decimal(unit_price),
        vat_rate=_decimal(row["vat_rate"]),
        amount=money(row["amount"]),
    )


def _grouped(rows: Iterable[dict]) -> tuple[list[Group], Group]:
    """(cost centres, each with its lines; the company's own charges), in reading order."""
    kinds = {value: str(label) for value, label in InvoiceLine.Kind.choices}
    company = Group(title=_("Company charges"))
    no_centre = _("Lines without a cost centre")
    centres: dict[int | None, Group] = {}
    lines: dict[tuple[int | None, int], Group] = {}
    for row in rows:
        if row["line_id"] is None:
            group = company
        else:
            centre_id = row["cost_centre_id"]
            centre = centres.get(centre_id)
            if centre is None:
                centre = centres[centre_id] = Group(
                    title=f"{row['cost_centre__code']} · {row['cost_centre__name']}" if centre_id else no_centre,
                    sort_key=row["cost_centre__code"] or "",
                )
            key = (centre_id, row["line_id"])
            group = lines.get(key)
            if group is None:
                holder = " ".join(filter(None, (row["line__holder__first_name"], row["line__holder__last_name"])))
                group = lines[key] = Group(
                    title=format_phone_number(row["line__number"]), subtitle=holder, sort_key=row["line__number"]
                )
                centre.children.append(group)
            centre.total += row["amount"]
        group.charges.append(_charge(row, kinds))
        group.total += row["amount"]
    # By code, the lines without a cost centre last; in each, the lines by number.
    sorted_centres = sorted(centres.items(), key=lambda item: (item[0] is None, item[1].sort_key))
    line_label, total_label = _("Line"), _("Line total")
    for centre_id, centre in sorted_centres:
        if centre_id is None:
            centre.heading, centre.total_label = no_centre, _("Total of the lines without a cost centre")
        else:
            centre.heading = _("Cost centre %(centre)s") % {"centre": centre.title}
            centre.total_label = _("Total cost centre %(centre)s") % {"centre": centre.title}
        centre.children.sort(key=lambda line: line.sort_key)
        centre.total_text = money(centre.total)
        for line in centre.children:
            line.total_text = money(line.total)
            title = " · ".join(filter(None, (f"{line_label} {line.title}", line.subtitle)))
            total = f"{total_label} € {line.total_text}"
            line.head = title[: DETAIL_WIDTH - len(total) - 2].ljust(DETAIL_WIDTH - len(total)) + total
            line.block = _detail_text(line.charges)
    company.total_text = money(company.total)
    return [centre for _id, centre in sorted_centres], company


def operator_context() -> dict:
    """The operator's data as printed at the top of the invoice and of the call detail."""
    return {**settings.OPERATOR, "brand": settings.BRAND}


def invoice_pdf_render(invoice: Invoice) -> bytes:
    """The PDF copy of `invoice` (in Italian), rendered now: invoice_pdf_ensure stores it once."""
    with translation.override("it"):
        rows = _charges(invoice)
        centres, company_charges = _grouped(rows)
        summaries = vat_summaries([(row["vat_rate"], row["amount"]) for row in rows])
        method = PaymentMethod.objects.filter(company_id=invoice.company_id, is_current=True).first()
        context = {
            "invoice": invoice,
            "company": invoice.company,
            "operator": operator_context(),
            "share_capital": money(Decimal(settings.OPERATOR["share_capital"])),
            "centres": centres,
            "company_charges": company_charges,
            "detail_header": detail_header(),
            "vat": [
                {
                    "rate": formats.number_format(s.rate.normalize(), use_l10n=True),
                    "taxable": money(s.taxable),
                    "vat": money(s.vat),
                }
                for s in summaries
            ],
            "totals": {
                "taxable": money(invoice.taxable_amount),
                "vat": money(invoice.vat_amount),
                "total": money(invoice.total_amount),
                "paid": money(invoice.paid_amount),
                "due": money(invoice.amount_due),
            },
            "payment_method": method.get_kind_display() if method else "",
            "margin": {
                "mark": css_string(_("Copy not valid for tax purposes")),
                "number": css_string(_("Invoice %(number)s") % {"number": invoice.number}),
                "page": css_string(_("Page")),
                "of": css_string(_("of")),
                "operator": css_string(settings.OPERATOR["name"]),
            },
        }
        html = render_to_string(TEMPLATE, context)
    return pdf_render(html)


def invoice_pdf_file_name(invoice: Invoice) -> str:
    return f"invoice_{invoice.year}_{invoice.sequence:06d}.pdf"


def invoice_pdf_ensure(*, invoice_id: int) -> Invoice:
    """The invoice with its PDF copy stored in `invoice.pdf`: rendered and stored the first time,
    returned as stored afterwards (PDFs are rendered once, DESIGN.md §5).

    Two requests racing for the same invoice render it once: the second waits on the invoice's row
    lock and finds the file stored by the first.
    """
    invoice = Invoice.objects.select_related("company").get(pk=invoice_id)
    if invoice.pdf:
        return invoice
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update(of=("self",)).select_related("company").get(pk=invoice_id)
        if invoice.pdf:  # stored by a request that held the lock before us
            return invoice
        content = invoice_pdf_render(invoice)
        invoice.pdf.save(invoice_pdf_file_name(invoice), ContentFile(content), save=False)
        invoice.save(update_fields=["pdf"])
    return invoice


# An invoice with more charges than this is rendered by a job: its copy runs to hundreds of pages and
# takes tens of seconds, more than a download should wait.
INLINE_MAX_CHARGES = 1000


def invoice_pdf_or_job(*, invoice_id: int) -> Invoice | None:
    """The invoice with its stored PDF, rendered now if it is small; None while a job prepares a large
    one (queued once however many times the download is asked for meanwhile)."""
    from django.core.cache import cache

    from selfcare.billing.tasks import render_invoice_pdf

    invoice = Invoice.objects.select_related("company").get(pk=invoice_id)
    if invoice.pdf:
        return invoice
    if InvoiceLine.objects.filter(invoice_id=invoice_id).count() <= INLINE_MAX_CHARGES:
        return invoice_pdf_ensure(invoice_id=invoice_id)
    if cache.add(f"invoice-pdf-queued:{invoice_id}", True, timeout=600):
        render_invoice_pdf(invoice_id)
    return None


def pdf_download_name(invoice: Invoice) -> str:
    """The name a downloaded or emailed copy gets: fattura-2026-000123.pdf."""
    return f"fattura-{invoice.number.replace('/', '-')}.pdf"

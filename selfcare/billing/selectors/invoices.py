"""Reads of the Fatture page (SPEC F-BIL-1): the company's invoices of the last 24 months.

Invoices are company documents (`scope.company_rows`): every manager of the company sees them all,
employees none. One invoice outside the scope is a 404, the same as a missing one.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, LPad
from django.http import Http404
from django.utils import timezone

from selfcare.billing.models import Invoice, InvoiceLine
from selfcare.core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page
from selfcare.core.scope import Scope

HISTORY_MONTHS = 24
# Newest first; the number is unique, so every invoice has one place in the order.
KEYS = ["issued_on", "number"]
PAYABLE = (Invoice.Status.TO_PAY, Invoice.Status.OVERDUE, Invoice.Status.PARTIALLY_PAID)


def history_start(today: datetime.date | None = None) -> datetime.date:
    """The first day of the oldest month shown: 24 months back, this month included."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1 - (HISTORY_MONTHS - 1)
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class InvoiceFilters:
    """What the manager asked for; empty values mean "any"."""

    kind: str = ""
    status: str = ""
    date_from: datetime.date | None = None  # issued on or after
    date_to: datetime.date | None = None  # issued on or before

    @property
    def active(self) -> bool:
        return bool(self.kind or self.status or self.date_from or self.date_to)


def invoice_queryset(*, scope: Scope, filters: InvoiceFilters | None = None) -> QuerySet:
    """The scope's invoices of the last 24 months matching the filters (not yet ordered)."""
    filters = filters or InvoiceFilters()
    qs = scope.company_rows(Invoice.objects.all()).filter(issued_on__gte=history_start())
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status == "unpaid":
        qs = qs.filter(status__in=PAYABLE)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.date_from:
        qs = qs.filter(issued_on__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(issued_on__lte=filters.date_to)
    return qs.defer("sdi_note")


@dataclass
class InvoiceSummary:
    """What the top of the page says: how much is still to pay and how much of it is overdue."""

    to_pay: Decimal
    overdue: Decimal
    overdue_count: int


@dataclass
class InvoiceList:
    page: Page
    filters: InvoiceFilters
    summary: InvoiceSummary
    company_has_invoices: bool  # False: the "no invoices yet" state; True with no match: "nothing matches"


def invoice_list(
    *, scope: Scope, filters: InvoiceFilters, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE
) -> InvoiceList:
    """One page of the scope's invoices, newest first, with the unpaid summary of the whole company.

    Two queries (page and summary), whatever the number of invoices. Raises InvalidCursor on a
    cursor that does not decode.
    """
    page = keyset_page(invoice_queryset(scope=scope, filters=filters), keys=KEYS, descending=True,
                       cursor=cursor, size=size)  # fmt: skip
    totals = invoice_queryset(scope=scope).aggregate(
        invoices=Count("pk"),
        to_pay=Sum("total_amount", filter=Q(status__in=PAYABLE)),
        paid_of_unpaid=Sum("paid_amount", filter=Q(status__in=PAYABLE)),
        overdue=Sum("total_amount", filter=Q(status=Invoice.Status.OVERDUE)),
        overdue_paid=Sum("paid_amount", filter=Q(status=Invoice.Status.OVERDUE)),
        overdue_count=Count("pk", filter=Q(status=Invoice.Status.OVERDUE)),
    )
    zero = Decimal(0)
    summary = InvoiceSummary(
        to_pay=(totals["to_pay"] or zero) - (totals["paid_of_unpaid"] or zero),
        overdue=(totals["overdue"] or zero) - (totals["overdue_paid"] or zero),
        overdue_count=totals["overdue_count"],
    )
    return InvoiceList(page=page, filters=filters, summary=summary, company_has_invoices=totals["invoices"] > 0)


def invoice_get(*, scope: Scope, invoice_id: int) -> Invoice:
    """One invoice of the scope with its company, or 404 (another company's included)."""
    invoice = scope.company_rows(Invoice.objects.all()).select_related("company").filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404
    return invoice


@dataclass
class LineGroup:
    """The charges of one line (or of the company as a whole) on a page, with the line's whole subtotal."""

    number: str  # "" for company-level charges
    rows: list
    subtotal: Decimal


@dataclass
class CentreGroup:
    """The charges of one cost centre on a page, line by line."""

    name: str  # "" for lines without a cost centre
    lines: list[LineGroup]


@dataclass
class CentreTotal:
    """One cost centre's share of the whole invoice."""

    name: str  # "" for lines without a cost centre
    lines: int
    subtotal: Decimal


@dataclass
class InvoiceCharges:
    centres: list[CentreTotal]  # every cost centre of the invoice, with its total
    groups: list[CentreGroup]  # the charges of this page, grouped
    page: Page


# Cost centres by code (charges without one last), then line number, then charge: a large company's
# invoice has tens of thousands of charges, shown a page at a time in this order.
CHARGE_KEYS = ["no_centre", "sort_centre", "sort_number", "sort_pk"]
CHARGES_PAGE_SIZE = 200


def _centre_name(code: str | None, name: str | None) -> str:
    return f"{code} · {name}" if code else ""


def invoice_centre_totals(invoice: Invoice) -> list[CentreTotal]:
    """Every cost centre of the invoice with its lines and taxable amount (charges without one last)."""
    totals = (
        InvoiceLine.objects.filter(invoice=invoice)
        .values("cost_centre__code", "cost_centre__name")
        .annotate(lines=Count("line_id", distinct=True), subtotal=Sum("amount"))
        .order_by(F("cost_centre__code").asc(nulls_last=True))
    )
    return [CentreTotal(_centre_name(t["cost_centre__code"], t["cost_centre__name"]), t["lines"], t["subtotal"])
            for t in totals]  # fmt: skip


def invoice_charges(invoice: Invoice, *, cursor: str | None = None, size: int = CHARGES_PAGE_SIZE) -> InvoiceCharges:
    """The invoice's cost-centre totals, and one page of its charges grouped by cost centre and line.

    Three queries whatever the size of the invoice. The cost centre is the one the charge was billed
    to (kept on the invoice line), so moving a line to another cost centre later does not rewrite past
    invoices. Raises InvalidCursor on a cursor that does not decode.
    """
    charges = InvoiceLine.objects.filter(invoice=invoice)
    centres = invoice_centre_totals(invoice)
    rows = (
        charges.select_related("line", "cost_centre")
        .only("kind", "description", "quantity", "unit_price", "vat_rate", "amount", "line__number",
              "cost_centre__name", "cost_centre__code")
        .annotate(
            no_centre=Case(When(cost_centre__isnull=True, then=Value("1")), default=Value("0")),
            sort_centre=Coalesce("cost_centre__code", Value("")),
            sort_number=Coalesce("line__number", Value("")),
            sort_pk=LPad(Cast("pk", CharField()), 12, Value("0")),
        )
    )  # fmt: skip
    page = keyset_page(rows, keys=CHARGE_KEYS, cursor=cursor, size=size)
    line_ids = {row.line_id for row in page.rows if row.line_id}
    subtotals = dict(charges.filter(line_id__in=line_ids).values_list("line_id").annotate(s=Sum("amount")).order_by())
    company_subtotal = None
    groups: dict[str, dict[str, LineGroup]] = {}
    for row in page.rows:
        centre = _centre_name(row.cost_centre.code, row.cost_centre.name) if row.cost_centre else ""
        number = row.line.display_number if row.line else ""
        by_line = groups.setdefault(centre, {})
        if number not in by_line:
            if row.line_id:
                subtotal = subtotals[row.line_id]
            else:
                if company_subtotal is None:
                    company_subtotal = charges.filter(line__isnull=True).aggregate(s=Sum("amount"))["s"]
                subtotal = company_subtotal
            by_line[number] = LineGroup(number, [], subtotal)
        by_line[number].rows.append(row)
    return InvoiceCharges(
        centres=centres,
        groups=[CentreGroup(name, list(lines.values())) for name, lines in groups.items()],
        page=page,
    )

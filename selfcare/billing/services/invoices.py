"""Issuing invoices: totals with FatturaPA rounding and numbers without gaps per year."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction

from selfcare.billing.models import Invoice, InvoiceLine, InvoiceSequence
from selfcare.core.money import VAT_STANDARD, quantize_money, vat_of


@dataclass(frozen=True)
class Charge:
    """One line of an invoice before it is issued."""

    kind: str
    description: str
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    line_id: int | None = None
    cost_centre_id: int | None = None
    vat_rate: Decimal = VAT_STANDARD

    @property
    def amount(self) -> Decimal:
        # FatturaPA: PrezzoTotale is quantity × unit price, shown with two decimals.
        return quantize_money(self.unit_price * self.quantity)


@dataclass(frozen=True)
class VatSummary:
    """One DatiRiepilogo block: the taxable amount of a VAT rate and the VAT on it."""

    rate: Decimal
    taxable: Decimal
    vat: Decimal


def vat_summaries(amounts_by_rate: list[tuple[Decimal, Decimal]]) -> list[VatSummary]:
    """Group (rate, line amount) pairs by rate; VAT is computed once per rate on its taxable sum
    and rounded half up, as FatturaPA's summary does (not line by line)."""
    taxable: dict[Decimal, Decimal] = defaultdict(Decimal)
    for rate, amount in amounts_by_rate:
        taxable[Decimal(rate)] += Decimal(amount)
    return [VatSummary(rate, quantize_money(base), vat_of(base, rate)) for rate, base in sorted(taxable.items())]


def invoice_totals(charges: list[Charge]) -> tuple[Decimal, Decimal, Decimal]:
    """(taxable, VAT, total) of a list of charges."""
    summaries = vat_summaries([(c.vat_rate, c.amount) for c in charges])
    taxable = sum((s.taxable for s in summaries), Decimal(0))
    vat = sum((s.vat for s in summaries), Decimal(0))
    return quantize_money(taxable), quantize_money(vat), quantize_money(taxable + vat)


def _next_sequence(year: int) -> int:
    """The next number of the year, taken under a row lock on that year's counter.

    The counter row is updated in the caller's transaction: if the invoice is not written, the
    number goes back too, so numbers have no gaps. Concurrent issuers wait for each other here.
    """
    try:
        counter = InvoiceSequence.objects.select_for_update().get(year=year)
    except InvoiceSequence.DoesNotExist:
        try:
            with transaction.atomic():
                InvoiceSequence.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # another issuer created it first: lock it as it is
        counter = InvoiceSequence.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def invoice_issue(
    *,
    company_id: int,
    kind: str,
    charges: list[Charge],
    issued_on: datetime.date,
    due_on: datetime.date,
    period_start: datetime.date,
    period_end: datetime.date,
    billing_period: datetime.date | None = None,
    sdi_status: str = Invoice.SdiStatus.TO_SEND,
) -> Invoice:
    """Number and write an invoice with its lines and totals, in one transaction."""
    if not charges:
        raise ValueError("an invoice needs at least one charge")
    summaries = vat_summaries([(c.vat_rate, c.amount) for c in charges])
    if any(s.taxable < 0 for s in summaries):
        raise ValueError("discounts exceed the charges of a VAT rate: not an invoice")
    taxable, vat, total = invoice_totals(charges)
    with transaction.atomic():
        sequence = _next_sequence(issued_on.year)
        invoice = Invoice.objects.create(
            company_id=company_id,
            kind=kind,
            year=issued_on.year,
            sequence=sequence,
            number=invoice_number(issued_on.year, sequence),
            issued_on=issued_on,
            due_on=due_on,
            period_start=period_start,
            period_end=period_end,
            taxable_amount=taxable,
            vat_amount=vat,
            total_amount=total,
            billing_period=billing_period,
            sdi_status=sdi_status,
        )
        InvoiceLine.objects.bulk_create(
            InvoiceLine(
                invoice=invoice,
                line_id=c.line_id,
                cost_centre_id=c.cost_centre_id,
                kind=c.kind,
                description=c.description[:200],
                quantity=c.quantity,
                unit_price=c.unit_price,
                vat_rate=c.vat_rate,
                amount=c.amount,
            )
            for c in charges
        )
    return invoice


def invoice_number(year: int, sequence: int) -> str:
    """The number printed on the invoice: year and progressive, e.g. 2026/000123."""
    return f"{year}/{sequence:06d}"

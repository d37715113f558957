"""Invoices of the last 24 months and the top-up history of prepaid lines."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Max

from selfcare.billing.models import Invoice, InvoiceLine, InvoiceSequence, PaymentMethod
from selfcare.billing.services.invoices import invoice_number
from selfcare.catalog.models import Offer, Option, Promotion
from selfcare.core.money import VAT_STANDARD, quantize_money, vat_of
from selfcare.demo.world.bulk import insert_rows
from selfcare.demo.world.companies import BuiltCompany, device_price
from selfcare.demo.world.context import Context, add_months, rome_at
from selfcare.lines.models import Device, Line
from selfcare.topups.models import Topup

MONTHS = 24
TOPUP_WEIGHTS = {"5": 3, "10": 10, "15": 5, "20": 8, "25": 4, "30": 4, "50": 2, "100": 1}
TOPUP_CHANNELS = [
    (Topup.Channel.ONLINE, Topup.Method.CARD, 40),
    (Topup.Channel.ONLINE, Topup.Method.PAYPAL, 10),
    (Topup.Channel.AUTOMATIC, Topup.Method.CARD, 25),
    (Topup.Channel.SHOP, Topup.Method.CASH, 10),
    (Topup.Channel.INVOICE, Topup.Method.INVOICE, 15),
]
LINE_COLUMNS = (
    "invoice_id", "line_id", "cost_centre_id", "kind", "description", "quantity", "unit_price", "vat_rate",
    "amount",
)  # fmt: skip


@dataclass
class Draft:
    company_id: int
    kind: str
    issued_on: datetime.date
    due_on: datetime.date
    period_start: datetime.date
    period_end: datetime.date
    rows: list[tuple] = field(default_factory=list)  # LINE_COLUMNS without invoice_id

    def add(self, line: Line | None, kind: str, description: str, unit_price: Decimal, quantity: int = 1):
        amount = quantize_money(unit_price * quantity)
        cost_centre_id = line.cost_centre_id if line is not None else None
        self.rows.append(
            (line.pk if line else None, cost_centre_id, kind, description[:200], Decimal(quantity), unit_price,
             VAT_STANDARD, amount)
        )  # fmt: skip

    @property
    def taxable(self) -> Decimal:
        return sum((row[-1] for row in self.rows), Decimal(0))


def create_topups(ctx: Context, built: list[BuiltCompany]) -> dict[tuple[int, datetime.date], list]:
    """Top-ups of the last 12 months on every prepaid line.

    Returns the ones charged to the invoice, by (company id, first day of the month they were made).
    """
    rng = ctx.rng
    amounts, weights = list(TOPUP_WEIGHTS), list(TOPUP_WEIGHTS.values())
    rows = []
    on_invoice: dict[tuple[int, datetime.date], list] = defaultdict(list)
    for company in built:
        for line in company.lines:
            if line.offer.kind != Offer.Kind.PREPAID:
                continue
            for back in range(12):
                month = add_months(ctx.period_start, -back)
                for _ in range(rng.choice([0, 1, 1, 1, 2])):
                    day = month + datetime.timedelta(days=rng.randint(0, 27))
                    if day > ctx.today:
                        continue
                    when = rome_at(day, rng.randint(7, 22), rng.randint(0, 59))
                    if when > ctx.now:
                        continue
                    channel, method, _w = rng.choices(TOPUP_CHANNELS, [c[2] for c in TOPUP_CHANNELS])[0]
                    amount = Decimal(rng.choices(amounts, weights)[0])
                    status = Topup.Status.FAILED if rng.random() < 0.03 else Topup.Status.DONE
                    rows.append(
                        Topup(line=line, amount=amount, channel=channel, method=method, status=status, created_at=when)
                    )
                    if channel == Topup.Channel.INVOICE and status == Topup.Status.DONE:
                        on_invoice[(company.company.pk, month)].append((line, amount))
    Topup.objects.bulk_create(rows, batch_size=2000)
    return on_invoice


def create_invoices(
    ctx: Context, built: list[BuiltCompany], *, trouble: dict[int, str], on_invoice: dict
) -> tuple[int, int]:
    """24 monthly service invoices per company plus device invoices, numbered without gaps per year.

    trouble maps a company id to "overdue" or "partial": which unpaid invoice that company shows.
    Returns (invoices, invoice lines) written.
    """
    drafts: list[Draft] = []
    for company in built:
        drafts += _service_drafts(ctx, company, on_invoice)
        drafts += _device_drafts(ctx, company)

    # The operator numbers its invoices in issue order across all customers, restarting every year.
    drafts.sort(key=lambda d: (d.issued_on, d.company_id, d.kind))
    next_sequence = {
        row["year"]: row["last"] + 1 for row in Invoice.objects.values("year").annotate(last=Max("sequence")).order_by()
    }
    invoices = []
    for draft in drafts:
        year = draft.issued_on.year
        sequence = next_sequence.get(year, 1)
        next_sequence[year] = sequence + 1
        taxable = draft.taxable
        vat = vat_of(taxable)
        invoices.append(
            Invoice(
                company_id=draft.company_id,
                kind=draft.kind,
                year=year,
                sequence=sequence,
                number=invoice_number(year, sequence),
                issued_on=draft.issued_on,
                due_on=draft.due_on,
                period_start=draft.period_start,
                period_end=draft.period_end,
                taxable_amount=taxable,
                vat_amount=vat,
                total_amount=taxable + vat,
                # Monthly documents carry their month; a device bought outright is a one-off document.
                billing_period=draft.period_start if draft.period_start != draft.period_end else None,
            )
        )
    _set_statuses(ctx, invoices, trouble)
    invoices = Invoice.objects.bulk_create(invoices, batch_size=1000)
    for year, following in next_sequence.items():
        InvoiceSequence.objects.update_or_create(year=year, defaults={"last": following - 1})
    written = insert_rows(
        InvoiceLine,
        LINE_COLUMNS,
        ((invoice.pk, *row) for invoice, draft in zip(invoices, drafts, strict=True) for row in draft.rows),
    )
    return len(invoices), written


def _service_drafts(ctx: Context, built: BuiltCompany, on_invoice: dict) -> list[Draft]:
    rng = ctx.rng
    company = built.company
    billed = [ln for ln in built.lines if ln.activated_on and ln.offer.kind != Offer.Kind.PREPAID]
    monthly_options = [
        a for a in built.options if a.option.duration == Option.Duration.MONTHLY and a.status == "active"
    ]
    other_options = [a for a in built.options if a.option.duration != Option.Duration.MONTHLY]
    lines_by_id = {ln.pk: ln for ln in built.lines}
    promotions = [
        (promo, {o.code for o in promo.offers.all()})
        for promo in Promotion.objects.filter(companies=company).prefetch_related("offers")
    ]
    instalments = [d for d in built.devices if d.instalments_total]
    drafts = []
    for back in range(MONTHS):
        issued = add_months(ctx.period_start, -back)
        start = add_months(issued, -1)
        end = issued - datetime.timedelta(days=1)
        draft = Draft(company.pk, Invoice.Kind.SERVICES, issued, add_months(issued, 1) - datetime.timedelta(days=1),
                      start, end)  # fmt: skip
        for line in billed:
            if line.activated_on > end:
                continue
            draft.add(line, InvoiceLine.Kind.RECURRING, f"Canone {line.offer.name} {line.number}",
                      line.offer.monthly_fee)  # fmt: skip
            for promo, offer_codes in promotions:
                if line.offer.code in offer_codes and promo.valid_from <= end and promo.valid_until >= start:
                    draft.add(line, InvoiceLine.Kind.DISCOUNT, f"Sconto {promo.name} {line.number}",
                              -promo.monthly_discount)  # fmt: skip
            # International calls beyond the plan on a few lines each month.
            if line.kind == Line.Kind.MOBILE and rng.random() < 0.04:
                draft.add(line, InvoiceLine.Kind.USAGE, f"Traffico internazionale {line.number}",
                          Decimal(rng.randint(19, 1500)) / 100)  # fmt: skip
        for active in monthly_options:
            if active.activated_at.date() <= end:
                line = lines_by_id[active.line_id]
                draft.add(line, InvoiceLine.Kind.OPTION, f"{active.option.name} {line.number}", active.option.price)
        for active in other_options:
            if start <= active.activated_at.date() <= end:
                line = lines_by_id[active.line_id]
                draft.add(line, InvoiceLine.Kind.OPTION, f"{active.option.name} {line.number}", active.option.price)
        # Device instalments are a separate document of the same month, as the billing run makes them.
        devices = Draft(company.pk, Invoice.Kind.DEVICES, issued, draft.due_on, start, end)
        for device in instalments:
            k = (start.year - device.purchased_on.year) * 12 + start.month - device.purchased_on.month + 1
            if 1 <= k <= device.instalments_total:
                devices.add(device.line, InvoiceLine.Kind.INSTALMENT,
                            f"Rata {k}/{device.instalments_total} {device.model} ({device.device_id})",
                            device.instalment_amount)  # fmt: skip
        for line, amount in on_invoice.get((company.pk, start), []):
            draft.add(line, InvoiceLine.Kind.ONE_OFF, f"Ricarica {amount} € su {line.number}", amount)
        drafts += [d for d in (draft, devices) if d.rows]
    return drafts


def _device_drafts(ctx: Context, built: BuiltCompany) -> list[Draft]:
    """Devices bought outright in the last 24 months, one invoice per company and purchase day."""
    oldest = add_months(ctx.period_start, -MONTHS)
    by_day: dict[datetime.date, list[Device]] = defaultdict(list)
    for device in built.devices:
        if not device.instalments_total and device.kind != Device.Kind.ROUTER and device.purchased_on >= oldest:
            by_day[device.purchased_on].append(device)
    drafts = []
    for day, devices in sorted(by_day.items()):
        draft = Draft(built.company.pk, Invoice.Kind.DEVICES, day, day + datetime.timedelta(days=30), day, day)
        for device in devices:
            draft.add(device.line, InvoiceLine.Kind.ONE_OFF, f"{device.model} IMEI {device.device_id}",
                      device_price(device))  # fmt: skip
        drafts.append(draft)
    return drafts


def _set_statuses(ctx: Context, invoices: list[Invoice], trouble: dict[int, str]) -> None:
    """Older invoices are paid; the latest services invoice is to pay; one overdue or partial per trouble."""
    rng = ctx.rng
    latest: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in sorted(invoices, key=lambda i: i.issued_on, reverse=True):
        if invoice.kind == Invoice.Kind.SERVICES:
            latest[invoice.company_id].append(invoice)
    special = {}
    for company_id, services in latest.items():
        special[id(services[0])] = Invoice.Status.TO_PAY
        kind = trouble.get(company_id)
        if kind == "overdue" and len(services) > 1:
            special[id(services[1])] = Invoice.Status.OVERDUE
        elif kind == "partial" and len(services) > 2:
            special[id(services[2])] = Invoice.Status.PARTIALLY_PAID
    for invoice in invoices:
        status = special.get(id(invoice))
        if status is None and invoice.due_on >= ctx.today:
            status = Invoice.Status.TO_PAY
        if status in (Invoice.Status.TO_PAY, Invoice.Status.OVERDUE):
            invoice.status = status
            invoice.paid_amount = Decimal(0)
        elif status == Invoice.Status.PARTIALLY_PAID:
            invoice.status = status
            invoice.paid_amount = quantize_money(invoice.total_amount * Decimal("0.4"))
            invoice.paid_at = rome_at(invoice.due_on - datetime.timedelta(days=2), 11)
        else:
            invoice.status = Invoice.Status.PAID
            invoice.paid_amount = invoice.total_amount
            invoice.paid_at = rome_at(invoice.due_on - datetime.timedelta(days=rng.randint(0, 12)), 10)


def create_payment_methods(ctx: Context, built: list[BuiltCompany], *, expired_card: set[int]) -> int:
    """How each company pays: a SEPA direct debit from an Italian account, with its mandate; the
    companies in `expired_card` pay by a card that expired last month (the portal asks them to change it)."""
    from stdnum import iban

    rng = ctx.rng
    last_month = add_months(ctx.today.replace(day=1), -1)
    methods = []
    for company in built:
        c = company.company
        if c.pk in expired_card:
            methods.append(PaymentMethod(
                company=c, kind=PaymentMethod.Kind.CARD, status=PaymentMethod.Status.EXPIRED,
                status_reason="Carta scaduta", provider="sandbox", provider_token=f"card_demo_{c.pk}",
                card_brand="Visa", card_last4=f"{rng.randint(0, 9999):04d}", card_exp_month=last_month.month,
                card_exp_year=last_month.year, status_changed_at=rome_at(ctx.today.replace(day=1), 6),
            ))  # fmt: skip
            continue
        bban = f"X{rng.randint(1000, 9999):05d}{rng.randint(1000, 99999):05d}{rng.randint(0, 10**12 - 1):012d}"
        number = f"IT{iban.calc_check_digits(f'ITXX{bban}')}{bban}"
        methods.append(PaymentMethod(
            company=c, kind=PaymentMethod.Kind.DIRECT_DEBIT, iban=number, account_holder=c.name[:140],
            account_holder_fiscal_code=c.vat_number, mandate_reference=f"SCB-{c.pk}-DEMO-1",
            mandate_signed_on=add_months(ctx.today, -30),
        ))  # fmt: skip
    PaymentMethod.objects.bulk_create(methods)
    return len(methods)

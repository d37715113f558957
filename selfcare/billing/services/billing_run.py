"""The monthly billing run: each postpaid company's month turned into invoices (SPEC F-BIL-1).

For a month it invoices, per company, in one transaction each:
- a services invoice: the monthly fee of every billed line (with its promotions' discounts), the
  options' fees, the rated usage of the month (the priced traffic beyond the allowances, from the
  per-month totals) and the prepaid top-ups charged to the invoice;
- a devices invoice, a separate document: the device instalments falling in the month.
Each invoice carries the month as its billing period, and the database allows one invoice of each
type per company and period: a second run for the same month finds them and creates nothing.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.billing.models import BillingRun, Invoice, InvoiceLine
from selfcare.billing.services.invoices import Charge, invoice_issue
from selfcare.catalog.models import Offer, Option, Promotion
from selfcare.core.errors import ApplicationError
from selfcare.core.money import quantize_money
from selfcare.customers.models import Company
from selfcare.lines.models import ActiveOption, Device, Line
from selfcare.topups.models import Topup
from selfcare.usage.models import Category, MonthlyUsage

logger = logging.getLogger(__name__)

# Lines that pay a monthly fee: every plan but prepaid (whose traffic is paid from the credit).
BILLED_OFFERS = (Offer.Kind.POSTPAID, Offer.Kind.DATA_ONLY, Offer.Kind.FIXED)
USAGE_LABELS = {
    Category.VOICE: "Traffico voce",
    Category.SMS: "SMS",
    Category.MMS: "MMS",
    Category.DATA: "Traffico dati",
    Category.OPTION: "Servizi e opzioni a consumo",
    Category.OTHER: "Altro traffico",
}


def month_bounds(period: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last day of the month of `period`."""
    start = period.replace(day=1)
    following = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def parse_period(text: str) -> datetime.date:
    """A month written YYYY-MM, as its first day; a clear error otherwise."""
    try:
        return datetime.datetime.strptime(text.strip(), "%Y-%m").date()  # noqa: DTZ007 (a calendar month)
    except ValueError:
        raise ApplicationError(_("Write the month as YYYY-MM, e.g. 2026-10."), field="period") from None


@dataclass
class CompanyMonth:
    """What one company is charged for one month, gathered before anything is written."""

    services: list[Charge] = field(default_factory=list)
    devices: list[Charge] = field(default_factory=list)


def _rome_range(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants a range of Rome calendar days begins and ends (end exclusive)."""
    tz = timezone.get_default_timezone()
    begin = datetime.datetime.combine(start, datetime.time(), tzinfo=tz)
    finish = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(), tzinfo=tz)
    return begin, finish


def _gather(company_ids: list[int], start: datetime.date, end: datetime.date) -> dict[int, CompanyMonth]:
    """Every charge of the month for these companies, in a fixed number of queries."""
    months: dict[int, CompanyMonth] = defaultdict(CompanyMonth)
    begin, finish = _rome_range(start, end)

    lines = {
        line.pk: line
        for line in Line.objects.filter(company_id__in=company_ids)
        .exclude(status__in=[Line.Status.CEASED, Line.Status.ACTIVATING])
        .filter(activated_on__isnull=False, activated_on__lte=end)
        .select_related("offer")
        .only("company_id", "number", "cost_centre_id", "offer__code", "offer__name", "offer__kind",
              "offer__monthly_fee")
        .order_by("company_id", "number")
    }  # fmt: skip
    billed = {pk: line for pk, line in lines.items() if line.offer.kind in BILLED_OFFERS}

    promotions = list(
        Promotion.objects.filter(valid_from__lte=end, valid_until__gte=start, monthly_discount__gt=0)
        .prefetch_related("offers", "companies")
        .order_by("pk")
    )
    promo_rules = [
        (promo, {o.code for o in promo.offers.all()}, {c.pk for c in promo.companies.all()}) for promo in promotions
    ]

    def charge(line, kind, description, unit_price, quantity=Decimal(1)):
        return Charge(kind=kind, description=description, unit_price=Decimal(unit_price), quantity=quantity,
                      line_id=line.pk, cost_centre_id=line.cost_centre_id)  # fmt: skip

    for line in billed.values():
        services = months[line.company_id].services
        services.append(charge(line, InvoiceLine.Kind.RECURRING, f"Canone {line.offer.name} {line.number}",
                               line.offer.monthly_fee))  # fmt: skip
        for promo, offer_codes, dedicated in promo_rules:
            if line.offer.code in offer_codes and (not dedicated or line.company_id in dedicated):
                discount = min(promo.monthly_discount, line.offer.monthly_fee)
                services.append(charge(line, InvoiceLine.Kind.DISCOUNT, f"Sconto {promo.name} {line.number}",
                                       -discount))  # fmt: skip

    # Monthly options renew and are charged every month they were active; one-off and by-days
    # options are charged in the month they were activated.
    options = (
        ActiveOption.objects.filter(line_id__in=billed.keys(), activated_at__lt=finish)
        .filter(
            Q(option__duration=Option.Duration.MONTHLY, status=ActiveOption.Status.ACTIVE)
            | Q(option__duration=Option.Duration.MONTHLY, expires_at__gte=begin)
            | (~Q(option__duration=Option.Duration.MONTHLY) & Q(activated_at__gte=begin))
        )
        .select_related("option")
        .only("line_id", "option__name", "option__price")
        .order_by("line_id", "option__name")
    )
    for active in options:
        line = billed[active.line_id]
        if active.option.price > 0:
            months[line.company_id].services.append(
                charge(line, InvoiceLine.Kind.OPTION, f"{active.option.name} {line.number}", active.option.price)
            )

    usage = (
        MonthlyUsage.objects.filter(line_id__in=billed.keys(), month=start, cost__gt=0)
        .values_list("line_id", "category", "cost")
        .order_by("line_id", "category")
    )
    for line_id, category, cost in usage:
        amount = quantize_money(cost)
        if amount > 0:
            line = billed[line_id]
            label = USAGE_LABELS.get(category, "Traffico")
            months[line.company_id].services.append(
                charge(line, InvoiceLine.Kind.USAGE, f"{label} {line.number}", amount)
            )

    # Top-ups of prepaid lines that the company chose to pay with its invoice.
    topups = (
        Topup.objects.filter(
            line__company_id__in=company_ids,
            channel=Topup.Channel.INVOICE,
            status=Topup.Status.DONE,
            created_at__gte=begin,
            created_at__lt=finish,
        )
        .select_related("line")
        .only("amount", "line__company_id", "line__number", "line__cost_centre_id")
        .order_by("created_at", "pk")
    )
    for topup in topups:
        line = topup.line
        months[line.company_id].services.append(
            charge(line, InvoiceLine.Kind.ONE_OFF, f"Ricarica {topup.amount} € su {line.number}", topup.amount)
        )

    devices = (
        Device.objects.filter(company_id__in=company_ids, instalments_total__gt=0, purchased_on__lte=end)
        .select_related("line")
        .only("company_id", "model", "device_id", "purchased_on", "instalments_total", "instalment_amount",
              "line__cost_centre_id")
        .order_by("company_id", "purchased_on", "pk")
    )  # fmt: skip
    for device in devices:
        # The first instalment falls in the month of purchase.
        k = (start.year - device.purchased_on.year) * 12 + start.month - device.purchased_on.month + 1
        if 1 <= k <= device.instalments_total and device.instalment_amount > 0:
            months[device.company_id].devices.append(
                Charge(
                    kind=InvoiceLine.Kind.INSTALMENT,
                    description=f"Rata {k}/{device.instalments_total} {device.model} ({device.device_id})",
                    unit_price=device.instalment_amount,
                    line_id=device.line.pk if device.line else None,
                    cost_centre_id=device.line.cost_centre_id if device.line else None,
                )
            )
    return months


def billing_run(*, period: datetime.date, today: datetime.date | None = None) -> BillingRun:
    """Invoice the month of `period` for every postpaid company; idempotent.

    A month is billed once it is over. Each company is invoiced in its own transaction, so one
    company's failure (logged on the run) leaves the others' invoices in place, and a rerun
    completes the missing ones. The e-invoices and the PDF copies are made by jobs queued after each
    commit.
    """
    from selfcare.billing.tasks import generate_einvoice, render_invoice_pdf

    start, end = month_bounds(period)
    today = today or timezone.localdate()
    if end >= today:
        raise ApplicationError(_("%(month)s is not over yet: it can be billed from the 1st of the next month.")
                               % {"month": start.strftime("%m/%Y")}, field="period")  # fmt: skip
    issued_on = end + datetime.timedelta(days=1)
    due_on = month_bounds(issued_on)[1]

    run = BillingRun.objects.create(period=start)
    already = set(Invoice.objects.filter(billing_period=start).values_list("company_id", "kind").order_by())
    company_ids = list(
        Company.objects.filter(lines__offer__kind__in=BILLED_OFFERS)
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    created = billed = 0
    errors = []
    # Companies are gathered in chunks: memory stays bounded for an operator with many customers.
    for chunk_start in range(0, len(company_ids), 200):
        chunk = company_ids[chunk_start : chunk_start + 200]
        months = _gather(chunk, start, end)
        for company_id in chunk:
            month = months.get(company_id)
            if month is None:
                continue
            try:
                with transaction.atomic():
                    new = []
                    for kind, charges in (
                        (Invoice.Kind.SERVICES, month.services),
                        (Invoice.Kind.DEVICES, month.devices),
                    ):
                        if charges and (company_id, kind) not in already:
                            new.append(
                                invoice_issue(company_id=company_id, kind=kind, charges=charges, issued_on=issued_on,
                                              due_on=due_on, period_start=start, period_end=end, billing_period=start)
                            )  # fmt: skip
                    for invoice in new:
                        transaction.on_commit(lambda pk=invoice.pk: (generate_einvoice(pk), render_invoice_pdf(pk)))
            except (IntegrityError, ValueError) as exc:
                # IntegrityError: a concurrent run invoiced this company first. ValueError: discounts
                # larger than the charges. Either way nothing of this company was written.
                logger.warning("billing run %s: company %s not invoiced: %s", start, company_id, exc)
                errors.append(f"{company_id}: {exc}")
                continue
            created += len(new)
            billed += bool(new)
    run.status = BillingRun.Status.DONE
    run.finished_at = timezone.now()
    run.companies = billed
    run.invoices_created = created
    run.error = "\n".join(errors)[:10_000]
    run.save()
    return run

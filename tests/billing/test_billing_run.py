"""The monthly billing run: what it charges, its totals, its numbering and its idempotency."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from selfcare.billing.models import BillingRun, Invoice, InvoiceLine
from selfcare.billing.services.billing_run import billing_run, parse_period
from selfcare.billing.services.invoices import Charge, invoice_totals
from selfcare.catalog.models import Offer, Option, Promotion
from selfcare.core.errors import ApplicationError
from selfcare.core.money import quantize_money
from selfcare.lines.models import ActiveOption, Device
from selfcare.topups.models import Topup
from selfcare.usage.models import MonthlyUsage
from tests.factories import CompanyFactory, CostCentreFactory, LineFactory, OfferFactory

OCTOBER = datetime.date(2026, 10, 1)
TODAY = datetime.date(2026, 11, 5)


def rome(day: datetime.date, hour: int = 12) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture
def postpaid_company(db):
    """A company with two postpaid lines, a prepaid one, options, usage, a top-up on invoice and a device."""
    company = CompanyFactory(name="Fatturata S.r.l.")
    centre = CostCentreFactory(company=company, code="VEN", name="Vendite")
    offer = OfferFactory(code="biz-20", name="Business 20", monthly_fee=Decimal("20.00"))
    prepaid = OfferFactory(code="ricaricabile", name="Ricaricabile", kind=Offer.Kind.PREPAID,
                           monthly_fee=Decimal("0"))  # fmt: skip
    first = LineFactory(company=company, offer=offer, cost_centre=centre, activated_on=datetime.date(2025, 1, 1))
    second = LineFactory(company=company, offer=offer, activated_on=datetime.date(2026, 9, 15))
    card = LineFactory(company=company, offer=prepaid, activated_on=datetime.date(2025, 1, 1))
    # Activated after the month: not billed for October.
    LineFactory(company=company, offer=offer, activated_on=datetime.date(2026, 11, 2))
    monthly = Option.objects.create(code="giga-50", name="Giga 50", price=Decimal("4.99"), duration="monthly")
    one_off = Option.objects.create(code="roaming-week", name="Roaming Week", price=Decimal("7.50"),
                                    duration="days", duration_days=7)  # fmt: skip
    ActiveOption.objects.create(line=first, option=monthly, activated_at=rome(datetime.date(2026, 3, 1)))
    ActiveOption.objects.create(line=second, option=one_off, activated_at=rome(datetime.date(2026, 10, 20)),
                                expires_at=rome(datetime.date(2026, 10, 27)), status="expired")  # fmt: skip
    # A by-days option of September is not charged again in October.
    ActiveOption.objects.create(line=first, option=one_off, activated_at=rome(datetime.date(2026, 9, 20)),
                                expires_at=rome(datetime.date(2026, 9, 27)), status="expired")  # fmt: skip
    MonthlyUsage.objects.create(line=first, month=OCTOBER, category="voice", count=3, cost=Decimal("1.2345"))
    MonthlyUsage.objects.create(line=first, month=datetime.date(2026, 9, 1), category="voice", cost=Decimal("9"))
    # The prepaid line's traffic is paid from its credit, never invoiced.
    MonthlyUsage.objects.create(line=card, month=OCTOBER, category="data", cost=Decimal("3"))
    Topup.objects.create(line=card, amount=Decimal("10"), channel="invoice", method="invoice",
                         created_at=rome(datetime.date(2026, 10, 31), 23))  # fmt: skip
    Topup.objects.create(line=card, amount=Decimal("25"), channel="online", method="card",
                         created_at=rome(datetime.date(2026, 10, 10)))  # fmt: skip
    # 31 October 23:30 UTC is already November in Rome.
    Topup.objects.create(line=card, amount=Decimal("5"), channel="invoice", method="invoice",
                         created_at=datetime.datetime(2026, 10, 31, 23, 30, tzinfo=datetime.UTC))  # fmt: skip
    Device.objects.create(company=company, line=first, kind="router", model="Router 5G", device_id="SN-0001",
                          account_name="Sede", purchased_on=datetime.date(2026, 8, 10), instalments_total=24,
                          instalment_amount=Decimal("9.90"))  # fmt: skip
    promo = Promotion.objects.create(
        code="autunno", name="Autunno", monthly_discount=Decimal("5"),
        valid_from=datetime.date(2026, 9, 1), valid_until=datetime.date(2026, 12, 31),
    )  # fmt: skip
    promo.offers.add(offer)
    return company


def services_of(company):
    return Invoice.objects.get(company=company, kind=Invoice.Kind.SERVICES, billing_period=OCTOBER)


@pytest.mark.django_db
def test_the_run_charges_fees_options_usage_topups_and_discounts(postpaid_company):
    run = billing_run(period=OCTOBER, today=TODAY)
    assert run.status == BillingRun.Status.DONE and run.invoices_created == 2 and run.companies == 1
    invoice = services_of(postpaid_company)
    charges = sorted((row.kind, row.description, row.amount) for row in invoice.lines.all())
    numbers = sorted(invoice.company.lines.filter(offer__code="biz-20", activated_on__lt=TODAY).values_list(
        "number", flat=True))  # fmt: skip
    card = invoice.company.lines.get(offer__code="ricaricabile").number
    assert charges == sorted([
        ("recurring", f"Canone Business 20 {numbers[0]}", Decimal("20.00")),
        ("recurring", f"Canone Business 20 {numbers[1]}", Decimal("20.00")),
        ("discount", f"Sconto Autunno {numbers[0]}", Decimal("-5.00")),
        ("discount", f"Sconto Autunno {numbers[1]}", Decimal("-5.00")),
        ("option", f"Giga 50 {numbers[0]}", Decimal("4.99")),
        ("option", f"Roaming Week {numbers[1]}", Decimal("7.50")),
        ("usage", f"Traffico voce {numbers[0]}", Decimal("1.23")),
        ("one_off", f"Ricarica 10.00 € su {card}", Decimal("10.00")),
    ])  # fmt: skip
    assert invoice.taxable_amount == Decimal("53.72")
    assert invoice.vat_amount == Decimal("11.82")  # 22% of 53.72 = 11.8184
    assert invoice.total_amount == Decimal("65.54")
    assert (invoice.issued_on, invoice.due_on) == (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    assert (invoice.period_start, invoice.period_end) == (OCTOBER, datetime.date(2026, 10, 31))
    # The charge keeps the cost centre the line had when billed.
    assert invoice.lines.filter(cost_centre__code="VEN").count() == 4


@pytest.mark.django_db
def test_device_instalments_are_a_separate_document(postpaid_company):
    billing_run(period=OCTOBER, today=TODAY)
    devices = Invoice.objects.get(company=postpaid_company, kind=Invoice.Kind.DEVICES)
    (row,) = devices.lines.all()
    assert (row.kind, row.description, row.amount) == ("instalment", "Rata 3/24 Router 5G (SN-0001)", Decimal("9.90"))
    assert devices.total_amount == Decimal("12.08")
    assert not services_of(postpaid_company).lines.filter(kind=InvoiceLine.Kind.INSTALMENT).exists()


@pytest.mark.django_db
def test_running_twice_creates_nothing_new(postpaid_company):
    billing_run(period=OCTOBER, today=TODAY)
    before = list(Invoice.objects.order_by("pk").values_list("pk", "number", "total_amount"))
    lines = InvoiceLine.objects.count()
    again = billing_run(period=OCTOBER, today=TODAY)
    assert again.invoices_created == 0 and again.companies == 0
    assert list(Invoice.objects.order_by("pk").values_list("pk", "number", "total_amount")) == before
    assert InvoiceLine.objects.count() == lines


@pytest.mark.django_db
def test_numbers_have_no_gaps_across_companies_and_runs(postpaid_company):
    other = CompanyFactory(name="Seconda S.p.A.")
    LineFactory(company=other, offer=OfferFactory(code="biz-20"), activated_on=datetime.date(2025, 5, 1))
    billing_run(period=datetime.date(2026, 9, 1), today=TODAY)
    billing_run(period=OCTOBER, today=TODAY)
    sequences = list(Invoice.objects.filter(year=2026).order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, len(sequences) + 1)) and len(sequences) == 6
    assert Invoice.objects.get(sequence=1).number == "2026/000001"


@pytest.mark.django_db
def test_a_month_not_over_is_refused_and_nothing_is_written(postpaid_company):
    with pytest.raises(ApplicationError, match="not over yet"):
        billing_run(period=datetime.date(2026, 11, 1), today=TODAY)
    assert not Invoice.objects.exists() and not BillingRun.objects.exists()


@pytest.mark.parametrize("text", ["2026-13", "10/2026", "", "2026-1x"])
def test_a_bad_period_is_a_clear_error(text):
    with pytest.raises(ApplicationError, match="YYYY-MM"):
        parse_period(text)


@pytest.mark.django_db
def test_the_command(postpaid_company, capsys):
    call_command("billing_run", "--period", "2026-10")
    assert "2 invoices created for 1 companies" in capsys.readouterr().out
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("billing_run", "--period", "ottobre")


@pytest.mark.django_db
def test_companies_with_prepaid_lines_only_get_no_invoice(db):
    company = CompanyFactory()
    LineFactory(company=company, offer=OfferFactory(code="ric", kind=Offer.Kind.PREPAID, monthly_fee=Decimal(0)))
    assert billing_run(period=OCTOBER, today=TODAY).invoices_created == 0
    assert not Invoice.objects.filter(company=company).exists()


money = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999.99"), places=2)
unit_prices = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal("99.99999999"), places=8)
rates = st.sampled_from([Decimal("22"), Decimal("10"), Decimal("4"), Decimal("0")])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(unit_prices, st.integers(min_value=1, max_value=50), rates), min_size=1, max_size=30))
def test_totals_equal_a_recomputation(rows):
    """Line amounts are rounded to the cent; VAT is computed per rate on the rate's taxable sum."""
    charges = [Charge(kind="usage", description="x", unit_price=p, quantity=Decimal(q), vat_rate=r) for p, q, r in rows]
    taxable, vat, total = invoice_totals(charges)
    by_rate: dict = {}
    for p, q, r in rows:
        by_rate[r] = by_rate.get(r, Decimal(0)) + quantize_money(p * q)
    expected_vat = sum((quantize_money(base * r / 100) for r, base in by_rate.items()), Decimal(0))
    assert taxable == sum(by_rate.values(), Decimal(0))
    assert vat == expected_vat
    assert total == taxable + vat
    assert all(x == x.quantize(Decimal("0.01")) for x in (taxable, vat, total))


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fee=money, option_price=money)
def test_stored_invoice_totals_equal_its_lines(postpaid_company, fee, option_price):
    """Whatever the fees, the stored invoice adds up: its totals are its lines' sum and 22% VAT on it."""
    Invoice.objects.all().delete()
    Offer.objects.filter(code="biz-20").update(monthly_fee=fee)
    Option.objects.filter(code="giga-50").update(price=option_price)
    billing_run(period=OCTOBER, today=TODAY)
    invoice = services_of(postpaid_company)
    amounts = list(invoice.lines.values_list("amount", flat=True))
    assert sorted(invoice.lines.filter(kind="recurring").values_list("amount", flat=True)) == [fee, fee]
    assert set(invoice.lines.filter(kind="discount").values_list("amount", flat=True)) == {-min(fee, Decimal(5))}
    assert invoice.taxable_amount == sum(amounts, Decimal(0))
    assert invoice.vat_amount == quantize_money(invoice.taxable_amount * Decimal("0.22"))
    assert invoice.total_amount == invoice.taxable_amount + invoice.vat_amount


@pytest.mark.django_db
def test_each_new_invoice_gets_its_einvoice_and_pdf_after_commit(postpaid_company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        billing_run(period=OCTOBER, today=TODAY)
    for invoice in Invoice.objects.filter(billing_period=OCTOBER):
        assert invoice.einvoice_xml and invoice.pdf
        assert invoice.sdi_status == Invoice.SdiStatus.NO_RECIPIENT  # the company has neither PEC nor SDI code


def test_discounts_larger_than_a_vat_rate_charges_are_not_an_invoice():
    from selfcare.billing.services.invoices import invoice_issue

    charges = [Charge(kind="recurring", description="a", unit_price=Decimal(10)),
               Charge(kind="recurring", description="b", unit_price=Decimal(10), vat_rate=Decimal(4)),
               Charge(kind="discount", description="c", unit_price=Decimal(-12), vat_rate=Decimal(4))]  # fmt: skip
    with pytest.raises(ValueError, match="VAT rate"):
        invoice_issue(company_id=1, kind="services", charges=charges, issued_on=TODAY, due_on=TODAY,
                      period_start=OCTOBER, period_end=OCTOBER)  # fmt: skip

"""The demo and benchmark world generators: valid identifiers, coherent figures, idempotent runs."""

import datetime
import io
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum
from stdnum.it import codicefiscale, iva

from selfcare.accounts.models import User
from selfcare.billing.models import Invoice, InvoiceSequence
from selfcare.billing.services.billing_run import billing_run
from selfcare.catalog.models import Offer, Option, Promotion, TopupAmount
from selfcare.core import validators
from selfcare.core.money import vat_of
from selfcare.core.permissions import Role
from selfcare.customers.models import Company, Heritage, Segment
from selfcare.demo import bench, world
from selfcare.lines.models import ActiveOption, Counter, Device, Line, Sim
from selfcare.usage.models import DailyUsage, UsageRecord

TINY = ["--large-lines", "30", "--detail-lines", "5", "--days", "7"]
ROME = ZoneInfo("Europe/Rome")


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.fixture(scope="module")
def tiny_world(django_db_setup, django_db_blocker):
    """A small demo world built once for the module, removed at the end with its catalogue."""
    with django_db_blocker.unblock():
        output = run("demo_world", *TINY)
        yield output
        world.delete_demo_world()
        Promotion.objects.all().delete()
        Option.objects.all().delete()
        Offer.objects.all().delete()
        TopupAmount.objects.all().delete()


def demo_companies():
    return Company.objects.filter(vat_number__in=world.DEMO_VAT_NUMBERS.values())


@pytest.mark.django_db
def test_second_run_changes_no_table(tiny_world):
    before = row_counts()
    output = run("demo_world", *TINY)
    assert "already exists" in output
    assert row_counts() == before
    assert before["lines.Line"] > 60 and before["usage.UsageRecord"] > 1000


@pytest.mark.django_db
def test_one_company_per_heritage_with_valid_identifiers(tiny_world):
    companies = {c.heritage: c for c in demo_companies()}
    assert set(companies) == {Heritage.WINDTRE, Heritage.WIND, Heritage.TRE}
    assert companies[Heritage.WIND].segment == Segment.LARGE
    assert companies[Heritage.WIND].lines.count() == 30
    assert companies[Heritage.TRE].tre_customer_code
    for company in companies.values():
        assert iva.is_valid(company.vat_number)
        assert company.fiscal_code == company.vat_number
        assert codicefiscale.is_valid(company.legal_rep_fiscal_code)
        assert codicefiscale.get_birth_date(company.legal_rep_fiscal_code) == company.legal_rep_birth_date
        company.full_clean()  # every field validator of the model, including the phone numbers
    # One company has neither PEC nor recipient code, so the e-invoicing checks have something to flag.
    assert [c for c in companies.values() if not c.pec and not c.sdi_code]


@pytest.mark.django_db
def test_lines_sims_and_devices_pass_the_validators(tiny_world):
    lines = Line.objects.filter(company__in=demo_companies())
    for line in lines:
        validators.clean_phone_number(line.number, mobile=line.kind == Line.Kind.MOBILE)
    sims = Sim.objects.filter(line__in=lines)
    assert sims.filter(status=Sim.Status.ACTIVE).count() == lines.filter(kind=Line.Kind.MOBILE).count()
    for sim in sims:
        validators.validate_iccid(sim.iccid)
        validators.validate_pin(sim.pin)  # read back through the decrypting field
        validators.validate_puk(sim.puk)
    phones = Device.objects.filter(company__in=demo_companies(), kind__in=["smartphone", "tablet"])
    assert phones.exists()
    for device in phones:
        validators.validate_imei(device.device_id)
    assert lines.filter(pool__isnull=False).values("pool").distinct().count() >= 2
    assert lines.filter(status=Line.Status.ACTIVATING, activation__progress__lt=100).exists()
    assert lines.filter(holder__isnull=False, cost_centre__isnull=False).count() > lines.count() / 2


@pytest.mark.django_db
def test_no_line_has_two_exclusive_options_active(tiny_world):
    active = ActiveOption.objects.filter(status="active", line__company__in=demo_companies())
    by_line = defaultdict(set)
    for row in active.select_related("option"):
        assert row.expires_at > row.activated_at
        assert row.option.compatible_offers.filter(pk=row.line.offer_id).exists()
        by_line[row.line_id].add(row.option_id)
    for option_ids in by_line.values():
        for option in Option.objects.filter(pk__in=option_ids):
            assert not option.excludes.filter(pk__in=option_ids).exists()


@pytest.mark.django_db
def test_invoices_add_up_and_are_numbered_without_gaps(tiny_world):
    invoices = Invoice.objects.filter(company__in=demo_companies()).annotate(lines_sum=Sum("lines__amount"))
    for invoice in invoices:
        assert invoice.total_amount == invoice.taxable_amount + invoice.vat_amount
        assert invoice.vat_amount == vat_of(invoice.taxable_amount)
        assert invoice.lines_sum == invoice.taxable_amount
        assert Decimal(0) <= invoice.paid_amount <= invoice.total_amount
    for year in Invoice.objects.values_list("year", flat=True).distinct():
        sequences = sorted(Invoice.objects.filter(year=year).values_list("sequence", flat=True))
        assert sequences == list(range(1, len(sequences) + 1))
    for company in demo_companies():
        services = company.invoices.filter(kind=Invoice.Kind.SERVICES).order_by("-issued_on")
        assert services.count() == 24
        assert services[0].status == Invoice.Status.TO_PAY
        assert services.last().status == Invoice.Status.PAID
    statuses = set(invoices.values_list("status", flat=True))
    assert {Invoice.Status.OVERDUE, Invoice.Status.PARTIALLY_PAID} <= statuses
    # The numbering continues where the world's invoices end.
    for year, last in InvoiceSequence.objects.values_list("year", "last"):
        assert last == Invoice.objects.filter(year=year).count()


@pytest.mark.django_db
def test_the_billing_run_finds_the_worlds_months_billed(tiny_world):
    """The world's monthly invoices carry their month: billing the last one again creates nothing."""
    last = Invoice.objects.filter(company__in=demo_companies()).aggregate(m=Max("billing_period"))["m"]
    assert last is not None
    assert Invoice.objects.filter(company__in=demo_companies(), kind="devices", billing_period=last).exists()
    before = Invoice.objects.count()
    assert billing_run(period=last).invoices_created == 0
    assert Invoice.objects.count() == before


def assert_daily_totals_match_records(lines) -> int:
    """Every (line, Rome day, category) of the records equals its DailyUsage row; return rows checked."""
    sums = defaultdict(lambda: [0, 0, 0, 0, Decimal(0)])
    for line_id, started, category, seconds, volume, zone, cost in UsageRecord.objects.filter(
        line__in=lines
    ).values_list("line_id", "started_at", "category", "duration_seconds", "volume_bytes", "roaming_zone", "cost"):
        total = sums[(line_id, started.astimezone(ROME).date(), category)]
        total[0] += 1
        total[1] += seconds
        total[2] += volume
        total[3] += volume if zone else 0
        total[4] += cost
    daily = {
        (d.line_id, d.day, d.category): [d.count, d.duration_seconds, d.volume_bytes, d.roaming_volume_bytes, d.cost]
        for d in DailyUsage.objects.filter(line_id__in={key[0] for key in sums})
    }
    assert sums and daily == {key: value for key, value in sums.items()}
    return len(daily)


@pytest.mark.django_db
def test_daily_totals_equal_the_records_where_there_is_detail(tiny_world):
    lines = Line.objects.filter(company__in=demo_companies())
    assert assert_daily_totals_match_records(lines) > 100
    # Every line in service has per-day totals, with or without detail.
    in_service = lines.exclude(status=Line.Status.ACTIVATING)
    with_totals = set(DailyUsage.objects.filter(line__in=in_service).values_list("line_id", flat=True))
    assert with_totals == set(in_service.values_list("pk", flat=True))
    large = lines.filter(company__segment=Segment.LARGE)
    assert large.filter(usage_records__isnull=False).distinct().count() == 5
    # Fixed lines only make calls.
    fixed_categories = set(
        DailyUsage.objects.filter(line__in=lines.filter(kind=Line.Kind.FIXED)).values_list("category", flat=True)
    )
    assert fixed_categories == {"voice"}
    assert UsageRecord.objects.filter(line__in=lines, started_at__gt=datetime.datetime.now(datetime.UTC)).count() == 0


@pytest.mark.django_db
def test_counters_cover_each_allowance_of_the_current_period(tiny_world):
    today = datetime.datetime.now(ROME).date()
    lines = Line.objects.filter(company__in=demo_companies()).exclude(status=Line.Status.ACTIVATING)
    plan = Counter.objects.filter(line__in=lines, bucket="plan", period_start=today.replace(day=1))
    expected = sum(line.offer.allowances.count() for line in lines.select_related("offer"))
    assert plan.count() == expected
    assert plan.filter(kind="data_mb", used__gt=0).exists()


@pytest.mark.django_db
def test_demo_users_have_their_roles_and_the_printed_password(tiny_world):
    logins = world.demo_logins()
    assert len(logins) == 4
    roles = {}
    for profile, username, password in logins:
        assert len(password) >= 12
        assert f"{username}" in tiny_world and password in tiny_world
        user = authenticate(username=username, password=password)
        assert user is not None, profile
        roles[user.role] = user
    assert set(roles) == {Role.EMPLOYEE, Role.ADMIN, Role.MANAGER, Role.REFERENT}
    employee = roles[Role.EMPLOYEE]
    assert employee.line.number == "+39" + employee.username
    assert employee.associated_line_ids() and employee.associated_line_ids()[0] != employee.line_id
    assert roles[Role.ADMIN].company.heritage == Heritage.WINDTRE
    assert roles[Role.MANAGER].company.segment == Segment.LARGE
    assert roles[Role.REFERENT].company.heritage == Heritage.TRE
    assert authenticate(username=employee.username, password="wrong-password-123") is None
    assert User.objects.filter(company__in=demo_companies()).count() == 4


@pytest.mark.django_db
def test_logins_flag_only_prints(tiny_world):
    before = row_counts()
    output = run("demo_world", "--logins")
    assert "demomanager" in output and world.DEMO_PASSWORD in output
    assert row_counts() == before


@pytest.mark.django_db
def test_reset_rebuilds_the_same_world(tiny_world):
    before = Line.objects.filter(company__in=demo_companies()).aggregate(n=Count("pk"))["n"]
    old_pks = set(demo_companies().values_list("pk", flat=True))
    numbers = set(Line.objects.filter(company__in=demo_companies()).values_list("number", flat=True))
    run("demo_world", "--reset", *TINY)
    assert not old_pks & set(demo_companies().values_list("pk", flat=True))
    assert Line.objects.filter(company__in=demo_companies()).count() == before
    # Same seed, same world: the same numbers come back.
    assert set(Line.objects.filter(company__in=demo_companies()).values_list("number", flat=True)) == numbers


@pytest.mark.django_db
def test_bench_world_tiny(tiny_world):
    output = run("bench_world", "--lines", "20", "--days", "3")
    assert "rows/s" in output
    company = Company.objects.get(vat_number=bench.BENCH_VAT_NUMBER)
    lines = company.lines.all()
    assert lines.count() == 20
    assert UsageRecord.objects.filter(line__in=lines).count() > 20 * 3 * 10
    assert_daily_totals_match_records(lines)
    before = row_counts()
    assert "already exists" in run("bench_world", "--lines", "20", "--days", "3")
    assert row_counts() == before
    # At least one heavy line: far more data records a day than an ordinary one.
    busiest = (
        UsageRecord.objects.filter(line__in=lines, category="data")
        .values("line_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    assert busiest["n"] >= 280 * 2


@pytest.mark.django_db
def test_invoice_total_constraint_holds_on_floating_point_storage(company):
    # 0.10 + 0.02 is 0.12000000000000001 in binary floating point, how SQLite keeps decimals.
    fields = {
        "company": company, "year": 1999, "issued_on": datetime.date(2026, 1, 1),
        "due_on": datetime.date(2026, 1, 31), "period_start": datetime.date(2025, 12, 1),
        "period_end": datetime.date(2025, 12, 31), "taxable_amount": Decimal("0.10"), "vat_amount": Decimal("0.02"),
    }  # fmt: skip
    Invoice.objects.create(sequence=1, number="T/1", total_amount=Decimal("0.12"), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(sequence=2, number="T/2", total_amount=Decimal("0.13"), **fields)


@pytest.mark.django_db
def test_each_company_has_a_current_payment_method(tiny_world):
    from stdnum import iban

    from selfcare.billing.models import PaymentMethod

    for company in demo_companies():
        method = PaymentMethod.objects.get(company=company, is_current=True)
        if method.kind == PaymentMethod.Kind.DIRECT_DEBIT:
            assert iban.is_valid(method.iban) and method.mandate_reference
        else:
            assert method.status == PaymentMethod.Status.EXPIRED and company.heritage == "TRE"

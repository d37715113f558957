"""Database constraints hold whatever the code above them does."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from selfcare.billing.models import Invoice
from selfcare.core.permissions import Role
from selfcare.lines.models import Counter, Device, Line, Sim
from selfcare.topups.models import Topup
from tests.factories import CompanyFactory, LineFactory, SimFactory, UserFactory, iccid

pytestmark = pytest.mark.django_db


def violates(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()
    return True


def invoice_kwargs(company, **overrides):
    values = dict(
        company=company,
        year=2026,
        sequence=1,
        number="2026/0000001",
        issued_on=datetime.date(2026, 10, 1),
        due_on=datetime.date(2026, 10, 31),
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 9, 30),
        taxable_amount=Decimal("100.00"),
        vat_amount=Decimal("22.00"),
        total_amount=Decimal("122.00"),
    )
    values.update(overrides)
    return values


def test_line_number_is_unique_across_companies():
    line = LineFactory()
    assert violates(lambda: LineFactory(number=line.number))


def test_line_number_must_be_e164():
    assert violates(lambda: LineFactory(number="3471234567"))


def test_mobile_line_number_starts_with_3():
    assert violates(lambda: LineFactory(number="+390212345678", kind=Line.Kind.MOBILE))
    LineFactory(number="+390212345678", kind=Line.Kind.FIXED)


def test_iccid_is_unique_and_one_active_sim_per_line():
    sim = SimFactory()
    assert violates(lambda: SimFactory(iccid=sim.iccid))
    assert violates(lambda: SimFactory(line=sim.line))
    SimFactory(line=sim.line, status=Sim.Status.REPLACED)


def test_pin_and_puk_are_encrypted_at_rest():
    sim = SimFactory(pin="4321", puk="87654321")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pin, puk FROM lines_sim WHERE id = %s", [sim.pk])
        raw_pin, raw_puk = cursor.fetchone()
    assert "4321" not in raw_pin and "87654321" not in raw_puk
    assert raw_pin.startswith("gAAAA")  # a Fernet token
    fresh = Sim.objects.get(pk=sim.pk)
    assert (fresh.pin, fresh.puk) == ("4321", "87654321")


def test_invoice_sequence_unique_per_year_but_not_across_years(company):
    Invoice.objects.create(**invoice_kwargs(company))
    assert violates(lambda: Invoice.objects.create(**invoice_kwargs(company, number="2026/dup")))
    Invoice.objects.create(**invoice_kwargs(company, year=2025, number="2025/0000001"))


def test_invoice_money_constraints(company):
    assert violates(
        lambda: Invoice.objects.create(
            **invoice_kwargs(company, taxable_amount=Decimal("-1"), vat_amount=0, total_amount=Decimal("-1"))
        )
    )
    assert violates(lambda: Invoice.objects.create(**invoice_kwargs(company, total_amount=Decimal("999.00"))))
    assert violates(lambda: Invoice.objects.create(**invoice_kwargs(company, paid_amount=Decimal("122.01"))))


def test_topup_must_be_positive():
    line = LineFactory()
    kwargs = dict(line=line, channel="online", method="card", created_at=datetime.datetime.now(datetime.UTC))
    assert violates(lambda: Topup.objects.create(amount=Decimal("0"), **kwargs))
    Topup.objects.create(amount=Decimal("10"), **kwargs)


def test_prepaid_credit_cannot_go_negative():
    line = LineFactory(credit=Decimal("5.00"))
    assert violates(lambda: Line.objects.filter(pk=line.pk).update(credit=Decimal("-0.01")))


def test_company_vat_and_sdi_format():
    assert violates(lambda: CompanyFactory(vat_number="1234"))
    assert violates(lambda: CompanyFactory(sdi_code="abc"))
    CompanyFactory(sdi_code="ABC1234")


def test_tre_company_needs_customer_code():
    assert violates(lambda: CompanyFactory(heritage="TRE"))
    CompanyFactory(heritage="TRE", tre_customer_code="C1234567")


def test_one_user_admin_per_company(company):
    UserFactory(company=company, role=Role.ADMIN)
    assert violates(lambda: UserFactory(company=company, role=Role.ADMIN))
    UserFactory(company=company, role=Role.MANAGER)


def test_employee_needs_a_line_and_one_account_per_line(company):
    assert violates(lambda: UserFactory(company=company, role=Role.EMPLOYEE, line=None))
    line = LineFactory(company=company)
    UserFactory(company=company, role=Role.EMPLOYEE, line=line)
    assert violates(lambda: UserFactory(company=company, role=Role.EMPLOYEE, line=line))


def test_counter_period_and_uniqueness():
    line = LineFactory()
    start = datetime.date(2026, 11, 1)
    Counter.objects.create(line=line, kind="data_mb", period_start=start, period_end=datetime.date(2026, 12, 1))
    assert violates(
        lambda: Counter.objects.create(
            line=line, kind="data_mb", period_start=start, period_end=datetime.date(2026, 12, 1)
        )
    )
    assert violates(lambda: Counter.objects.create(line=line, kind="sms", period_start=start, period_end=start))


def test_device_imei_and_instalments(company):
    base = dict(company=company, model="Phone X", account_name="Acme", purchased_on=datetime.date(2026, 1, 1))
    assert violates(lambda: Device.objects.create(kind="smartphone", device_id="SN-1", **base))
    assert violates(
        lambda: Device.objects.create(
            kind="router", device_id="SN-2", instalments_total=12, instalments_paid=13, **base
        )
    )
    Device.objects.create(kind="router", device_id="SN-3", **base)


def test_model_validation_gives_field_messages():
    """full_clean() reports bad identifiers on the field, with the validator's message."""
    from django.core.exceptions import ValidationError

    sim = Sim(line=LineFactory(), iccid=iccid(7)[:-1] + "0", pin="12", puk="1")
    with pytest.raises(ValidationError) as exc:
        sim.full_clean()
    assert set(exc.value.message_dict) >= {"pin", "puk"}
    device = Device(
        company=CompanyFactory(),
        kind="smartphone",
        model="X",
        device_id="352099001761482",
        account_name="A",
        purchased_on=datetime.date(2026, 1, 1),
    )
    with pytest.raises(ValidationError) as exc:
        device.full_clean()
    assert "device_id" in exc.value.message_dict

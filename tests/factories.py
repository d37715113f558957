"""Factories for tests: valid identifiers by construction (check digits from python-stdnum)."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from stdnum import luhn
from stdnum.it import codicefiscale

from selfcare.accounts.models import User
from selfcare.catalog.models import Offer
from selfcare.core.permissions import Role
from selfcare.customers.models import Company, CostCentre, Heritage, Segment, Site
from selfcare.lines.models import Line, Sim


def vat_number(n: int) -> str:
    # Seven-digit serial, then the tax office code (015 = Milano), then the Luhn check digit.
    body = f"{n % 10_000_000:07d}015"
    return body + luhn.calc_check_digit(body)


def person_fiscal_code(n: int) -> str:
    # Surname, name, birth 1980-01-01 male, born in Rome (H501), then the check letter.
    body = f"RSSMRA80A01H{n % 1000:03d}"
    return body + codicefiscale.calc_check_digit(body)


def imei(n: int) -> str:
    # Type allocation code prefix 35, a serial, then the Luhn check digit.
    body = f"35{n:012d}"
    return body + luhn.calc_check_digit(body)


def iccid(n: int) -> str:
    body = f"893988{n:012d}"
    return body + luhn.calc_check_digit(body)


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Azienda {n} S.r.l.")
    vat_number = factory.Sequence(lambda n: vat_number(1000 + n))
    fiscal_code = factory.SelfAttribute("vat_number")
    heritage = Heritage.WINDTRE
    segment = Segment.PMI
    address = "Via Roma 1"
    city = "Milano"
    postcode = "20121"
    province = "MI"
    legal_rep_first_name = "Mario"
    legal_rep_last_name = "Rossi"
    legal_rep_birth_date = datetime.date(1980, 1, 1)
    legal_rep_fiscal_code = factory.Sequence(lambda n: person_fiscal_code(n))
    legal_rep_email = factory.Sequence(lambda n: f"legale{n}@example.it")
    legal_rep_mobile = factory.Sequence(lambda n: f"+39347{n:07d}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Sede {n}")
    address = "Via Roma 1"
    city = "Milano"
    postcode = "20100"
    province = "MI"


class CostCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostCentre

    company = factory.SubFactory(CompanyFactory)
    code = factory.Sequence(lambda n: f"CC{n:03d}")
    name = factory.Sequence(lambda n: f"Reparto {n}")


class OfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offer
        django_get_or_create = ("code",)

    code = "business-100"
    name = "Business 100"
    kind = Offer.Kind.POSTPAID
    monthly_fee = Decimal("15.00")


class LineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Line

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: f"+39340{n:07d}")
    kind = Line.Kind.MOBILE
    offer = factory.SubFactory(OfferFactory)
    activated_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=400))


class SimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sim

    line = factory.SubFactory(LineFactory)
    iccid = factory.Sequence(iccid)
    pin = "1234"
    puk = "12345678"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.MANAGER
    company = factory.SubFactory(CompanyFactory)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class EmployeeFactory(UserFactory):
    role = Role.EMPLOYEE
    line = factory.SubFactory(LineFactory, company=factory.SelfAttribute("..company"))
    username = factory.LazyAttribute(lambda u: u.line.number.removeprefix("+39"))


def fleet(company, size: int, *, first: int = 0, kind: str = Line.Kind.MOBILE, offer=None, holders: bool = True):
    """`size` lines of `company` written in bulk, each with a holder, a SIM and this period's counters
    (data at a different share of its allowance per line) and one active option: for list and query tests."""
    from selfcare.catalog.models import Option
    from selfcare.customers.models import Holder
    from selfcare.lines.models import ActiveOption, Counter

    offer = offer or OfferFactory()
    option, _ = Option.objects.get_or_create(
        code="giga-extra", defaults={"name": "Giga Extra", "price": Decimal("5.00"), "duration": "monthly"}
    )
    today = timezone.localdate()
    start, end = today.replace(day=1), today.replace(day=1) + datetime.timedelta(days=32)
    prefix = "+39348" if kind == Line.Kind.MOBILE else "+3902"
    people = []
    if holders:
        people = Holder.objects.bulk_create(
            Holder(company=company, first_name=f"Nome{first + i}", last_name=f"Cognome{first + i:05d}")
            for i in range(size)
        )
    lines = Line.objects.bulk_create(
        Line(
            company=company,
            # Two digits of the company: numbers stay within E.164's length however many companies
            # earlier tests made (PostgreSQL does not reset its id sequences between tests).
            number=f"{prefix}{company.pk % 100:02d}{first + i:05d}",
            kind=kind,
            offer=offer,
            holder=people[i] if people else None,
            activated_on=today - datetime.timedelta(days=100),
        )
        for i in range(size)
    )
    Sim.objects.bulk_create(
        Sim(line=line, iccid=iccid(company.pk * 100_000 + first + i), pin="1234", puk="12345678")
        for i, line in enumerate(lines)
    )
    Counter.objects.bulk_create(
        Counter(line=line, kind=k, period_start=start, period_end=end.replace(day=1), used=used, allowance=allowance)
        for i, line in enumerate(lines)
        for k, used, allowance in (("data_mb", (first + i) * 37 % 100 * 100, 10_000), ("voice_min", 10, None))
    )
    now = timezone.now()
    ActiveOption.objects.bulk_create(
        ActiveOption(line=line, option=option, activated_at=now - datetime.timedelta(days=3),
                     expires_at=now + datetime.timedelta(days=i % 20 + 1))
        for i, line in enumerate(lines)
    )  # fmt: skip
    return lines


def issue_invoice(
    company,
    *,
    amounts=(Decimal("25.00"), Decimal("4.99")),
    line=None,
    kind: str = "services",
    issued_on: datetime.date | None = None,
    status: str = "to_pay",
    billing_period: datetime.date | None = None,
):
    """An invoice of `company` issued through the billing service (numbered, totals computed), one
    recurring charge per amount, on `line` when given; its status set as asked (unpaid by default)."""
    from selfcare.billing.models import Invoice, InvoiceLine
    from selfcare.billing.services.invoices import Charge, invoice_issue

    issued_on = issued_on or timezone.localdate().replace(day=1)
    period_end = issued_on - datetime.timedelta(days=1)
    charges = [
        Charge(
            kind=InvoiceLine.Kind.RECURRING,
            description=f"Canone {n + 1}",
            unit_price=Decimal(amount),
            line_id=line.pk if line else None,
            cost_centre_id=line.cost_centre_id if line else None,
        )
        for n, amount in enumerate(amounts)
    ]
    invoice = invoice_issue(
        company_id=company.pk,
        kind=kind,
        charges=charges,
        issued_on=issued_on,
        due_on=issued_on + datetime.timedelta(days=30),
        period_start=period_end.replace(day=1),
        period_end=period_end,
        billing_period=billing_period,
    )
    if status != Invoice.Status.TO_PAY:
        invoice.status = status
        if status == Invoice.Status.PAID:
            invoice.paid_amount = invoice.total_amount
            invoice.paid_at = timezone.now()
        invoice.save()
    return invoice

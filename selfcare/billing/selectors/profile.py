"""Reads of the company's billing profile (SPEC F-BIL-3, F-BIL-5) and the name of the Conto area.

The profile belongs to the company: only its managers read it (`scope.company_rows`); for anybody
else it is a 404. A direct debit's IBAN leaves here masked: no page or API answer shows it whole.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from stdnum import iban as stdnum_iban

from selfcare.billing.models import PaymentMethod
from selfcare.core.scope import Scope
from selfcare.customers.models import Company, Heritage

# The recipient code meaning "no channel of its own: deliver to the PEC address".
SDI_CODE_USE_PEC = "0000000"


def conto_title(company: Company | Scope) -> str:
    """The name of the account area: "Conto 3" for a TRE heritage company, the name its users know from
    the TRE portal (SPEC F-TRE-1); "Account" ("Conto") for the others.

    Given a request's Scope, the company's heritage is read with one query.
    """
    if isinstance(company, Scope):
        heritage = Company.objects.filter(pk=company.company_id).values_list("heritage", flat=True).first()
    else:
        heritage = company.heritage
    if heritage == Heritage.TRE:
        # Translators: the TRE heritage name of the account area; a proper name, normally kept as it is.
        return pgettext("TRE account area", "Conto 3")
    return _("Account")


@dataclass(frozen=True)
class BillingProfile:
    """Where the company's e-invoices go (SPEC F-BIL-3) and whether they come with the call detail (F-BIL-1)."""

    company_id: int
    company_name: str
    conto_title: str
    pec: str
    sdi_code: str
    call_detail_enabled: bool

    @property
    def delivers_to_pec(self) -> bool:
        """SDI sends the e-invoices to the PEC address (code 0000000, or no code at all)."""
        return bool(self.pec) and self.sdi_code in ("", SDI_CODE_USE_PEC)

    @property
    def deliverable(self) -> bool:
        """False when SDI has nowhere to deliver: no recipient code of its own and no PEC address."""
        return bool(self.pec) or self.sdi_code not in ("", SDI_CODE_USE_PEC)


def billing_profile_get(*, scope: Scope) -> BillingProfile:
    """The billing profile of the scope's company (managers only; 404 for anybody else). One query."""
    if not scope.is_manager:
        raise Http404
    fields = ("name", "heritage", "pec", "sdi_code", "call_detail_enabled")
    company = Company.objects.filter(pk=scope.company_id).only(*fields).first()
    if company is None:
        raise Http404
    return BillingProfile(
        company_id=company.pk,
        company_name=company.name,
        conto_title=conto_title(company),
        pec=company.pec,
        sdi_code=company.sdi_code,
        call_detail_enabled=company.call_detail_enabled,
    )


def mask_iban(iban: str) -> str:
    """An IBAN to show: country, check digits and the first bank characters, then the last four only,
    e.g. IT60 X054 **** **** 3456."""
    compact = stdnum_iban.compact(iban or "")
    if not compact:
        return ""
    if len(compact) < 12:
        return "**** " + compact[-2:]
    return f"{compact[:4]} {compact[4:8]} **** **** {compact[-4:]}"


def payment_method_label(method: PaymentMethod) -> str:
    """A payment method in a few words, without anything secret: what notifications and lists show."""
    if method.kind == PaymentMethod.Kind.DIRECT_DEBIT:
        return _("Bank direct debit from %(iban)s") % {"iban": mask_iban(method.iban)}
    if method.kind == PaymentMethod.Kind.CARD:
        return _("Card %(brand)s ending in %(last4)s") % {"brand": method.card_brand, "last4": method.card_last4}
    return str(method.get_kind_display())


@dataclass(frozen=True)
class PaymentMethodSummary:
    """What pages and the API show of a payment method: the IBAN masked, a card by brand and last digits."""

    id: int
    kind: str
    kind_label: str
    label: str
    status: str
    status_label: str
    status_reason: str
    status_changed_at: datetime.datetime | None
    created_at: datetime.datetime
    iban_masked: str = ""
    account_holder: str = ""
    mandate_reference: str = ""
    mandate_signed_on: datetime.date | None = None
    card_brand: str = ""
    card_last4: str = ""
    card_exp_month: int | None = None
    card_exp_year: int | None = None

    @property
    def is_valid(self) -> bool:
        return self.status == PaymentMethod.Status.VALID

    @property
    def card_expiry(self) -> str:
        if not (self.card_exp_month and self.card_exp_year):
            return ""
        return f"{self.card_exp_month:02d}/{self.card_exp_year}"


def payment_method_summary(method: PaymentMethod) -> PaymentMethodSummary:
    return PaymentMethodSummary(
        id=method.pk,
        kind=method.kind,
        kind_label=str(method.get_kind_display()),
        label=payment_method_label(method),
        status=method.status,
        status_label=str(method.get_status_display()),
        status_reason=method.status_reason,
        status_changed_at=method.status_changed_at,
        created_at=method.created_at,
        iban_masked=mask_iban(method.iban),
        account_holder=method.account_holder,
        mandate_reference=method.mandate_reference,
        mandate_signed_on=method.mandate_signed_on,
        card_brand=method.card_brand,
        card_last4=method.card_last4,
        card_exp_month=method.card_exp_month,
        card_exp_year=method.card_exp_year,
    )


def payment_method_current(*, scope: Scope) -> PaymentMethodSummary | None:
    """The company's current payment method, or None when it has none on file (managers only). One query."""
    method = scope.company_rows(PaymentMethod.objects.filter(is_current=True)).first()
    return payment_method_summary(method) if method is not None else None


@dataclass(frozen=True)
class OperatorBank:
    """Where a company paying by bank transfer sends its money."""

    beneficiary: str
    iban: str


def operator_bank() -> OperatorBank:
    """The operator's account for bank transfers (settings.OPERATOR), the IBAN grouped for reading."""
    operator = settings.OPERATOR
    return OperatorBank(beneficiary=operator["name"], iban=stdnum_iban.format(operator["iban"]))

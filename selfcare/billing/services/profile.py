"""The company's billing profile: where its e-invoices go (SPEC F-BIL-3: PEC address, SDI recipient
code) and how it pays its invoices (SPEC F-BIL-5: bank direct debit, card, bank transfer), with the
notice to its managers when that method stops working (SPEC F-NTF-1).

Each check returns every problem of the input at once (`Checked`), so a form shows all its field
errors together and the API answers with all of them; the services run the same check and raise the
first problem as an ApplicationError on its field.
"""

import datetime
import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from stdnum import iban as stdnum_iban
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from selfcare.billing.models import PaymentMethod
from selfcare.billing.selectors.profile import SDI_CODE_USE_PEC, mask_iban, payment_method_label
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.core.validators import clean_fiscal_code, validate_sdi_code
from selfcare.customers.models import Company
from selfcare.notifications.services import managers_notify

ROME = ZoneInfo("Europe/Rome")

# --- Checks -----------------------------------------------------------------------------------------


@dataclass
class Checked:
    """Cleaned values and, per field, what is wrong (in the order the fields are shown)."""

    values: dict = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def raise_first(self) -> None:
        if self.errors:
            name, message = next(iter(self.errors.items()))
            raise ApplicationError(message, field=name)


# --- E-invoice recipient (PEC address, SDI code) ----------------------------------------------------

PEC_MAX_LENGTH = 254


def billing_profile_check(*, pec: str, sdi_code: str) -> Checked:
    """The PEC address (domain in lower case) and the SDI code (capitals, no spaces), or what is wrong.

    At least one of them is needed, and the code 0000000 needs the PEC address: SDI delivers there.
    """
    checked = Checked()
    pec = (pec or "").strip()
    if pec:
        local, _at, domain = pec.rpartition("@")
        pec = f"{local}@{domain.lower()}" if local else pec
        try:
            if len(pec) > PEC_MAX_LENGTH:
                raise ValidationError("too long")
            EmailValidator()(pec)
        except ValidationError:
            checked.errors["pec"] = _("Enter a valid PEC address, for example amministrazione@pec.azienda.it.")
    code = "".join((sdi_code or "").split()).upper()
    if code:
        try:
            validate_sdi_code(code)
        except ValidationError as exc:
            checked.errors["sdi_code"] = exc.messages[0]
    if not checked.errors:
        if code == SDI_CODE_USE_PEC and not pec:
            checked.errors["pec"] = _("With the recipient code 0000000 e-invoices go to your PEC address: enter it.")
        elif not code and not pec:
            checked.errors["sdi_code"] = _(
                "Enter your recipient code or a PEC address: without them, invoices cannot be delivered electronically."
            )
    checked.values = {"pec": pec, "sdi_code": code}
    return checked


def billing_profile_update(
    *,
    scope: Scope,
    company_id: int,
    pec: str,
    sdi_code: str,
    call_detail_enabled: bool | None = None,
    ip: str = "",
) -> Company:
    """Change where the company's e-invoices go and whether its invoices come with the call detail
    (SPEC F-BIL-1; call_detail_enabled=None leaves it as it is). Only the scope's own company (404
    for any other).

    After the commit, when the PEC address or the SDI code changed, a job tells the e-invoice side
    (einvoice_recipient_changed): the invoices that waited for a recipient are made again and can be sent.
    Saving the same values again changes nothing and writes no audit event.
    """
    scope.require(Cap.BILLING_PROFILE_EDIT)
    if not scope.is_manager or company_id != scope.company_id:
        raise Http404
    checked = billing_profile_check(pec=pec, sdi_code=sdi_code)
    checked.raise_first()
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company_id)
        before = {"pec": company.pec, "sdi_code": company.sdi_code, "call_detail_enabled": company.call_detail_enabled}
        enabled = company.call_detail_enabled if call_detail_enabled is None else bool(call_detail_enabled)
        after = checked.values | {"call_detail_enabled": enabled}
        if before == after:
            return company
        company.pec, company.sdi_code = after["pec"], after["sdi_code"]
        company.call_detail_enabled = after["call_detail_enabled"]
        company.save(update_fields=["pec", "sdi_code", "call_detail_enabled"])
        AuditEvent.objects.create(
            actor_id=scope.user_id, company_id=company_id, action="billing_profile_updated", object_type="company",
            object_id=str(company_id), detail={"before": before, "after": after}, ip_address=ip or None,
        )  # fmt: skip
        if (before["pec"], before["sdi_code"]) != (after["pec"], after["sdi_code"]):
            transaction.on_commit(lambda: _einvoice_recipient_changed(company_id))
    return company


def _einvoice_recipient_changed(company_id: int) -> None:
    # A job, so that making the waiting e-invoices again (which may fail, e.g. on an incomplete
    # address) never fails the request that saved the recipient. Imported here: tasks import services.
    from selfcare.billing.tasks import send_einvoices_waiting_for_recipient

    send_einvoices_waiting_for_recipient(company_id)


# --- Payment method ---------------------------------------------------------------------------------

# Countries of the SEPA schemes (EU and EEA, Switzerland, the United Kingdom, Monaco, San Marino,
# Vatican City, Andorra, Gibraltar): a SEPA direct debit can be collected from their accounts.
SEPA_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK "
    "IS LI NO CH GB MC SM VA AD GI".split()
)
# SEPA allows 70 characters for a debtor's name.
HOLDER_MAX_LENGTH = 70
DIRECT_DEBIT_FIELDS = ("iban", "account_holder", "account_holder_fiscal_code", "mandate_accepted")
CARD_FIELDS = ("provider", "provider_token", "card_brand", "card_last4", "card_exp_month", "card_exp_year")
FIELDS = frozenset(DIRECT_DEBIT_FIELDS + CARD_FIELDS)


def _clean_iban(value: str) -> str:
    compact = stdnum_iban.compact(value or "")
    if not compact:
        raise ValidationError(_("Enter the IBAN of the account to debit."))
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", compact):
        raise ValidationError(
            _("An IBAN starts with the country code and two digits, for example IT60 X054 2811 1010 0000 0123 456.")
        )
    if compact[:2] not in SEPA_COUNTRIES:
        raise ValidationError(
            _("A direct debit needs an account in the SEPA area (European Union, EEA, Switzerland, United Kingdom).")
        )
    try:
        return stdnum_iban.validate(compact)
    except InvalidChecksum:
        raise ValidationError(
            _("This IBAN is not valid: check the characters (its check digits do not match).")
        ) from None
    except StdnumError:
        raise ValidationError(
            _("This IBAN has the wrong length or format for its country: check it against your bank statement.")
        ) from None


def _clean_holder_tax_code(value: str) -> str:
    value = "".join((value or "").split()).upper()
    if not value:
        raise ValidationError(_("Enter the account holder's codice fiscale or partita IVA."))
    if re.fullmatch(r"IT[0-9]{11}", value):
        value = value[2:]
    return clean_fiscal_code(value)


def _clean_card(fields: dict, today: datetime.date, errors: dict) -> dict:
    """What the payment provider told us about the card it tokenised (never its number)."""
    values = {
        "provider": str(fields.get("provider") or "").strip(),
        "provider_token": str(fields.get("provider_token") or "").strip(),
        "card_brand": str(fields.get("card_brand") or "").strip(),
        "card_last4": str(fields.get("card_last4") or "").strip(),
    }
    if not values["provider"] or len(values["provider"]) > 20:
        errors["provider"] = _("The payment provider is missing.")
    if not values["provider_token"] or len(values["provider_token"]) > 255:
        errors["provider_token"] = _("The payment provider's card token is missing.")
    if len(values["card_brand"]) > 20:
        errors["card_brand"] = _("The card brand is too long.")
    if not re.fullmatch(r"[0-9]{4}", values["card_last4"]):
        errors["card_last4"] = _("The last digits of the card are 4 digits.")
    try:
        month, year = int(fields.get("card_exp_month")), int(fields.get("card_exp_year"))
    except (TypeError, ValueError):
        month = year = 0
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        errors["card_exp_month"] = _("The card's expiry month and year are missing.")
    elif (year, month) < (today.year, today.month):
        errors["card_exp_month"] = _("This card has expired.")
    return values | {"card_exp_month": month, "card_exp_year": year}


def payment_method_check(
    *, kind: str, fields: dict, allow_card: bool = True, today: datetime.date | None = None
) -> Checked:
    """The model values of a new payment method of `kind`, or what is wrong with each field.

    Fields of the other kinds are ignored (a form sends them all). allow_card=False when a portal
    user asks: a card only ever arrives from the payment provider's hosted page.
    """
    today = today or timezone.localdate(timezone=ROME)
    checked = Checked()
    errors = checked.errors
    if kind == PaymentMethod.Kind.CARD and not allow_card:
        errors["kind"] = _('A card is added on the payment provider\'s secure page: use "Add a card".')
    elif kind == PaymentMethod.Kind.DIRECT_DEBIT:
        values = {}
        for name, clean in (("iban", _clean_iban), ("account_holder_fiscal_code", _clean_holder_tax_code)):
            try:
                values[name] = clean(fields.get(name))
            except ValidationError as exc:
                errors[name] = exc.messages[0]
        holder = " ".join(str(fields.get("account_holder") or "").split())
        if not holder:
            errors["account_holder"] = _("Enter the account holder's name, as the bank knows it.")
        elif len(holder) > HOLDER_MAX_LENGTH:
            errors["account_holder"] = _("The account holder's name has at most %(n)d characters.") % {
                "n": HOLDER_MAX_LENGTH
            }
        values["account_holder"] = holder
        if fields.get("mandate_accepted") is not True:
            errors["mandate_accepted"] = _("To pay by direct debit, accept the SEPA direct debit mandate.")
        # Shown in the order of the form.
        checked.errors = {name: errors[name] for name in DIRECT_DEBIT_FIELDS if name in errors}
        checked.values = values
    elif kind == PaymentMethod.Kind.CARD:
        checked.values = _clean_card(fields, today, errors)
    elif kind != PaymentMethod.Kind.TRANSFER:
        errors["kind"] = _("Choose how to pay: bank direct debit or bank transfer.")
    return checked


def _mandate_reference(company_id: int, today: datetime.date) -> str:
    """A mandate reference unique in the operator's collections (at most 35 characters, SEPA)."""
    n = PaymentMethod.objects.filter(company_id=company_id, kind=PaymentMethod.Kind.DIRECT_DEBIT).count() + 1
    while True:
        reference = f"SCB-{company_id}-{today:%Y%m%d}-{n}"
        if not PaymentMethod.objects.filter(mandate_reference=reference).exists():
            return reference
        n += 1


def payment_method_set(*, actor: Scope | None, company_id: int, kind: str, ip: str = "", **fields) -> PaymentMethod:
    """Make a new payment method the company's current one; the previous one is kept, not current.

    actor is the portal user's scope (BILLING_PROFILE_EDIT, own company only, direct debit or bank
    transfer), or None for the payment provider's confirmation of a card set up on its hosted page:
    kind="card" with provider, provider_token, card_brand, card_last4, card_exp_month, card_exp_year.
    A direct debit takes iban, account_holder, account_holder_fiscal_code and mandate_accepted=True;
    its mandate gets a new reference, signed today. Runs under a lock on the company, so two changes
    at once leave exactly one current method.
    """
    unknown = set(fields) - FIELDS
    if unknown:
        raise TypeError(f"payment_method_set() got unexpected fields: {sorted(unknown)}")
    if actor is not None:
        actor.require(Cap.BILLING_PROFILE_EDIT)
        if not actor.is_manager or company_id != actor.company_id:
            raise Http404
    today = timezone.localdate(timezone=ROME)
    checked = payment_method_check(kind=kind, fields=fields, allow_card=actor is None, today=today)
    checked.raise_first()
    with transaction.atomic():
        # The company row is the lock: it exists even before the company's first payment method.
        if not Company.objects.select_for_update().filter(pk=company_id).exists():
            raise Http404
        previous = PaymentMethod.objects.filter(company_id=company_id, is_current=True).first()
        if previous is not None:
            previous.is_current = False
            previous.save(update_fields=["is_current"])
        method = PaymentMethod(
            company_id=company_id,
            kind=kind,
            is_current=True,
            created_by_id=actor.user_id if actor is not None else None,
            status_changed_at=timezone.now(),
            **checked.values,
        )
        if kind == PaymentMethod.Kind.DIRECT_DEBIT:
            method.mandate_reference = _mandate_reference(company_id, today)
            method.mandate_signed_on = today
        try:
            with transaction.atomic():
                method.save()
        except IntegrityError:
            raise ApplicationError(
                _("The payment method was changed at the same moment from elsewhere: reload the page and try again."),
                code="conflict",
                status=409,
            ) from None
        detail = {
            "kind": kind,
            "previous": {"id": previous.pk, "kind": previous.kind} if previous else None,
            "iban": mask_iban(method.iban),
            "mandate_reference": method.mandate_reference,
            "card": f"{method.card_brand} {method.card_last4}".strip(),
            "by": "portal" if actor is not None else "payment_provider",
        }
        AuditEvent.objects.create(
            actor_id=actor.user_id if actor is not None else None, company_id=company_id, action="payment_method_set",
            object_type="payment_method", object_id=str(method.pk), detail=detail, ip_address=ip or None,
        )  # fmt: skip
    return method


REASON_MAX_LENGTH = 200
NOT_VALID = (PaymentMethod.Status.INVALID, PaymentMethod.Status.EXPIRED)


def payment_method_mark_invalid(
    *, method_id: int, reason: str, status: str = PaymentMethod.Status.INVALID, actor_id: int | None = None
) -> bool:
    """Mark a payment method invalid (the bank refused a direct debit...) or expired (a card).

    The company's managers get an in-app notification and an email once, when the current method
    stops being valid; marking it again, or marking a method that is no longer current, tells nobody.
    actor_id: the operator's staff member (back office), None for the periodic check. Returns
    whether the status changed.
    """
    if status not in NOT_VALID:
        raise ApplicationError(_("Choose invalid or expired."), field="status")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError(_("Say why the payment method is no longer valid."), field="reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ApplicationError(
            _("The reason has at most %(n)d characters.") % {"n": REASON_MAX_LENGTH}, field="reason", code="too_long"
        )
    with transaction.atomic():
        method = PaymentMethod.objects.select_for_update().filter(pk=method_id).first()
        if method is None:
            raise Http404
        if method.status == status:
            return False
        was_valid = method.status == PaymentMethod.Status.VALID
        method.status, method.status_reason, method.status_changed_at = status, reason, timezone.now()
        method.save(update_fields=["status", "status_reason", "status_changed_at"])
        AuditEvent.objects.create(
            actor_id=actor_id, company_id=method.company_id, action=f"payment_method_{status}",
            object_type="payment_method", object_id=str(method.pk), detail={"reason": reason},
        )  # fmt: skip
        if was_valid and method.is_current:
            _notify_managers(method)
    return True


def _notify_managers(method: PaymentMethod) -> None:
    # Users have no language of their own yet: the portal's first.
    with override(settings.LANGUAGE_CODE):
        if method.status == PaymentMethod.Status.EXPIRED:
            title = _("Your payment method has expired")
        else:
            title = _("Your payment method is no longer valid")
        body = _(
            "%(method)s. Reason: %(reason)s\n"
            "Choose another payment method, so that your next invoices are paid on time."
        ) % {"method": payment_method_label(method), "reason": method.status_reason}
    managers_notify(
        company_id=method.company_id,
        title=title,
        body=body,
        link=reverse("billing:payment_method"),
        purpose="payment_method_invalid",
    )


def payment_methods_expire(*, today: datetime.date | None = None) -> int:
    """Mark as expired every valid card whose expiry month has passed (Rome calendar); how many.

    A card is good until the last day of its expiry month. Run again, it finds nothing more.
    """
    today = today or timezone.localdate(timezone=ROME)
    expired = (
        PaymentMethod.objects.filter(kind=PaymentMethod.Kind.CARD, status=PaymentMethod.Status.VALID)
        .filter(Q(card_exp_year__lt=today.year) | Q(card_exp_year=today.year, card_exp_month__lt=today.month))
        .order_by("pk")
        .values_list("pk", "card_exp_month", "card_exp_year")
    )
    changed = 0
    for pk, month, year in list(expired):
        with override(settings.LANGUAGE_CODE):
            reason = _("The card expired at the end of %(month)02d/%(year)d.") % {"month": month, "year": year}
        changed += payment_method_mark_invalid(method_id=pk, reason=reason, status=PaymentMethod.Status.EXPIRED)
    return changed

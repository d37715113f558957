"""Paying invoices online (SPEC F-BIL-2) and saving a card as the payment method (SPEC F-BIL-5).

Never twice (DESIGN.md §8):
- "PAGA" locks the invoice row: concurrent clicks queue behind it and share the one open attempt
  (the database allows one, constraint payment_one_open);
- every call to the provider carries the attempt's idempotency key, so the same attempt always
  gets the same checkout page;
- a notification is stored once under (provider, event id), constraint webhook_event_once, inside
  the transaction that locks the invoice and the payment (in that order, as "PAGA" does) and
  settles them: a repeated or late notification finds the payment settled and changes nothing.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.billing.models import Invoice, Payment, WebhookEvent
from selfcare.billing.services.profile import payment_method_set
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.customers.models import Company

from .providers import get_provider
from .providers.base import (
    CardDetails,
    Checkout,
    Event,
    FailureReason,
    Outcome,
    PaymentProvider,
    ProviderError,
    SignatureError,
)
from .selectors import payment_is_stale

logger = logging.getLogger("selfcare.payments")
CURRENCY = "EUR"


@dataclass(frozen=True)
class PaymentStart:
    """The attempt "PAGA" led to; `created` is False when an open one was reused."""

    payment: Payment
    created: bool


class WebhookRefused(Exception):
    """A well-signed notification we do not accept (unknown payment, wrong amount...): nothing changed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebhookResult:
    status: str  # "processed" | "duplicate" | "ignored"
    event_id: str
    payment_id: int | None = None
    outcome: str = ""


def _provider_unavailable() -> ApplicationError:
    return ApplicationError(
        _("The payment service is not available right now and nothing was charged. Please try again in a few minutes."),
        code="provider_unavailable",
        status=503,
    )


# --- "PAGA" ---------------------------------------------------------------------------------------


def payment_start(*, scope: Scope, invoice_id: int, method: str, base_url: str, ip: str = "") -> PaymentStart:
    """Start paying an invoice of the scope's company online, or reuse its open attempt.

    The invoice's whole amount due is paid through the configured provider's hosted page; the
    returned payment carries that page's address (`checkout_url`) while it is pending. An invoice
    of another company is a 404; a paid one a 409. When the provider cannot be reached nothing is
    charged, the attempt is closed so that the next click starts afresh, and a 503 says so.
    `base_url` ("https://host") makes the addresses the provider sends the browser back to.
    """
    scope.require(Cap.INVOICES_PAY)
    if method not in Payment.Method.values:
        raise ApplicationError(_("Choose how to pay: card or PayPal."), field="method")
    provider = get_provider()
    payment, created = _open_attempt(scope=scope, invoice_id=invoice_id, method=method, provider=provider.name, ip=ip)
    if not payment.checkout_url:
        payment = _checkout_open(payment, provider, base_url=base_url)
    return PaymentStart(payment, created)


def _open_attempt(*, scope: Scope, invoice_id: int, method: str, provider: str, ip: str) -> tuple[Payment, bool]:
    with transaction.atomic():
        invoice = get_object_or_404(scope.company_rows(Invoice.objects.select_for_update()), pk=invoice_id)
        if invoice.status == Invoice.Status.PAID or invoice.amount_due <= 0:
            raise ApplicationError(_("This invoice is already paid."), code="already_paid", status=409)
        open_attempt = Payment.objects.filter(invoice=invoice, status=Payment.Status.PENDING).first()
        if open_attempt is not None:
            if (
                not payment_is_stale(open_attempt)
                and open_attempt.provider == provider
                and open_attempt.amount == invoice.amount_due
            ):
                return open_attempt, False
            # Its page has closed at the provider, or it was opened for another amount due or with
            # another provider: a new attempt replaces it. Should a success still come for it, it
            # is recorded and reported for reconciliation, never applied (see _settle).
            open_attempt.status = Payment.Status.CANCELLED
            open_attempt.failure_reason = FailureReason.EXPIRED
            open_attempt.settled_at = timezone.now()
            open_attempt.save(update_fields=["status", "failure_reason", "settled_at"])
        payment = Payment(
            invoice=invoice,
            company_id=invoice.company_id,
            provider=provider,
            method=method,
            amount=invoice.amount_due,
            idempotency_key=uuid.uuid4().hex,
            created_by_id=scope.user_id,
        )
        try:
            with transaction.atomic():
                payment.save()
        except IntegrityError:
            # The invoice lock makes this unreachable for "PAGA" itself; the constraint is the last
            # word should any other writer open an attempt without taking the lock.
            return Payment.objects.get(invoice=invoice, status=Payment.Status.PENDING), False
        AuditEvent.objects.create(
            actor_id=scope.user_id, company_id=invoice.company_id, action="payment_started", object_type="payment",
            object_id=str(payment.pk), ip_address=ip or None,
            detail={"invoice": invoice.number, "amount": str(payment.amount), "method": method, "provider": provider},
        )  # fmt: skip
    return payment, True


def _checkout_open(payment: Payment, provider: PaymentProvider, *, base_url: str) -> Payment:
    """Ask the provider for the attempt's page, outside any lock: the idempotency key makes the
    calls of concurrent clicks return the same page, and the first answer saved is kept."""
    outcome_url = base_url.rstrip("/") + reverse("payments:outcome", kwargs={"payment_id": payment.pk})
    try:
        checkout = provider.checkout_start(payment, success_url=outcome_url, cancel_url=f"{outcome_url}?annullato=1")
    except ProviderError:
        with transaction.atomic():
            locked = Payment.objects.select_for_update().get(pk=payment.pk)
            if locked.status == Payment.Status.PENDING and not locked.checkout_url:
                locked.status = Payment.Status.CANCELLED
                locked.failure_reason = FailureReason.PROVIDER_UNAVAILABLE
                locked.settled_at = timezone.now()
                locked.save(update_fields=["status", "failure_reason", "settled_at"])
        raise _provider_unavailable() from None
    with transaction.atomic():
        locked = Payment.objects.select_for_update().select_related("invoice").get(pk=payment.pk)
        if locked.status == Payment.Status.PENDING and not locked.checkout_url:
            locked.provider_reference = checkout.provider_reference
            locked.checkout_url = checkout.checkout_url
            locked.save(update_fields=["provider_reference", "checkout_url"])
    if locked.status == Payment.Status.CANCELLED and locked.failure_reason == FailureReason.PROVIDER_UNAVAILABLE:
        # A concurrent click met the provider's failure first and closed the attempt.
        raise _provider_unavailable()
    return locked


# --- Provider notifications -----------------------------------------------------------------------


def webhook_receive(*, provider: str, body: bytes, headers) -> WebhookResult:
    """Verify and apply a provider's notification (the HTTP endpoint and the sandbox's delivery job
    both come here).

    Raises SignatureError for a forged, altered or replayed one, WebhookRefused for one that names
    an unknown payment or another amount, ProviderError when the provider must be asked for details
    and cannot be reached; in all three nothing is stored, so the provider's retry is judged anew.
    A repeated event id is acknowledged as "duplicate" and changes nothing.
    """
    adapter = get_provider(provider)
    try:
        event = adapter.webhook_parse(body, headers)
    except SignatureError as exc:
        logger.warning("payments: %s notification refused, signature not valid: %s", provider, exc)
        raise
    if event.outcome == Outcome.IGNORED:
        logger.info("payments: %s event %s (%s) is not for us, ignored", provider, event.id, event.type)
        return WebhookResult("ignored", event.id)
    if event.outcome in (Outcome.SETUP_SUCCEEDED, Outcome.SETUP_FAILED):
        return _setup_event(adapter, event)
    return _payment_event(adapter.name, event)


def _refuse(provider: str, event: Event, reason: str) -> WebhookRefused:
    logger.warning(
        "payments: %s event %s (%s) for %r refused: %s",
        provider, event.id, event.type, event.provider_reference, reason,
    )  # fmt: skip
    return WebhookRefused(reason)


def _payment_event(provider: str, event: Event) -> WebhookResult:
    payment = (
        Payment.objects.filter(provider=provider, provider_reference=event.provider_reference)
        .exclude(provider_reference="")
        .first()
    )
    if payment is None:
        raise _refuse(provider, event, "no payment has this provider reference")
    named = event.metadata.get("payment_id")
    if named is not None and named != str(payment.pk):
        raise _refuse(provider, event, f"the event names payment {named}, the reference is of payment {payment.pk}")
    if event.outcome == Outcome.SUCCEEDED and event.amount is None:
        raise _refuse(provider, event, "a successful payment without an amount")
    if event.amount is not None and (event.amount != payment.amount or event.currency != CURRENCY):
        raise _refuse(provider, event, f"amount {event.amount} {event.currency} instead of {payment.amount} {CURRENCY}")
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        record = _record(provider, event, payment=payment)
        if record is None:
            return WebhookResult("duplicate", event.id, payment.pk)
        outcome = _settle(payment, invoice, event)
        record.outcome = outcome
        record.save(update_fields=["outcome"])
    return WebhookResult("processed", event.id, payment.pk, outcome)


def _record(provider: str, event: Event, *, payment: Payment | None) -> WebhookEvent | None:
    """Store the event once; None when its id was stored before (a repeated delivery)."""
    try:
        with transaction.atomic():
            return WebhookEvent.objects.create(
                provider=provider, event_id=event.id, event_type=event.type, payment=payment, payload=event.payload
            )
    except IntegrityError:
        logger.info("payments: %s event %s received again, nothing to do", provider, event.id)
        return None


def _settle(payment: Payment, invoice: Invoice, event: Event) -> str:
    """Apply an event to a locked payment and its locked invoice; the outcome kept with the event."""
    now = timezone.now()
    if payment.status != Payment.Status.PENDING:
        if event.outcome == Outcome.SUCCEEDED and payment.status != Payment.Status.SUCCEEDED:
            # The provider says it charged an attempt we had closed: money to give back by hand.
            logger.error(
                "payments: payment %s (invoice %s) reported paid by event %s after it was %s: reconcile and refund",
                payment.pk, invoice.number, event.id, payment.status,
            )  # fmt: skip
        else:
            logger.info(
                "payments: event %s for payment %s, already %s: no change", event.id, payment.pk, payment.status
            )
        return f"ignored: payment already {payment.status}"
    if event.outcome == Outcome.PENDING:
        return "waiting"
    if event.method in Payment.Method.values:
        payment.method = event.method
    payment.settled_at = now
    if event.outcome != Outcome.SUCCEEDED:
        payment.status = Payment.Status.FAILED if event.outcome == Outcome.FAILED else Payment.Status.CANCELLED
        default = FailureReason.PAYMENT_FAILED if event.outcome == Outcome.FAILED else FailureReason.CANCELLED_BY_USER
        payment.failure_reason = (event.failure_reason or default)[:200]
        payment.save(update_fields=["status", "failure_reason", "method", "settled_at"])
        return payment.status
    payment.status = Payment.Status.SUCCEEDED
    payment.save(update_fields=["status", "method", "settled_at"])
    due = invoice.amount_due
    if due <= 0:
        logger.error(
            "payments: payment %s charged %s on invoice %s, which was already paid: refund it",
            payment.pk, payment.amount, invoice.number,
        )  # fmt: skip
        return "succeeded: invoice already paid, refund due"
    invoice.paid_amount += min(payment.amount, due)
    invoice.status = (
        Invoice.Status.PAID if invoice.paid_amount >= invoice.total_amount else Invoice.Status.PARTIALLY_PAID
    )
    if invoice.status == Invoice.Status.PAID:
        invoice.paid_at = now
    invoice.save(update_fields=["paid_amount", "status", "paid_at"])
    AuditEvent.objects.create(
        actor_id=None, company_id=invoice.company_id, action="invoice_paid_online", object_type="invoice",
        object_id=str(invoice.pk),
        detail={"invoice": invoice.number, "payment": payment.pk, "amount": str(payment.amount),
                "provider": payment.provider, "event": event.id, "status": invoice.status},
    )  # fmt: skip
    return "succeeded"


# --- A card as the payment method (SPEC F-BIL-5) ------------------------------------------------------


def card_setup_start(*, scope: Scope, base_url: str, ip: str = "") -> Checkout:
    """Open the provider's page where a manager saves a card for the company's invoices.

    Nothing is stored until the provider's signed notification arrives; then the card (its token,
    brand, last digits and expiry, never the number) becomes the company's current payment method.
    A 503 when the provider cannot be reached.
    """
    scope.require(Cap.BILLING_PROFILE_EDIT)
    if not scope.is_manager or scope.company_id is None:
        raise PermissionDenied
    provider = get_provider()
    outcome_url = base_url.rstrip("/") + reverse("payments:card_setup_outcome")
    try:
        checkout = provider.setup_start(
            company_id=scope.company_id,
            idempotency_key=uuid.uuid4().hex,
            success_url=outcome_url,
            cancel_url=f"{outcome_url}?annullato=1",
        )
    except ProviderError:
        raise _provider_unavailable() from None
    AuditEvent.objects.create(
        actor_id=scope.user_id, company_id=scope.company_id, action="card_setup_started", object_type="company",
        object_id=str(scope.company_id), detail={"provider": provider.name, "reference": checkout.provider_reference},
        ip_address=ip or None,
    )  # fmt: skip
    return checkout


def _setup_event(adapter: PaymentProvider, event: Event) -> WebhookResult:
    provider = adapter.name
    company_id = event.metadata.get("company_id", "")
    if not company_id.isdigit() or not Company.objects.filter(pk=int(company_id)).exists():
        raise _refuse(provider, event, f"card setup for unknown company {company_id!r}")
    if WebhookEvent.objects.filter(provider=provider, event_id=event.id).exists():
        # Known already: the provider is not asked again for the card's details.
        logger.info("payments: %s event %s received again, nothing to do", provider, event.id)
        return WebhookResult("duplicate", event.id)
    card = None
    if event.outcome == Outcome.SETUP_SUCCEEDED:
        card = adapter.setup_card(event)
        if card is None:
            raise _refuse(provider, event, "card setup without the card's details")
    with transaction.atomic():
        record = _record(provider, event, payment=None)
        if record is None:
            return WebhookResult("duplicate", event.id)
        if card is not None:
            outcome = _card_save(provider, event, card, company_id=int(company_id))
        else:
            outcome = f"setup failed: {event.failure_reason or 'refused'}"
        record.outcome = outcome[:200]
        record.save(update_fields=["outcome"])
    return WebhookResult("processed", event.id, outcome=record.outcome)


def _card_save(provider: str, event: Event, card: CardDetails, *, company_id: int) -> str:
    try:
        with transaction.atomic():
            method = payment_method_set(
                actor=None, company_id=company_id, kind="card", provider=provider, provider_token=card.token,
                card_brand=card.brand, card_last4=card.last4, card_exp_month=card.exp_month,
                card_exp_year=card.exp_year,
            )  # fmt: skip
    except ApplicationError as exc:
        if exc.code == "conflict":
            # Changed from elsewhere at the same moment: refused now, the provider's retry decides.
            raise _refuse(provider, event, str(exc.message)) from None
        logger.warning("payments: card of %s event %s not saved: %s", provider, event.id, exc.message)
        return f"card not saved: {exc.message}"
    return f"card saved: payment method {method.pk}"

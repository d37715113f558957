"""Reads of online payments, always through the request's scope: another company's row is a 404."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from selfcare.billing.models import Invoice, Payment, PaymentMethod, WebhookEvent
from selfcare.core.scope import Scope

# An open attempt is given up this long after its checkout page closed at the provider: time for
# a notification of a payment made in the page's last moment to arrive first.
STALE_GRACE = datetime.timedelta(minutes=5)


def payment_get(*, scope: Scope, payment_id: int) -> Payment:
    """A payment of the scope's company, with its invoice."""
    return get_object_or_404(scope.company_rows(Payment.objects.select_related("invoice")), pk=payment_id)


def invoice_get(*, scope: Scope, invoice_id: int) -> Invoice:
    """An invoice of the scope's company (the one a payment is asked for)."""
    return get_object_or_404(scope.company_rows(Invoice.objects.all()), pk=invoice_id)


def checkout_closes_at(payment: Payment) -> datetime.datetime:
    """When the provider stops accepting this attempt's checkout page."""
    return payment.created_at + datetime.timedelta(minutes=settings.PAYMENT_CHECKOUT_MINUTES)


def payment_is_stale(payment: Payment, *, now: datetime.datetime | None = None) -> bool:
    """An open attempt whose page closed at the provider (plus the grace time): it can no longer be paid."""
    now = now or timezone.now()
    return payment.status == Payment.Status.PENDING and now > checkout_closes_at(payment) + STALE_GRACE


@dataclass(frozen=True)
class CardSetupState:
    """Where a card setup stands, as the provider's notifications left it."""

    state: str  # saved | failed | waiting
    reason: str = ""
    method: PaymentMethod | None = None


def card_setup_state(*, scope: Scope, provider: str, reference: str, since: datetime.datetime) -> CardSetupState:
    """The outcome of the card setup the scope's user started at `since` on the provider's page
    `reference`: read only, from the notification stored for it (the sandbox's events name the
    reference in data.reference, Stripe's in data.object.id)."""
    event = (
        WebhookEvent.objects.filter(provider=provider, payment__isnull=True, received_at__gte=since)
        .filter(Q(payload__data__reference=reference) | Q(payload__data__object__id=reference))
        .order_by("-received_at")
        .first()
    )
    if event is None:
        return CardSetupState("waiting")
    if event.outcome.startswith("card saved"):
        method = scope.company_rows(PaymentMethod.objects.filter(is_current=True, kind=PaymentMethod.Kind.CARD)).first()
        return CardSetupState("saved", method=method)
    reason = event.outcome.partition(": ")[2] if event.outcome.startswith("setup failed") else ""
    return CardSetupState("failed", reason=reason)

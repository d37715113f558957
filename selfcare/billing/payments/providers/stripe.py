"""The Stripe adapter: Checkout Sessions (card and PayPal) and their signed webhooks.

A payment opens a Checkout Session in "payment" mode for the invoice's amount due; a card setup
opens one in "setup" mode. The session's id is our provider reference; every create is sent with
the attempt's idempotency key, so a retried call (ours or the library's network retries) returns
the same session instead of a second one. Events are read from the raw body after the
Stripe-Signature header is verified, and only checkout.session.* events carrying our metadata
are acted on: the same Stripe account may serve other systems.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from decimal import Decimal

import stripe
from django.conf import settings

from .base import CardDetails, Checkout, Event, FailureReason, Outcome, ProviderError, SignatureError

NAME = "stripe"
SIGNATURE_HEADER = "Stripe-Signature"

# The HTTP transport given to the Stripe client; None is the library's own. Tests put a client
# here that answers with recorded Stripe responses.
HTTP_CLIENT: stripe.HTTPClient | None = None

logger = logging.getLogger("selfcare.payments")

# The library would otherwise report request timings to Stripe and write an id file under the
# home directory; the portal sends Stripe only the calls it makes.
stripe.enable_telemetry = False

# checkout.session events of a payment and what they mean; "completed" depends on payment_status.
PAYMENT_EVENTS = {
    "checkout.session.async_payment_succeeded": (Outcome.SUCCEEDED, ""),
    "checkout.session.async_payment_failed": (Outcome.FAILED, FailureReason.PAYMENT_FAILED),
    "checkout.session.expired": (Outcome.CANCELLED, FailureReason.EXPIRED),
}


def cents(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


class StripeProvider:
    name = NAME

    def _client(self) -> stripe.StripeClient:
        if not settings.STRIPE_SECRET_KEY:
            raise ProviderError("STRIPE_SECRET_KEY is not set")
        return stripe.StripeClient(settings.STRIPE_SECRET_KEY, http_client=HTTP_CLIENT, max_network_retries=2)

    def checkout_start(self, payment, *, success_url: str, cancel_url: str) -> Checkout:
        invoice = payment.invoice
        metadata = {
            "payment_id": str(payment.pk),
            "invoice_number": invoice.number,
            "company_id": str(payment.company_id),
        }
        params = {
            "mode": "payment",
            "payment_method_types": ["card", "paypal"],
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": cents(payment.amount),
                        "product_data": {"name": f"{settings.BRAND['operator']} {invoice.number}"},
                    },
                }
            ],
            "client_reference_id": str(payment.pk),
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata, "description": invoice.number},
            "success_url": success_url,
            "cancel_url": cancel_url,
            # From the attempt's creation, not from now: a retried call sends identical
            # parameters, which Stripe requires for an idempotent replay.
            "expires_at": int(payment.created_at.timestamp()) + settings.PAYMENT_CHECKOUT_MINUTES * 60,
        }
        try:
            session = self._client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": payment.idempotency_key}
            )
        except stripe.StripeError as exc:
            logger.warning("stripe: checkout session for payment %s not created: %s", payment.pk, exc)
            raise ProviderError(str(exc)) from exc
        return Checkout(session.id, session.url)

    def setup_start(self, *, company_id: int, idempotency_key: str, success_url: str, cancel_url: str) -> Checkout:
        params = {
            "mode": "setup",
            "currency": "eur",
            "payment_method_types": ["card"],
            "client_reference_id": f"company-{company_id}",
            "metadata": {"company_id": str(company_id), "purpose": "payment_method"},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        try:
            session = self._client().v1.checkout.sessions.create(
                params=params, options={"idempotency_key": idempotency_key}
            )
        except stripe.StripeError as exc:
            logger.warning("stripe: setup session for company %s not created: %s", company_id, exc)
            raise ProviderError(str(exc)) from exc
        return Checkout(session.id, session.url)

    def webhook_parse(self, body: bytes, headers: Mapping[str, str]) -> Event:
        try:
            stripe.WebhookSignature.verify_header(
                body,
                headers.get(SIGNATURE_HEADER),
                settings.STRIPE_WEBHOOK_SECRET,
                tolerance=settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS,
            )
        except stripe.SignatureVerificationError as exc:
            raise SignatureError(str(exc)) from exc
        try:
            return self._event(json.loads(body))
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
            # Signed by Stripe but not understood: treated like a forgery, never half-applied.
            raise SignatureError(f"malformed Stripe event: {exc}") from exc

    @staticmethod
    def _event(payload) -> Event:
        event_id, event_type = str(payload["id"]), str(payload["type"])
        session = payload["data"]["object"]
        ignored = Event(id=event_id, type=event_type, outcome=Outcome.IGNORED, payload=payload)
        if not event_type.startswith("checkout.session.") or not isinstance(session, dict):
            return ignored
        metadata = {str(k): str(v) for k, v in (session.get("metadata") or {}).items()}
        common = {
            "id": event_id,
            "type": event_type,
            "provider_reference": str(session.get("id") or ""),
            "metadata": metadata,
            "payload": payload,
        }
        if session.get("mode") == "payment" and "payment_id" in metadata:
            if event_type == "checkout.session.completed":
                paid = session.get("payment_status") == "paid"
                outcome, reason = (Outcome.SUCCEEDED if paid else Outcome.PENDING), ""
            elif event_type in PAYMENT_EVENTS:
                outcome, reason = PAYMENT_EVENTS[event_type]
            else:
                return ignored
            total = session.get("amount_total")
            return Event(
                **common,
                outcome=outcome,
                failure_reason=reason,
                amount=None if total is None else Decimal(int(total)) / 100,
                currency=str(session.get("currency") or "").upper(),
            )
        if session.get("mode") == "setup" and metadata.get("purpose") == "payment_method":
            if event_type == "checkout.session.completed" and session.get("setup_intent"):
                return Event(**common, outcome=Outcome.SETUP_SUCCEEDED, setup_reference=str(session["setup_intent"]))
            if event_type == "checkout.session.expired":
                return Event(**common, outcome=Outcome.SETUP_FAILED, failure_reason=FailureReason.EXPIRED)
        return ignored

    def setup_card(self, event: Event) -> CardDetails | None:
        """The card a completed setup saved: the event names the SetupIntent, whose payment
        method holds the card's brand, last digits and expiry."""
        if not event.setup_reference:
            return None
        try:
            intent = self._client().v1.setup_intents.retrieve(
                event.setup_reference, params={"expand": ["payment_method"]}
            )
        except stripe.StripeError as exc:
            raise ProviderError(str(exc)) from exc
        method = intent.payment_method
        card = method.card
        return CardDetails(
            token=method.id,
            brand=str(card.brand),
            last4=str(card.last4),
            exp_month=int(card.exp_month),
            exp_year=int(card.exp_year),
        )

"""The sandbox provider: a hosted checkout page of its own inside the product (DESIGN.md §6).

It behaves like a real provider seen from our side: checkout_start gives an unguessable page
address, the page (selfcare.billing.payments.sandbox_views) takes the card or the PayPal-like
approval, and the outcome comes back only as a webhook signed with HMAC-SHA256 over
"timestamp.body" (the scheme Stripe uses), delivered by a job to the same service as the HTTP
webhook endpoint. The page's state travels in a signed token, so any web process can serve it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from .base import CardDetails, Checkout, Event, FailureReason, Outcome, SignatureError

NAME = "sandbox"
SIGNATURE_HEADER = "Sandbox-Signature"
SESSION_SALT = "selfcare.payments.sandbox.session"
CHALLENGE_SALT = "selfcare.payments.sandbox.challenge"

PAYMENT, SETUP = "payment", "setup"

# The sandbox's own event types and what they mean for us.
EVENT_OUTCOMES = {
    "checkout.succeeded": Outcome.SUCCEEDED,
    "checkout.failed": Outcome.FAILED,
    "checkout.cancelled": Outcome.CANCELLED,
    "setup.succeeded": Outcome.SETUP_SUCCEEDED,
    "setup.failed": Outcome.SETUP_FAILED,
}


@dataclass(frozen=True)
class TestCard:
    number: str
    brand: str
    # What paying with it does: approve, decline with a reason, or ask for a 3-D Secure challenge.
    result: str
    failure: str = ""


APPROVE, DECLINE, CHALLENGE = "approve", "decline", "challenge"
TEST_CARDS = (
    TestCard("4242424242424242", "visa", APPROVE),
    TestCard("4000000000000002", "visa", DECLINE, FailureReason.CARD_DECLINED),
    TestCard("4000000000009995", "visa", DECLINE, FailureReason.INSUFFICIENT_FUNDS),
    TestCard("4000000000003220", "visa", CHALLENGE),
)
TEST_CARDS_BY_NUMBER = {card.number: card for card in TEST_CARDS}


@dataclass(frozen=True)
class Session:
    """A sandbox checkout or setup page: what it shows and where it sends the browser afterwards."""

    reference: str
    mode: str
    success_url: str
    cancel_url: str
    amount_cents: int | None = None
    currency: str = "EUR"
    description: str = ""
    method: str = "card"
    metadata: dict = field(default_factory=dict)
    expires_at: int = 0

    @property
    def amount(self) -> Decimal | None:
        return None if self.amount_cents is None else Decimal(self.amount_cents) / 100

    @property
    def is_setup(self) -> bool:
        return self.mode == SETUP


def secret() -> str:
    return settings.SANDBOX_WEBHOOK_SECRET


def checkout_lifetime_seconds() -> int:
    return settings.PAYMENT_CHECKOUT_MINUTES * 60


def _reference(prefix: str, idempotency_key: str) -> str:
    # Derived from the idempotency key, so a repeated call opens the same page, as a real
    # provider answers a repeated request with the same session.
    digest = hmac.new(secret().encode(), f"{prefix}:{idempotency_key}".encode(), hashlib.sha256).hexdigest()
    return f"{prefix}_{digest[:32]}"


def _page_url(session: Session) -> str:
    token = signing.dumps(asdict(session), salt=SESSION_SALT, compress=True)
    # The sandbox lives on the same site as our return pages.
    parts = urlsplit(session.success_url)
    return f"{parts.scheme}://{parts.netloc}{reverse('payments:sandbox_checkout', kwargs={'token': token})}"


def session_from_token(token: str) -> Session:
    """The session a page address names; signing.BadSignature when the token is not one of ours
    (signing.SignatureExpired, a subclass, once its checkout time is over)."""
    data = signing.loads(token, salt=SESSION_SALT, max_age=checkout_lifetime_seconds())
    return Session(**data)


def cents(amount: Decimal) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


class SandboxProvider:
    name = NAME

    def checkout_start(self, payment, *, success_url: str, cancel_url: str) -> Checkout:
        session = Session(
            reference=_reference("sbx_cs", payment.idempotency_key),
            mode=PAYMENT,
            success_url=success_url,
            cancel_url=cancel_url,
            amount_cents=cents(payment.amount),
            description=payment.invoice.number,
            method=payment.method,
            metadata={"payment_id": str(payment.pk), "invoice_number": payment.invoice.number},
            expires_at=int(payment.created_at.timestamp()) + checkout_lifetime_seconds(),
        )
        return Checkout(session.reference, _page_url(session))

    def setup_start(self, *, company_id: int, idempotency_key: str, success_url: str, cancel_url: str) -> Checkout:
        session = Session(
            reference=_reference("sbx_seti", idempotency_key),
            mode=SETUP,
            success_url=success_url,
            cancel_url=cancel_url,
            amount_cents=None,
            metadata={"company_id": str(company_id)},
            expires_at=int(time.time()) + checkout_lifetime_seconds(),
        )
        return Checkout(session.reference, _page_url(session))

    def setup_card(self, event: Event) -> CardDetails | None:
        return event.card

    def webhook_parse(self, body: bytes, headers: Mapping[str, str]) -> Event:
        verify_signature(body, headers.get(SIGNATURE_HEADER, ""))
        try:
            payload = json.loads(body)
            data = payload["data"]
            outcome = EVENT_OUTCOMES.get(payload["type"], Outcome.IGNORED)
            card = data.get("card")
            return Event(
                id=str(payload["id"]),
                type=str(payload["type"]),
                outcome=outcome,
                provider_reference=str(data["reference"]),
                amount=None if data.get("amount") is None else Decimal(int(data["amount"])) / 100,
                currency=str(data.get("currency") or "").upper(),
                method=str(data.get("method") or ""),
                failure_reason=str(data.get("failure_code") or ""),
                metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
                card=CardDetails(**card) if card else None,
                payload=payload,
            )
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError) as exc:
            # Signed by us but not understood: treated like a forgery, never half-applied.
            raise SignatureError(f"malformed sandbox event: {exc}") from exc


# --- Signatures --------------------------------------------------------------------------------


def _mac(timestamp: int, body: bytes) -> str:
    return hmac.new(secret().encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def sign(body: bytes, *, timestamp: int | None = None) -> str:
    """The signature header of a webhook body: t=<unix time>,v1=<HMAC-SHA256 of "t.body">."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={_mac(timestamp, body)}"


def verify_signature(body: bytes, header: str) -> None:
    """SignatureError unless `header` signs `body` with our secret within the tolerance window
    (an old, replayed notification is refused like a forged one)."""
    try:
        items = dict(part.split("=", 1) for part in header.split(",") if part)
        timestamp = int(items["t"])
        signature = items["v1"]
    except (KeyError, ValueError) as exc:
        raise SignatureError("no sandbox signature") from exc
    if not hmac.compare_digest(_mac(timestamp, body), signature):
        raise SignatureError("sandbox signature does not match")
    if abs(time.time() - timestamp) > settings.PAYMENT_WEBHOOK_TOLERANCE_SECONDS:
        raise SignatureError("sandbox signature outside the tolerance window")


# --- What the hosted page does once the customer decided ------------------------------------------


def _done_key(reference: str) -> str:
    return f"payments:sandbox:done:{reference}"


def session_outcome(session: Session) -> str | None:
    """The outcome already given on this page, if any (a page is used once, like a real provider's)."""
    return cache.get(_done_key(session.reference))


def event_body(
    session: Session,
    *,
    outcome: Outcome,
    method: str = "card",
    failure: str = "",
    card: CardDetails | None = None,
) -> bytes:
    """The JSON body of the webhook telling our side how the page ended."""
    kind = "setup" if session.is_setup else "checkout"
    suffix = {
        Outcome.SUCCEEDED: "succeeded",
        Outcome.SETUP_SUCCEEDED: "succeeded",
        Outcome.FAILED: "failed",
        Outcome.SETUP_FAILED: "failed",
        Outcome.CANCELLED: "cancelled",
    }[outcome]
    data = {
        "reference": session.reference,
        "mode": session.mode,
        "amount": session.amount_cents,
        "currency": session.currency,
        "method": method,
        "failure_code": failure,
        "metadata": session.metadata,
        "card": asdict(card) if card else None,
    }
    payload = {"id": f"evt_sbx_{secrets.token_hex(12)}", "type": f"{kind}.{suffix}", "created": int(time.time())}
    return json.dumps(payload | {"data": data}, separators=(",", ":")).encode()


def session_complete(session: Session, **outcome) -> bool:
    """Close the page with an outcome and queue its webhook. False when the page was already closed
    (a second submit, another tab): nothing is sent again."""
    from selfcare.billing.payments.tasks import sandbox_webhook_deliver

    # cache.add is atomic: of two submits of the same page only one gets here first. With a
    # per-process cache (local memory) the guarantee is per process; the webhook handler is what
    # makes a second notification harmless anyway.
    if not cache.add(_done_key(session.reference), outcome["outcome"], timeout=checkout_lifetime_seconds()):
        return False
    sandbox_webhook_deliver(event_body(session, **outcome).decode())
    return True


def card_token() -> str:
    return f"pm_sbx_{secrets.token_hex(12)}"


def challenge_token(session: Session, card: CardDetails) -> str:
    """The card's summary (token, brand, last digits, expiry: never the number) carried to the
    3-D Secure challenge page of this session."""
    return signing.dumps({"reference": session.reference, "card": asdict(card)}, salt=CHALLENGE_SALT)


def card_from_challenge(session: Session, value: str) -> CardDetails:
    """The card of a challenge token; signing.BadSignature when it is not one of this session's."""
    data = signing.loads(value, salt=CHALLENGE_SALT, max_age=checkout_lifetime_seconds())
    if data.get("reference") != session.reference:
        raise signing.BadSignature("challenge of another session")
    return CardDetails(**data["card"])

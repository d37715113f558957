"""The payment provider port (DESIGN.md §6): a hosted checkout page, a card setup page, signed webhooks.

Our side never sees a card number: it asks the provider for a checkout page, sends the browser
there, and learns the outcome from the provider's signed notification (the webhook). The return
to our site after the hosted page is only a hint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from selfcare.billing.models import Payment


class ProviderError(Exception):
    """The provider could not be reached or refused the request: nothing was charged."""


class SignatureError(Exception):
    """A webhook whose signature is missing, wrong or too old: it is not from the provider."""


class Outcome(StrEnum):
    """What a provider's event says about a payment or a card setup."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    # Still open at the provider (e.g. a checkout completed with a payment that settles later).
    PENDING = "pending"
    SETUP_SUCCEEDED = "setup_succeeded"
    SETUP_FAILED = "setup_failed"
    # An event type this integration does not act on.
    IGNORED = "ignored"


class FailureReason(StrEnum):
    """Why a payment did not go through; stored on the Payment, explained by messages.failure_message."""

    CARD_DECLINED = "card_declined"
    INSUFFICIENT_FUNDS = "insufficient_funds"
    AUTHENTICATION_FAILED = "authentication_failed"
    PAYMENT_FAILED = "payment_failed"
    CANCELLED_BY_USER = "cancelled_by_user"
    EXPIRED = "expired"
    PROVIDER_UNAVAILABLE = "provider_unavailable"


@dataclass(frozen=True)
class Checkout:
    """A page at the provider and the provider's id for it."""

    provider_reference: str
    checkout_url: str


@dataclass(frozen=True)
class CardDetails:
    """What a provider tells about a card it saved: a token, never the number."""

    token: str
    brand: str
    last4: str
    exp_month: int
    exp_year: int


@dataclass(frozen=True)
class Event:
    """A provider's notification, verified and translated into our terms."""

    id: str
    type: str
    outcome: Outcome
    provider_reference: str = ""
    amount: Decimal | None = None
    currency: str = ""
    method: str = ""
    failure_reason: str = ""
    # What we sent the provider when the page was opened (our payment id, the company's id...).
    metadata: Mapping[str, str] = field(default_factory=dict)
    card: CardDetails | None = None
    # A setup whose card the provider describes apart (Stripe's SetupIntent): asked by setup_card().
    setup_reference: str = ""
    payload: dict = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str

    def checkout_start(self, payment: Payment, *, success_url: str, cancel_url: str) -> Checkout:
        """Open a hosted checkout page for `payment`, sent with its idempotency key: a repeated call
        for the same payment gives the same page."""
        ...

    def setup_start(self, *, company_id: int, idempotency_key: str, success_url: str, cancel_url: str) -> Checkout:
        """Open a hosted page where a card is saved for the company's later payments (no charge)."""
        ...

    def webhook_parse(self, body: bytes, headers: Mapping[str, str]) -> Event:
        """Verify a webhook's signature (SignatureError when it does not match) and translate it,
        without calling the provider."""
        ...

    def setup_card(self, event: Event) -> CardDetails | None:
        """The card a successful setup event saved: from the event itself, or asked from the
        provider (ProviderError when it cannot answer now)."""
        ...

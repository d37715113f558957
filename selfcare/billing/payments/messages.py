"""What the customer reads about a payment that did not go through, by the reason stored on it."""

from django.utils.translation import gettext_lazy as _

from .providers.base import FailureReason

FAILURE_MESSAGES = {
    FailureReason.CARD_DECLINED: _("Your card was declined. Nothing was charged: try another card or PayPal."),
    FailureReason.INSUFFICIENT_FUNDS: _(
        "The card has insufficient funds. Nothing was charged: try another card or PayPal."
    ),
    FailureReason.AUTHENTICATION_FAILED: _(
        "Your bank's security check (3-D Secure) was not completed. Nothing was charged: you can try again."
    ),
    FailureReason.PAYMENT_FAILED: _("The payment was refused by your bank or by PayPal. Nothing was charged."),
    FailureReason.CANCELLED_BY_USER: _("You cancelled the payment. Nothing was charged."),
    FailureReason.EXPIRED: _("The payment page expired before the payment was made. Nothing was charged."),
    FailureReason.PROVIDER_UNAVAILABLE: _(
        "The payment service was not available. Nothing was charged: please try again in a few minutes."
    ),
}
GENERIC_FAILURE = _("The payment did not go through. Nothing was charged.")


def failure_message(reason: str) -> str:
    """The explanation of a stored failure reason; a reason we have no words for gets the generic one."""
    return FAILURE_MESSAGES.get(reason, GENERIC_FAILURE)


SETUP_FAILURE_MESSAGES = {
    FailureReason.CARD_DECLINED: _("The card was declined by its bank: try another card."),
    FailureReason.INSUFFICIENT_FUNDS: _("The card's bank refused it (insufficient funds): try another card."),
    FailureReason.AUTHENTICATION_FAILED: _(
        "Your bank's security check (3-D Secure) was not completed: the card was not saved."
    ),
    FailureReason.CANCELLED_BY_USER: _("You cancelled: no card was saved and the payment method is unchanged."),
    FailureReason.EXPIRED: _("The page expired before the card was saved: the payment method is unchanged."),
}
GENERIC_SETUP_FAILURE = _("The card could not be saved: the payment method is unchanged.")


def setup_failure_message(reason: str) -> str:
    """The explanation of why a card was not saved."""
    return SETUP_FAILURE_MESSAGES.get(reason, GENERIC_SETUP_FAILURE)

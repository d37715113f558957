"""Payment providers behind one small interface (base.PaymentProvider), chosen by settings.PAYMENT_PROVIDER."""

from django.conf import settings

from .base import PaymentProvider

PROVIDERS = ("sandbox", "stripe")


def get_provider(name: str | None = None) -> PaymentProvider:
    """The configured provider, or the one named; LookupError for a name we do not know."""
    name = name or settings.PAYMENT_PROVIDER
    if name == "sandbox":
        from .sandbox import SandboxProvider

        return SandboxProvider()
    if name == "stripe":
        from .stripe import StripeProvider

        return StripeProvider()
    raise LookupError(f"unknown payment provider {name!r}")

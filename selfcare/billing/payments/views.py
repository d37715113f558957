"""Pages of online payment (SPEC F-BIL-2): "PAGA", the outcome page, the providers' webhook, and the
card setup for the payment method (SPEC F-BIL-5)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from selfcare.billing.models import Payment
from selfcare.core.decorators import capability_required, public
from selfcare.core.errors import ApplicationError
from selfcare.core.htmx import is_fragment_request, render_page_or_fragment
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip

from . import selectors, services
from .forms import PayForm
from .messages import failure_message, setup_failure_message
from .providers import PROVIDERS
from .providers.base import ProviderError, SignatureError

AREA = "conto"


def see_other(url: str) -> HttpResponseRedirect:
    """A 303: after a POST the browser follows with a GET."""
    return HttpResponseRedirect(url, status=303)


def base_url(request) -> str:
    """This site's address as the browser reached it (its host checked against ALLOWED_HOSTS)."""
    return request.build_absolute_uri("/").rstrip("/")


def still_waiting() -> HttpResponse:
    """htmx's poll while nothing changed: 204 swaps nothing, so a screen reader does not hear the
    same waiting message again every few seconds; polling goes on."""
    response = HttpResponse(status=204)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _back(request) -> str:
    """Where a refused "PAGA" goes back to: the page that sent it (a `next` field on this site),
    else the invoice list."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("billing:invoices")


@require_POST
@capability_required(Cap.INVOICES_PAY)
def invoice_pay(request, invoice_id: int):
    """ "PAGA": off to the provider's page of the invoice's open attempt (a new one if none)."""
    invoice = selectors.invoice_get(scope=request.scope, invoice_id=invoice_id)
    form = PayForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose how to pay: card or PayPal."))
        return see_other(_back(request))
    try:
        started = services.payment_start(
            scope=request.scope,
            invoice_id=invoice.pk,
            method=form.cleaned_data["method"],
            base_url=base_url(request),
            ip=client_ip(request),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return see_other(_back(request))
    payment = started.payment
    if payment.status == Payment.Status.PENDING:
        return see_other(payment.checkout_url)
    return see_other(reverse("payments:outcome", kwargs={"payment_id": payment.pk}))


@dataclass(frozen=True)
class OutcomeView:
    """What the outcome page says about a payment."""

    state: str  # paid | refused | cancelled | expired | left | waiting
    message: str
    poll: bool = False


def outcome_of(payment: Payment, *, left: bool) -> OutcomeView:
    """Read only: the page tells what the provider's notifications have settled, never settles
    anything itself (the return from the provider's page proves nothing)."""
    status = payment.status
    if status == Payment.Status.SUCCEEDED:
        return OutcomeView(
            "paid", _("Payment received: invoice %(number)s is paid.") % {"number": payment.invoice.number}
        )
    if status == Payment.Status.FAILED:
        return OutcomeView("refused", str(failure_message(payment.failure_reason)))
    if status == Payment.Status.CANCELLED:
        return OutcomeView("cancelled", str(failure_message(payment.failure_reason)))
    if selectors.payment_is_stale(payment):
        return OutcomeView("expired", _("The payment page expired before the payment was made. Nothing was charged."))
    if left:
        return OutcomeView(
            "left", _("You left the payment page before paying: nothing has been charged. You can pay later."), True
        )
    return OutcomeView(
        "waiting",
        _("We are waiting for the payment service to confirm your payment. This page updates by itself."),
        True,
    )


@require_GET
@capability_required(Cap.INVOICES_VIEW)
def payment_outcome(request, payment_id: int):
    """Where the provider's page sends the browser back; htmx polls it while the payment is open."""
    payment = selectors.payment_get(scope=request.scope, payment_id=payment_id)
    outcome = outcome_of(payment, left=request.GET.get("annullato") == "1")
    if outcome.poll and is_fragment_request(request):
        return still_waiting()
    invoice = payment.invoice
    context = {
        "payment": payment,
        "invoice": invoice,
        "outcome": outcome,
        "can_retry": outcome.state in ("refused", "cancelled", "expired", "left")
        and invoice.amount_due > 0
        and request.scope.can(Cap.INVOICES_PAY),
        "active_area": AREA,
    }
    return render_page_or_fragment(request, "billing/payments/outcome.html", "billing/payments/_outcome.html", context)


# The card setup a user started last, kept in his session for the return page (the provider's
# reference of its page, which provider, and when).
CARD_SETUP_SESSION_KEY = "payments_card_setup"


@require_POST
@capability_required(Cap.BILLING_PROFILE_EDIT)
def card_setup(request):
    """ "Add a card": off to the provider's page where the card is saved (nothing is charged)."""
    try:
        checkout = services.card_setup_start(scope=request.scope, base_url=base_url(request), ip=client_ip(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return see_other(reverse("billing:payment_method"))
    request.session[CARD_SETUP_SESSION_KEY] = {
        "provider": settings.PAYMENT_PROVIDER,
        "reference": checkout.provider_reference,
        "started": timezone.now().isoformat(),
    }
    return see_other(checkout.checkout_url)


@require_GET
@capability_required(Cap.BILLING_PROFILE_EDIT)
def card_setup_outcome(request):
    """Where the provider's setup page sends the browser back; htmx polls it until the card is saved."""
    started = request.session.get(CARD_SETUP_SESSION_KEY)
    if not started:
        return redirect("billing:payment_method")
    setup = selectors.card_setup_state(
        scope=request.scope,
        provider=started["provider"],
        reference=started["reference"],
        since=datetime.datetime.fromisoformat(started["started"]),
    )
    if setup.state == "waiting" and is_fragment_request(request):
        return still_waiting()
    left = setup.state == "waiting" and request.GET.get("annullato") == "1"
    context = {
        "setup": setup,
        "left": left,
        "reason": setup_failure_message(setup.reason),
        "active_area": AREA,
    }
    return render_page_or_fragment(
        request, "billing/payments/card_setup_outcome.html", "billing/payments/_card_setup_outcome.html", context
    )


@csrf_exempt
@require_POST
@public
def webhook(request, provider: str):
    """A provider's notification: signed, so no session or CSRF token (the signature is the proof)."""
    if provider not in PROVIDERS or provider != settings.PAYMENT_PROVIDER:
        raise Http404
    try:
        result = services.webhook_receive(provider=provider, body=request.body, headers=request.headers)
    except SignatureError:
        return JsonResponse({"error": "signature not valid"}, status=400)
    except services.WebhookRefused as exc:
        return JsonResponse({"error": exc.reason}, status=400)
    except ProviderError:
        # Details the provider could not give now: its retry will find them.
        return JsonResponse({"error": "try again later"}, status=503)
    return JsonResponse({"status": result.status, "event": result.event_id})

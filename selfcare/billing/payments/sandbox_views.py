"""The sandbox provider's hosted pages: checkout (card or PayPal), card setup, 3-D Secure challenge.

These pages stand for the provider's site: they are public (the unguessable token in the address
is the only key, as with a real provider's checkout link), they read nothing of ours, and they
tell our side the outcome only through a signed webhook. A card number is checked here and never
stored or logged.
"""

import time

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from selfcare.core.decorators import public

from .forms import SandboxCardForm
from .providers import sandbox
from .providers.base import CardDetails, FailureReason, Outcome

TABS = ("card", "paypal")


def _session(token: str) -> tuple[sandbox.Session | None, bool]:
    """The page's session, or (None, True) when its time is over; 404 for a token not ours (and on
    every address when another provider is configured)."""
    if settings.PAYMENT_PROVIDER != sandbox.NAME:
        raise Http404
    try:
        session = sandbox.session_from_token(token)
    except signing.SignatureExpired:
        return None, True
    except (signing.BadSignature, TypeError, ValueError):
        raise Http404 from None
    return session, time.time() > session.expires_at


def _closed(request, session, *, expired: bool):
    context = {"session": session, "expired": expired, "merchant": settings.BRAND["operator"]}
    return render(request, "billing/payments/sandbox/closed.html", context, status=410 if expired else 200)


def _finish(request, session: sandbox.Session, *, outcome: Outcome, method: str = "card", failure: str = "", card=None):
    """Close the page with its outcome (the webhook goes out as a job) and send the browser back to
    the merchant: the cancel address when the customer gave up, the return address otherwise."""
    if session.is_setup:
        outcome = {Outcome.SUCCEEDED: Outcome.SETUP_SUCCEEDED}.get(outcome, Outcome.SETUP_FAILED)
    if not sandbox.session_complete(session, outcome=outcome, method=method, failure=failure, card=card):
        return _closed(request, session, expired=False)
    given_up = failure == FailureReason.CANCELLED_BY_USER
    return HttpResponseRedirect(session.cancel_url if given_up else session.success_url, status=303)


def _card_of(form: SandboxCardForm, test_card: sandbox.TestCard) -> CardDetails:
    month, year = form.cleaned_data["expiry"]
    number = form.cleaned_data["number"]
    return CardDetails(
        token=sandbox.card_token(), brand=test_card.brand, last4=number[-4:], exp_month=month, exp_year=year
    )


@sensitive_post_parameters("number", "cvc", "expiry")
@require_http_methods(["GET", "POST"])
@public
def sandbox_checkout(request, token: str):
    session, expired = _session(token)
    if expired:
        return _closed(request, session, expired=True)
    if sandbox.session_outcome(session):
        return _closed(request, session, expired=False)
    tab = request.GET.get("tab") or session.method
    tab = "card" if session.is_setup or tab not in TABS else tab
    form = SandboxCardForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "cancel":
            return _finish(request, session, outcome=Outcome.CANCELLED, failure=FailureReason.CANCELLED_BY_USER)
        if action == "paypal" and not session.is_setup:
            return _finish(request, session, outcome=Outcome.SUCCEEDED, method="paypal")
        form = SandboxCardForm(request.POST)
        if form.is_valid():
            test_card = sandbox.TEST_CARDS_BY_NUMBER.get(form.cleaned_data["number"])
            if test_card is None:
                form.add_error(
                    "number",
                    _("This is a test page: use one of the test cards listed on it. No real card is charged here."),
                )
            elif test_card.result == sandbox.CHALLENGE:
                query = urlencode({"c": sandbox.challenge_token(session, _card_of(form, test_card))})
                return HttpResponseRedirect(
                    f"{reverse('payments:sandbox_challenge', kwargs={'token': token})}?{query}", status=303
                )
            elif test_card.result == sandbox.DECLINE:
                return _finish(request, session, outcome=Outcome.FAILED, failure=test_card.failure)
            else:
                return _finish(request, session, outcome=Outcome.SUCCEEDED, card=_card_of(form, test_card))
        tab = "card"
    context = {
        "session": session,
        "token": token,
        "tab": tab,
        "form": form,
        "test_cards": sandbox.TEST_CARDS,
        "merchant": settings.BRAND["operator"],
    }
    return render(request, "billing/payments/sandbox/checkout.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@public
def sandbox_challenge(request, token: str):
    """The card issuer's 3-D Secure page: the customer confirms, or the check fails."""
    session, expired = _session(token)
    if expired:
        return _closed(request, session, expired=True)
    if sandbox.session_outcome(session):
        return _closed(request, session, expired=False)
    challenge = request.POST.get("c") if request.method == "POST" else request.GET.get("c")
    try:
        card = sandbox.card_from_challenge(session, challenge or "")
    except (signing.BadSignature, TypeError, ValueError):
        raise Http404 from None
    if request.method == "POST":
        if request.POST.get("decision") == "approve":
            return _finish(request, session, outcome=Outcome.SUCCEEDED, card=card)
        return _finish(request, session, outcome=Outcome.FAILED, failure=FailureReason.AUTHENTICATION_FAILED)
    context = {"session": session, "card": card, "challenge": challenge, "merchant": settings.BRAND["operator"]}
    return render(request, "billing/payments/sandbox/challenge.html", context)

"""The Stripe adapter against recorded Stripe responses, with webhooks signed here as Stripe signs them.

The Stripe library is used for real; only its HTTP transport is replaced by one that answers with
the JSON files of tests/billing/stripe_responses/ and keeps every request for the assertions.
"""

import hashlib
import hmac
import json
import logging
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe
from django.urls import reverse

from selfcare.billing.models import Invoice, Payment, PaymentMethod, WebhookEvent
from selfcare.billing.payments.providers import get_provider
from selfcare.billing.payments.providers import stripe as stripe_adapter
from tests.factories import issue_invoice

pytestmark = pytest.mark.django_db

RESPONSES = Path(__file__).parent / "stripe_responses"
SECRET_KEY = "sk_test_51RecordedKeyForTestsOnly"
WEBHOOK_SECRET = "whsec_test_5f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f"
SESSION_ID = "cs_test_a1Qx7bZp3mJk9LrT2vWc4nYd6FhG8sEu0oIaKbXyZ"
WEBHOOK_URL = "/pagamenti/webhook/stripe/"


@dataclass
class Request:
    method: str
    url: str
    headers: dict
    form: dict


class RecordedStripe(stripe.HTTPClient):
    """Stripe's HTTP transport replaced by recorded answers, in order: (file name, HTTP status)."""

    name = "recorded"

    def __init__(self):
        super().__init__()
        self.answers: list[tuple[str, int]] = []
        self.requests: list[Request] = []

    def answer(self, name: str, status: int = 200) -> "RecordedStripe":
        self.answers.append((name, status))
        return self

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        query = urlsplit(url).query
        form = parse_qs(post_data or query, keep_blank_values=True)
        self.requests.append(Request(method, url, dict(headers or {}), {k: v[0] for k, v in form.items()}))
        assert self.answers, f"no recorded answer left for {method.upper()} {url}"
        name, status = self.answers.pop(0)
        body = (RESPONSES / name).read_text()
        return body, status, {"Request-Id": "req_recorded", "Content-Type": "application/json"}

    def request_stream(self, *args, **kwargs):
        raise NotImplementedError

    def close(self):
        pass


@pytest.fixture
def recorded(settings, monkeypatch) -> RecordedStripe:
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    transport = RecordedStripe()
    monkeypatch.setattr(stripe_adapter, "HTTP_CLIENT", transport)
    return transport


@pytest.fixture
def manager(client_as):
    client = client_as("manager")
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def overdue(company):
    invoice = issue_invoice(company, status="overdue")
    assert invoice.total_amount == Decimal("36.59")  # the amount of the recorded sessions (3659 cents)
    return invoice


def click_pay(client, invoice, method="card"):
    return client.post(reverse("payments:invoice_pay", kwargs={"invoice_id": invoice.pk}), {"method": method})


@pytest.fixture
def payment(recorded, manager, overdue) -> Payment:
    recorded.answer("checkout_session_payment.json")
    assert click_pay(manager, overdue).status_code == 303
    return Payment.objects.get(invoice=overdue)


def stripe_event(name: str, payment: Payment | None = None, **session) -> bytes:
    """A recorded event, pointed at the test's payment (its id and amount differ between runs)."""
    event = json.loads((RESPONSES / name).read_text())
    obj = event["data"]["object"]
    if payment is not None:
        obj["id"] = payment.provider_reference
        obj["metadata"]["payment_id"] = str(payment.pk)
        obj["client_reference_id"] = str(payment.pk)
        obj["amount_total"] = int(payment.amount * 100)
    obj.update(session)
    return json.dumps(event, indent=2).encode()


def stripe_signature(body: bytes, *, secret=WEBHOOK_SECRET, timestamp=None) -> str:
    """The Stripe-Signature header as Stripe computes it: HMAC-SHA256 of "t.payload"."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    v1 = hmac.new(secret.encode(), f"{timestamp}.{body.decode()}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={v1}"


def deliver(client, body: bytes, header: str | None = None):
    header = stripe_signature(body) if header is None else header
    return client.post(WEBHOOK_URL, body, content_type="application/json", headers={"Stripe-Signature": header})


# --- Checkout -------------------------------------------------------------------------------------


def test_paga_opens_a_checkout_session_for_the_amount_due(recorded, manager, overdue):
    recorded.answer("checkout_session_payment.json")
    response = click_pay(manager, overdue)
    assert response.status_code == 303
    assert response["Location"].startswith(f"https://checkout.stripe.com/c/pay/{SESSION_ID}#")
    payment = Payment.objects.get()
    assert (payment.provider, payment.provider_reference) == ("stripe", SESSION_ID)
    assert payment.checkout_url == response["Location"]

    (sent,) = recorded.requests
    assert (sent.method, sent.url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert sent.headers["Idempotency-Key"] == payment.idempotency_key
    assert sent.headers["Authorization"] == f"Bearer {SECRET_KEY}"
    outcome = f"http://testserver/pagamenti/{payment.pk}/esito/"
    assert sent.form == {
        "mode": "payment",
        "payment_method_types[0]": "card",
        "payment_method_types[1]": "paypal",
        "line_items[0][quantity]": "1",
        "line_items[0][price_data][currency]": "eur",
        "line_items[0][price_data][unit_amount]": "3659",
        "line_items[0][price_data][product_data][name]": f"Nexo Telecom {overdue.number}",
        "client_reference_id": str(payment.pk),
        "metadata[payment_id]": str(payment.pk),
        "metadata[invoice_number]": overdue.number,
        "metadata[company_id]": str(overdue.company_id),
        "payment_intent_data[metadata][payment_id]": str(payment.pk),
        "payment_intent_data[metadata][invoice_number]": overdue.number,
        "payment_intent_data[metadata][company_id]": str(overdue.company_id),
        "payment_intent_data[description]": overdue.number,
        "success_url": outcome,
        "cancel_url": f"{outcome}?annullato=1",
        "expires_at": str(int(payment.created_at.timestamp()) + 3600),
    }


def test_a_second_click_reuses_the_open_session_without_calling_stripe(recorded, manager, overdue, payment):
    response = click_pay(manager, overdue, method="paypal")
    assert response.status_code == 303 and response["Location"] == payment.checkout_url
    assert len(recorded.requests) == 1 and Payment.objects.count() == 1


def test_a_repeated_call_for_one_attempt_sends_the_same_idempotency_key(recorded, payment):
    recorded.answer("checkout_session_payment.json")
    get_provider().checkout_start(payment, success_url="http://testserver/a", cancel_url="http://testserver/b")
    first, second = recorded.requests
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == payment.idempotency_key
    urls = {"success_url": first.form["success_url"], "cancel_url": first.form["cancel_url"]}
    assert first.form == second.form | urls


def test_stripe_refusing_the_call_charges_nothing_and_the_next_click_starts_afresh(recorded, manager, overdue, caplog):
    recorded.answer("error_invalid_api_key.json", 401)
    with caplog.at_level(logging.WARNING, logger="selfcare.payments"):
        response = click_pay(manager, overdue)
    assert response.status_code == 303 and response["Location"] == reverse("billing:invoices")
    page = manager.get(response["Location"]).content.decode()
    assert "The payment service is not available right now and nothing was charged." in page
    assert "Invalid API Key" in caplog.text
    failed = Payment.objects.get()
    assert (failed.status, failed.failure_reason) == (Payment.Status.CANCELLED, "provider_unavailable")

    recorded.answer("checkout_session_payment.json")
    assert click_pay(manager, overdue).status_code == 303
    retry = Payment.objects.get(status=Payment.Status.PENDING)
    assert retry.pk != failed.pk
    assert recorded.requests[1].headers["Idempotency-Key"] == retry.idempotency_key != failed.idempotency_key


def test_without_a_secret_key_no_call_is_made(recorded, manager, overdue, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = click_pay(manager, overdue)
    assert response.status_code == 303 and response["Location"] == reverse("billing:invoices")
    assert recorded.requests == []
    assert Payment.objects.get().failure_reason == "provider_unavailable"


def test_the_api_starts_a_payment_and_reports_its_status(recorded, client_as, overdue):
    api = client_as("admin")
    recorded.answer("checkout_session_payment.json")
    url = reverse("api:invoice_pay", kwargs={"invoice_id": overdue.pk})
    created = api.post(url, {"method": "paypal"}, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    payment = Payment.objects.get()
    assert body["id"] == payment.pk and body["status"] == "pending" and body["method"] == "paypal"
    assert body["checkout_url"].startswith("https://checkout.stripe.com/") and body["amount"] == "36.59"
    assert body["currency"] == "EUR" and body["invoice_number"] == overdue.number
    again = api.post(url, {}, content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == payment.pk
    detail = api.get(reverse("api:payment", kwargs={"payment_id": payment.pk}))
    assert detail.status_code == 200 and detail.json()["status"] == "pending"

    deliver(api, stripe_event("event_checkout_session_completed.json", payment))
    detail = api.get(reverse("api:payment", kwargs={"payment_id": payment.pk})).json()
    assert detail["status"] == "succeeded" and detail["checkout_url"] is None and detail["settled_at"]
    refused = api.post(url, {}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "already_paid"


def test_the_api_refuses_a_bad_method_and_hides_other_companies(recorded, client_as, overdue, other_company):
    api = client_as("manager")
    url = reverse("api:invoice_pay", kwargs={"invoice_id": overdue.pk})
    bad = api.post(url, {"method": "cash"}, content_type="application/json")
    assert bad.status_code == 400 and "method" in bad.json()["error"]["fields"]
    foreign = issue_invoice(other_company)
    foreign_url = reverse("api:invoice_pay", args=[foreign.pk])
    assert api.post(foreign_url, {}, content_type="application/json").status_code == 404
    assert recorded.requests == [] and not Payment.objects.exists()


# --- Webhooks -------------------------------------------------------------------------------------


def test_checkout_session_completed_pays_the_invoice_once(client, payment, overdue):
    body = stripe_event("event_checkout_session_completed.json", payment)
    response = deliver(client, body)
    assert response.status_code == 200
    assert response.json() == {"status": "processed", "event": "evt_1SxZ01B2cD3eF4gHk3LmN5oP"}
    payment.refresh_from_db()
    overdue.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert overdue.status == Invoice.Status.PAID and overdue.paid_amount == overdue.total_amount
    assert deliver(client, body).json()["status"] == "duplicate"
    overdue.refresh_from_db()
    assert overdue.paid_amount == overdue.total_amount and WebhookEvent.objects.count() == 1


def test_a_delayed_payment_waits_for_async_payment_succeeded(client, payment, overdue):
    completed = stripe_event("event_checkout_session_completed.json", payment, payment_status="unpaid")
    assert deliver(client, completed).json()["status"] == "processed"
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PENDING
    assert WebhookEvent.objects.get().outcome == "waiting"
    succeeded = json.loads(stripe_event("event_checkout_session_completed.json", payment))
    succeeded |= {"id": "evt_async_ok", "type": "checkout.session.async_payment_succeeded"}
    assert deliver(client, json.dumps(succeeded).encode()).status_code == 200
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID


def test_async_payment_failed_refuses_the_payment(manager, client, payment, overdue):
    deliver(client, stripe_event("event_checkout_session_async_payment_failed.json", payment))
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (Payment.Status.FAILED, "payment_failed")
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.OVERDUE
    page = manager.get(reverse("payments:outcome", kwargs={"payment_id": payment.pk})).content.decode()
    assert "The payment was refused by your bank or by PayPal." in page


def test_an_expired_session_closes_the_attempt_and_paga_opens_a_new_one(recorded, manager, client, payment, overdue):
    deliver(client, stripe_event("event_checkout_session_expired.json", payment))
    payment.refresh_from_db()
    assert (payment.status, payment.failure_reason) == (Payment.Status.CANCELLED, "expired")
    recorded.answer("checkout_session_payment.json")
    assert click_pay(manager, overdue).status_code == 303
    assert Payment.objects.filter(status=Payment.Status.PENDING).exclude(pk=payment.pk).count() == 1


def test_the_completed_event_after_an_expiry_changes_nothing(client, payment, overdue):
    deliver(client, stripe_event("event_checkout_session_expired.json", payment))
    late = deliver(client, stripe_event("event_checkout_session_completed.json", payment))
    assert late.status_code == 200
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.OVERDUE and overdue.paid_amount == 0


@pytest.mark.parametrize("header", ["wrong secret", "ten minutes old", "missing", "garbage"])
def test_a_wrong_signature_is_refused_and_logged(client, payment, overdue, caplog, header):
    body = stripe_event("event_checkout_session_completed.json", payment)
    header = {
        "wrong secret": stripe_signature(body, secret="whsec_not_ours"),
        "ten minutes old": stripe_signature(body, timestamp=int(time.time()) - 600),
        "missing": "",
        "garbage": "t=x,v1=y",
    }[header]
    with caplog.at_level(logging.WARNING, logger="selfcare.payments"):
        response = deliver(client, body, header)
    assert response.status_code == 400
    assert "stripe notification refused, signature not valid" in caplog.text
    payment.refresh_from_db()
    overdue.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and overdue.paid_amount == 0
    assert not WebhookEvent.objects.exists()


def test_a_wrong_amount_is_refused(client, payment, overdue, caplog):
    body = stripe_event("event_checkout_session_completed.json", payment, amount_total=100)
    with caplog.at_level(logging.WARNING, logger="selfcare.payments"):
        response = deliver(client, body)
    assert response.status_code == 400 and "amount 1 EUR instead of 36.59 EUR" in caplog.text
    overdue.refresh_from_db()
    assert overdue.paid_amount == 0 and not WebhookEvent.objects.exists()


def test_an_unknown_session_is_refused(client, payment, overdue):
    body = json.loads(stripe_event("event_checkout_session_completed.json", payment))
    body["data"]["object"]["id"] = "cs_test_unknown"
    assert deliver(client, json.dumps(body).encode()).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_events_that_are_not_ours_are_acknowledged_and_ignored(client, payment, overdue):
    other_type = deliver(client, stripe_event("event_payment_intent_succeeded.json"))
    assert other_type.status_code == 200 and other_type.json()["status"] == "ignored"
    # A session of another system on the same Stripe account: no metadata of ours.
    foreign = json.loads(stripe_event("event_checkout_session_completed.json"))
    foreign["data"]["object"]["metadata"] = {"order": "A-17"}
    assert deliver(client, json.dumps(foreign).encode()).json()["status"] == "ignored"
    assert not WebhookEvent.objects.exists()
    overdue.refresh_from_db()
    assert overdue.paid_amount == 0


def test_the_sandbox_endpoint_is_closed_when_stripe_is_configured(client, payment):
    body = stripe_event("event_checkout_session_completed.json", payment)
    assert client.post("/pagamenti/webhook/sandbox/", body, content_type="application/json").status_code == 404


# --- A card as the payment method ---------------------------------------------------------------------


def setup_event(company, **session) -> bytes:
    event = json.loads((RESPONSES / "event_checkout_session_completed_setup.json").read_text())
    event["data"]["object"]["metadata"]["company_id"] = str(company.pk)
    event["data"]["object"].update(session)
    return json.dumps(event).encode()


def test_add_a_card_opens_a_setup_session_and_its_webhook_saves_the_card(recorded, manager, client, company):
    recorded.answer("checkout_session_setup.json")
    response = manager.post(reverse("payments:card_setup"))
    assert response.status_code == 303
    assert response["Location"].startswith("https://checkout.stripe.com/c/pay/cs_test_c1Setup9")
    (sent,) = recorded.requests
    assert (sent.method, sent.url) == ("post", "https://api.stripe.com/v1/checkout/sessions")
    assert len(sent.headers["Idempotency-Key"]) == 32
    assert sent.form == {
        "mode": "setup",
        "currency": "eur",
        "payment_method_types[0]": "card",
        "client_reference_id": f"company-{company.pk}",
        "metadata[company_id]": str(company.pk),
        "metadata[purpose]": "payment_method",
        "success_url": "http://testserver/pagamenti/metodo/carta/esito/",
        "cancel_url": "http://testserver/pagamenti/metodo/carta/esito/?annullato=1",
    }
    assert 'data-state="waiting"' in manager.get(reverse("payments:card_setup_outcome")).content.decode()

    # The completed session names its SetupIntent: the adapter reads the card from it.
    recorded.answer("setup_intent_with_card.json")
    assert deliver(client, setup_event(company)).json()["status"] == "processed"
    fetched = recorded.requests[1]
    assert fetched.method == "get"
    assert fetched.url.startswith("https://api.stripe.com/v1/setup_intents/seti_1SxYzAB2cD3eF4gH5iJ6kL7m?")
    assert fetched.form == {"expand[0]": "payment_method"}
    method = PaymentMethod.objects.get(company=company, is_current=True)
    assert (method.kind, method.provider, method.provider_token) == ("card", "stripe", "pm_1SxYzBB2cD3eF4gHnM8pQr2s")
    assert (method.card_brand, method.card_last4, method.card_exp_month, method.card_exp_year) == (
        "mastercard",
        "4444",
        8,
        2031,
    )
    page = manager.get(reverse("payments:card_setup_outcome")).content.decode()
    assert "Your MASTERCARD card ending in 4444 now pays" in page

    # Stripe delivers it again: nothing more happens (and Stripe is not asked again).
    assert deliver(client, setup_event(company)).json()["status"] == "duplicate"
    assert PaymentMethod.objects.filter(company=company).count() == 1 and len(recorded.requests) == 2


def test_a_setup_whose_card_stripe_cannot_give_now_is_retried_later(recorded, client, company):
    recorded.answer("error_invalid_api_key.json", 401)
    response = deliver(client, setup_event(company))
    assert response.status_code == 503
    assert not WebhookEvent.objects.exists() and not PaymentMethod.objects.exists()
    recorded.answer("setup_intent_with_card.json")
    assert deliver(client, setup_event(company)).status_code == 200
    assert PaymentMethod.objects.get(company=company).card_last4 == "4444"


def test_an_expired_setup_session_changes_nothing(recorded, client, company):
    body = setup_event(company)
    event = json.loads(body)
    event |= {"id": "evt_setup_expired", "type": "checkout.session.expired"}
    assert deliver(client, json.dumps(event).encode()).status_code == 200
    assert WebhookEvent.objects.get().outcome == "setup failed: expired"
    assert not PaymentMethod.objects.exists()


def test_stripe_unreachable_for_a_setup_says_so(recorded, manager):
    recorded.answer("error_invalid_api_key.json", 401)
    response = manager.post(reverse("payments:card_setup"))
    assert response.status_code == 303 and response["Location"] == reverse("billing:payment_method")
    assert not PaymentMethod.objects.exists()

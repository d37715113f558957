"""Provider notifications (SPEC F-BIL-2): only a signed, known, matching one settles a payment, once.

The sandbox provider's notifications are built and signed here, independently of its code: the
signature is HMAC-SHA256 over "timestamp.body" with SANDBOX_WEBHOOK_SECRET.
"""

import hashlib
import hmac
import json
import logging
import time
from decimal import Decimal

import pytest
from django.conf import settings

from selfcare.billing.models import Invoice, Payment, WebhookEvent
from selfcare.billing.payments import services
from selfcare.core.models import AuditEvent
from selfcare.core.scope import build_scope
from tests.factories import issue_invoice

pytestmark = pytest.mark.django_db

URL = "/pagamenti/webhook/sandbox/"


def start_payment(user, invoice, method="card") -> Payment:
    """An open attempt for `invoice`, started as `user` through the service "PAGA" calls."""
    started = services.payment_start(
        scope=build_scope(user), invoice_id=invoice.pk, method=method, base_url="http://testserver"
    )
    return started.payment


def sandbox_event(payment, kind="checkout.succeeded", *, event_id=None, amount=None, currency="EUR", **data) -> bytes:
    body = {
        "id": event_id or f"evt_test_{kind}_{payment.pk}",
        "type": kind,
        "created": int(time.time()),
        "data": {
            "reference": payment.provider_reference,
            "mode": "payment",
            "amount": int(payment.amount * 100) if amount is None else amount,
            "currency": currency,
            "method": "card",
            "failure_code": "",
            "metadata": {"payment_id": str(payment.pk), "invoice_number": payment.invoice.number},
            "card": None,
        }
        | data,
    }
    return json.dumps(body).encode()


def signature(body: bytes, *, secret=None, timestamp=None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    secret = settings.SANDBOX_WEBHOOK_SECRET if secret is None else secret
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def deliver(client, body: bytes, header: str | None = None, url: str = URL):
    headers = {"Sandbox-Signature": signature(body) if header is None else header}
    return client.post(url, body, content_type="application/json", headers=headers)


@pytest.fixture
def overdue(company):
    return issue_invoice(company, status="overdue")


@pytest.fixture
def payment(profiles, overdue) -> Payment:
    return start_payment(profiles["manager"], overdue)


def unchanged(payment: Payment, invoice: Invoice) -> None:
    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and payment.settled_at is None
    assert invoice.status == Invoice.Status.OVERDUE and invoice.paid_amount == 0 and invoice.paid_at is None
    assert not WebhookEvent.objects.exists()
    assert not AuditEvent.objects.filter(action="invoice_paid_online").exists()


def test_a_signed_success_pays_the_invoice(client, payment, overdue):
    response = deliver(client, sandbox_event(payment))
    assert response.status_code == 200 and response.json()["status"] == "processed"
    payment.refresh_from_db()
    overdue.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.settled_at is not None
    assert overdue.status == Invoice.Status.PAID
    assert overdue.paid_amount == overdue.total_amount == payment.amount
    assert overdue.paid_at is not None
    event = WebhookEvent.objects.get()
    assert (event.provider, event.payment, event.outcome) == ("sandbox", payment, "succeeded")
    audit = AuditEvent.objects.get(action="invoice_paid_online")
    assert audit.company_id == overdue.company_id and audit.object_id == str(overdue.pk)
    assert audit.detail["amount"] == str(payment.amount)


def test_a_failure_refuses_the_payment_and_leaves_the_invoice_unpaid(client, payment, overdue):
    body = sandbox_event(payment, "checkout.failed", failure_code="insufficient_funds")
    assert deliver(client, body).status_code == 200
    payment.refresh_from_db()
    overdue.refresh_from_db()
    assert payment.status == Payment.Status.FAILED and payment.failure_reason == "insufficient_funds"
    assert overdue.status == Invoice.Status.OVERDUE and overdue.paid_amount == 0


@pytest.mark.parametrize(
    "header",
    [
        "",  # no signature
        "t=1,v1=00",  # garbage
        "v1=abc",  # no timestamp
        pytest.param("other", id="signed with another secret"),
        pytest.param("old", id="signed ten minutes ago (a replay)"),
    ],
)
def test_a_notification_not_signed_by_the_provider_is_refused_and_logged(client, payment, overdue, caplog, header):
    body = sandbox_event(payment)
    if header == "other":
        header = signature(body, secret="not-the-secret")
    elif header == "old":
        header = signature(body, timestamp=int(time.time()) - 600)
    with caplog.at_level(logging.WARNING, logger="selfcare.payments"):
        response = deliver(client, body, header)
    assert response.status_code == 400 and response.json() == {"error": "signature not valid"}
    assert "signature not valid" in caplog.text
    unchanged(payment, overdue)


def test_a_body_changed_after_signing_is_refused(client, payment, overdue):
    header = signature(sandbox_event(payment, amount=1))
    assert deliver(client, sandbox_event(payment), header).status_code == 400
    unchanged(payment, overdue)


def test_an_unknown_payment_is_refused_and_logged(client, payment, overdue, caplog):
    payment.provider_reference = "sbx_cs_someone_else"
    body = sandbox_event(payment)
    payment.refresh_from_db()
    with caplog.at_level(logging.WARNING, logger="selfcare.payments"):
        response = deliver(client, body)
    assert response.status_code == 400 and "no payment has this provider reference" in response.json()["error"]
    assert "sbx_cs_someone_else" in caplog.text
    unchanged(payment, overdue)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [(1, "EUR"), (None, "USD"), ("one_cent_less", "EUR")],
    ids=["one cent", "dollars", "a cent short"],
)
def test_an_amount_that_does_not_match_is_refused_and_logged(client, payment, overdue, caplog, amount, currency):
    if amount == "one_cent_less":
        amount = int(payment.amount * 100) - 1
    with caplog.at_level(logging.WARNING, logger="selfcare.payments"):
        response = deliver(client, sandbox_event(payment, amount=amount, currency=currency))
    assert response.status_code == 400 and "amount" in response.json()["error"]
    assert "refused: amount" in caplog.text
    unchanged(payment, overdue)


def test_an_event_naming_another_payment_is_refused(client, payment, overdue, other_company, caplog):
    body = json.loads(sandbox_event(payment))
    body["data"]["metadata"]["payment_id"] = str(payment.pk + 1000)
    with caplog.at_level(logging.WARNING, logger="selfcare.payments"):
        response = deliver(client, json.dumps(body).encode())
    assert response.status_code == 400
    unchanged(payment, overdue)


def test_a_repeated_delivery_is_acknowledged_and_changes_nothing(client, payment, overdue):
    body = sandbox_event(payment)
    assert deliver(client, body).json()["status"] == "processed"
    again = deliver(client, body)
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    overdue.refresh_from_db()
    assert overdue.paid_amount == overdue.total_amount
    assert WebhookEvent.objects.count() == 1
    assert AuditEvent.objects.filter(action="invoice_paid_online").count() == 1


def test_a_second_success_with_another_id_changes_nothing(client, payment, overdue):
    assert deliver(client, sandbox_event(payment, event_id="evt_1")).json()["status"] == "processed"
    assert deliver(client, sandbox_event(payment, event_id="evt_2")).json()["status"] == "processed"
    overdue.refresh_from_db()
    assert overdue.paid_amount == overdue.total_amount and overdue.status == Invoice.Status.PAID
    assert WebhookEvent.objects.get(event_id="evt_2").outcome == "ignored: payment already succeeded"
    assert AuditEvent.objects.filter(action="invoice_paid_online").count() == 1


def test_a_failure_after_the_success_is_recorded_and_changes_nothing(client, payment, overdue):
    deliver(client, sandbox_event(payment))
    late = deliver(client, sandbox_event(payment, "checkout.failed", failure_code="card_declined"))
    assert late.status_code == 200
    payment.refresh_from_db()
    overdue.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED and payment.failure_reason == ""
    assert overdue.status == Invoice.Status.PAID and overdue.paid_amount == overdue.total_amount
    assert WebhookEvent.objects.get(event_type="checkout.failed").outcome == "ignored: payment already succeeded"


def test_a_success_after_a_failure_is_recorded_and_reported_for_reconciliation(client, payment, overdue, caplog):
    deliver(client, sandbox_event(payment, "checkout.failed", failure_code="card_declined"))
    with caplog.at_level(logging.ERROR, logger="selfcare.payments"):
        late = deliver(client, sandbox_event(payment))
    assert late.status_code == 200
    payment.refresh_from_db()
    overdue.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert overdue.status == Invoice.Status.OVERDUE and overdue.paid_amount == 0
    assert "reconcile" in caplog.text
    assert WebhookEvent.objects.get(event_type="checkout.succeeded").outcome == "ignored: payment already failed"


def test_the_amount_due_of_a_partly_paid_invoice_completes_it(client, profiles, company):
    invoice = issue_invoice(company)
    invoice.paid_amount = Decimal("10.00")
    invoice.status = Invoice.Status.PARTIALLY_PAID
    invoice.save()
    payment = start_payment(profiles["admin"], invoice)
    assert payment.amount == invoice.total_amount - Decimal("10.00")
    deliver(client, sandbox_event(payment))
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.paid_amount == invoice.total_amount


def test_a_payment_for_an_invoice_paid_meanwhile_by_other_means_is_flagged_for_a_refund(
    client, payment, overdue, caplog
):
    Invoice.objects.filter(pk=overdue.pk).update(status="paid", paid_amount=overdue.total_amount)
    with caplog.at_level(logging.ERROR, logger="selfcare.payments"):
        assert deliver(client, sandbox_event(payment)).status_code == 200
    overdue.refresh_from_db()
    assert overdue.paid_amount == overdue.total_amount
    assert "refund" in caplog.text
    assert WebhookEvent.objects.get().outcome == "succeeded: invoice already paid, refund due"


def test_only_the_configured_provider_has_an_endpoint(client, payment, settings):
    body = sandbox_event(payment)
    assert deliver(client, body, url="/pagamenti/webhook/stripe/").status_code == 404
    assert deliver(client, body, url="/pagamenti/webhook/acme/").status_code == 404
    assert client.get(URL).status_code == 405
    settings.PAYMENT_PROVIDER = "stripe"
    assert deliver(client, body).status_code == 404
    assert not WebhookEvent.objects.exists()


def test_the_endpoint_needs_no_csrf_token(payment, overdue):
    from django.test import Client

    response = deliver(Client(enforce_csrf_checks=True), sandbox_event(payment))
    assert response.status_code == 200
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID


def test_a_setup_notification_for_an_unknown_company_is_refused(client, overdue):
    body = json.dumps(
        {
            "id": "evt_setup_1",
            "type": "setup.succeeded",
            "data": {
                "reference": "sbx_seti_x",
                "mode": "setup",
                "metadata": {"company_id": "999999"},
                "card": {"token": "pm_sbx_1", "brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2035},
            },
        }
    ).encode()
    assert deliver(client, body).status_code == 400
    assert not WebhookEvent.objects.exists()

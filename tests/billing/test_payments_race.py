"""Never twice (DESIGN.md §8): twenty concurrent "PAGA" clicks and a storm of duplicated and late
webhooks leave one attempt, one successful charge and an invoice paid once.

Real concurrency needs real row locks: the test runs on PostgreSQL only. (SQLite serialises every
write transaction, so there is no race to lose there.)
"""

import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from selfcare.billing.models import Invoice, Payment, WebhookEvent
from selfcare.billing.payments.providers import sandbox
from selfcare.core.models import AuditEvent
from tests.billing.test_payments_webhook import sandbox_event, signature
from tests.factories import issue_invoice

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and concurrent transactions need PostgreSQL"
    ),
]

CLICKS = 20


def all_at_once(calls):
    """Run the calls in threads released together; their results in order. Each thread has its own
    database connection, closed at its end."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list = []

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def deliver(body: bytes):
    """The provider's delivery of one notification, from a client of its own."""
    headers = {"Sandbox-Signature": signature(body)}
    return Client().post("/pagamenti/webhook/sandbox/", body, content_type="application/json", headers=headers)


def logged_in_clients(user, n):
    clients = []
    for _ in range(n):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def test_twenty_clicks_and_duplicated_webhooks_charge_once(profiles, company):
    invoice = issue_invoice(company, status="overdue")
    url = reverse("payments:invoice_pay", kwargs={"invoice_id": invoice.pk})
    clients = logged_in_clients(profiles["manager"], CLICKS)

    clicks = all_at_once([lambda c=c: c.post(url, {"method": "card"}) for c in clients])

    assert [r.status_code for r in clicks] == [303] * CLICKS
    payment = Payment.objects.get(invoice=invoice)
    assert payment.status == Payment.Status.PENDING
    assert AuditEvent.objects.filter(action="payment_started").count() == 1
    # Every click was sent to a page of that one attempt.
    references = {sandbox.session_from_token(urlsplit(r["Location"]).path.split("/")[3]).reference for r in clicks}
    assert references == {payment.provider_reference}

    # The provider notifies the success ten times, a second success event five times, and a late
    # failure five times, all at once.
    success = sandbox_event(payment, event_id="evt_success")
    success_again = sandbox_event(payment, event_id="evt_success_retry")
    late_failure = sandbox_event(payment, "checkout.failed", event_id="evt_late_failure", failure_code="card_declined")
    deliveries = [success] * 10 + [success_again] * 5
    answers = all_at_once([lambda b=b: deliver(b) for b in deliveries])
    assert [a.status_code for a in answers] == [200] * len(deliveries)
    statuses = Counter(a.json()["status"] for a in answers)
    assert statuses == {"processed": 2, "duplicate": len(deliveries) - 2}

    late = all_at_once([lambda b=b: deliver(b) for b in [late_failure] * 5 + [success] * 5])
    assert [a.status_code for a in late] == [200] * 10

    payment.refresh_from_db()
    invoice.refresh_from_db()
    assert Payment.objects.filter(invoice=invoice).count() == 1
    assert Payment.objects.filter(invoice=invoice, status=Payment.Status.SUCCEEDED).count() == 1
    assert payment.status == Payment.Status.SUCCEEDED
    assert invoice.status == Invoice.Status.PAID and invoice.paid_amount == invoice.total_amount
    assert AuditEvent.objects.filter(action="invoice_paid_online").count() == 1
    assert sorted(WebhookEvent.objects.values_list("event_id", flat=True)) == [
        "evt_late_failure",
        "evt_success",
        "evt_success_retry",
    ]
    assert WebhookEvent.objects.get(event_id="evt_late_failure").outcome == "ignored: payment already succeeded"

    # And one more click now finds the invoice paid.
    assert clients[0].post(url, {"method": "card"}).status_code == 303
    assert Payment.objects.filter(invoice=invoice).count() == 1


def test_concurrent_submits_of_the_sandbox_page_send_one_notification(profiles, company):
    invoice = issue_invoice(company, status="overdue")
    manager = logged_in_clients(profiles["manager"], 1)[0]
    page = urlsplit(
        manager.post(reverse("payments:invoice_pay", args=[invoice.pk]), {"method": "card"})["Location"]
    ).path
    form = {"action": "card", "number": "4242424242424242", "expiry": "12/35", "cvc": "123", "name": "Mario Rossi"}
    browsers = [Client() for _ in range(10)]

    answers = all_at_once([lambda b=b: b.post(page, form) for b in browsers])

    assert sorted(a.status_code for a in answers) == [200] * 9 + [303]
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.paid_amount == invoice.total_amount
    assert WebhookEvent.objects.count() == 1

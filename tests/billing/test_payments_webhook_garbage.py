"""Well-signed but malformed notifications are refused with a 400, never a 500, and change nothing."""

import pytest

from selfcare.billing.models import WebhookEvent
from tests.billing.test_payments_stripe import deliver as deliver_stripe
from tests.billing.test_payments_stripe import manager, overdue, payment, recorded, stripe_event  # noqa: F401 (fixtures)
from tests.billing.test_payments_webhook import deliver

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'"text"',
        b"{}",
        b'{"id": 1}',
        b'{"id": "evt_1", "type": "payment.succeeded"}',
        b'{"id": "evt_1", "type": "payment.succeeded", "data": "x"}',
        b'{"id": "evt_1", "type": "payment.succeeded", "data": {"reference": 5, "amount": "abc"}}',
        b'{"id": "evt_1", "type": "payment.succeeded", "data": {"reference": "r", "amount": 1e309}}',
        b"\xff\xfe",
    ],
)
def test_malformed_signed_bodies_are_refused(client, body):
    response = deliver(client, body)
    assert response.status_code == 400, (body, response.status_code)
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "session",
    [
        {"metadata": "x"},
        {"amount_total": "abc"},
        {"amount_total": 1e309},
    ],
)
def test_malformed_signed_stripe_events_are_refused(client, payment, session):  # noqa: F811 (a fixture)
    body = stripe_event("event_checkout_session_completed.json", payment, **session)
    assert deliver_stripe(client, body).status_code == 400
    payment.refresh_from_db()
    assert payment.status == "pending" and not WebhookEvent.objects.exists()

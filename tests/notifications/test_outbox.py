from types import SimpleNamespace

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from selfcare.notifications import channels, services
from selfcare.notifications.models import OutboxMessage
from selfcare.notifications.tasks import deliver_outbox_message, give_up_after_last_retry

pytestmark = pytest.mark.django_db(transaction=True)


def test_sms_is_stored_then_delivered_after_commit():
    message = services.message_queue(channel="sms", recipient="+393471234567", body="Codice: 123456", purpose="otp")
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1


def test_email_goes_through_django_mail():
    services.message_queue(channel="email", recipient="a@example.it", subject="Attiva", body="Link")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.it"]
    assert mail.outbox[0].subject == "Attiva"


def test_nothing_is_sent_when_the_transaction_rolls_back():
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.message_queue(channel="email", recipient="a@example.it", subject="x", body="y")
        raise RuntimeError("the business action failed")
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


def test_a_message_is_never_delivered_twice(monkeypatch):
    calls = []
    monkeypatch.setitem(channels.SMS_ADAPTERS, "dev", lambda *, to, text: calls.append(to) or "id-1")
    message = services.message_queue(channel="sms", recipient="+393471234567", body="x")
    services.message_deliver(message_id=message.pk)  # a duplicate task, or a second consumer
    services.message_deliver(message_id=message.pk)
    assert calls == ["+393471234567"]


@override_settings(SMS_ADAPTER="http", SMS_GATEWAY_URL="http://insecure.example")
def test_failed_delivery_stays_queued_with_the_error_and_is_retried():
    message = OutboxMessage.objects.create(channel="sms", recipient="+393471234567", body="x")
    with pytest.raises(channels.DeliveryError):
        services.message_deliver(message_id=message.pk)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.QUEUED
    assert "https" in message.last_error
    # The consumer gives up after the last retry and marks the message failed.
    last_try = SimpleNamespace(name=deliver_outbox_message.name, retries=0, args=(message.pk,))
    give_up_after_last_retry("error", last_try, channels.DeliveryError("down"))
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED


@override_settings(DEMO=True)
def test_dev_inbox_lists_messages_in_demo(client):
    services.message_queue(channel="sms", recipient="+393471234567", body="Il tuo codice è 654321")
    response = client.get(reverse("notifications:dev_inbox"))
    assert response.status_code == 200
    assert "654321" in response.content.decode()


@override_settings(DEMO=False, DEBUG=False)
def test_dev_inbox_does_not_exist_in_production(client):
    assert client.get(reverse("notifications:dev_inbox")).status_code == 404

"""The outbox: every SMS and email is a row first, delivered after commit by the job consumer; and
the notices a company's managers get in the portal and by email."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from selfcare.core.permissions import MANAGER_ROLES

from . import channels
from .models import Notification, OutboxMessage

logger = logging.getLogger(__name__)


def message_queue(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    purpose: str = "",
    attachment: str = "",
    attachment_filename: str = "",
) -> OutboxMessage:
    """Store a message and queue its delivery once the surrounding transaction commits.

    attachment: the storage name of a file to attach to an email (read when it is sent).
    """
    from .tasks import deliver_outbox_message

    message = OutboxMessage.objects.create(
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        purpose=purpose,
        attachment=attachment,
        attachment_filename=attachment_filename,
    )
    transaction.on_commit(lambda: deliver_outbox_message(message.pk))
    return message


def message_deliver(*, message_id: int) -> OutboxMessage:
    """Deliver one queued message at most once.

    The row is claimed (QUEUED → SENDING) and committed before the provider is called, so a
    retry or a second consumer never sends it again. A provider error puts it back in the queue
    (DeliveryError is re-raised for the task's retry); a crash mid-call leaves it SENDING, to be
    checked by a person rather than sent twice.
    """
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message_id)
        if message.status != OutboxMessage.Status.QUEUED:
            return message
        message.status = OutboxMessage.Status.SENDING
        message.attempts += 1
        message.save(update_fields=["status", "attempts"])
    try:
        if message.channel == OutboxMessage.Channel.SMS:
            reference = channels.send_sms(to=message.recipient, text=message.body)
        else:
            reference = channels.send_email(
                to=message.recipient,
                subject=message.subject,
                text=message.body,
                attachment=message.attachment,
                attachment_filename=message.attachment_filename,
            )
    except channels.DeliveryError as exc:
        message.status = OutboxMessage.Status.QUEUED
        message.last_error = str(exc)[:1000]
        message.save(update_fields=["status", "last_error"])
        logger.warning("outbox %s: delivery failed (attempt %s): %s", message.pk, message.attempts, exc)
        raise
    message.status = OutboxMessage.Status.SENT
    message.sent_at = timezone.now()
    message.provider_reference = reference[:100]
    message.save(update_fields=["status", "sent_at", "provider_reference"])
    return message


def message_give_up(*, message_id: int) -> None:
    """Mark a message that exhausted its retries as failed."""
    OutboxMessage.objects.filter(pk=message_id, status=OutboxMessage.Status.QUEUED).update(
        status=OutboxMessage.Status.FAILED
    )


def company_managers(company_id: int):
    """The active managers of a company: who hears about its invoices and payment method."""
    return get_user_model().objects.filter(company_id=company_id, role__in=MANAGER_ROLES, is_active=True)


def managers_notify(*, company_id: int, title: str, body: str, link: str, purpose: str) -> int:
    """An in-app notification and an email (through the outbox) to each manager of the company."""
    sent = 0
    for user in company_managers(company_id).order_by("pk"):
        Notification.objects.create(user=user, title=title[:200], body=body, link=link)
        if user.email:
            message_queue(channel=OutboxMessage.Channel.EMAIL, recipient=user.email, subject=title[:200],
                          body=f"{body}\n\n{settings.SITE_URL}{link}", purpose=purpose)  # fmt: skip
        sent += 1
    return sent

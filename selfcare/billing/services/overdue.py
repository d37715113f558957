"""Invoices past their due date become overdue, and the company's managers are told (SPEC F-NTF-1)."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from selfcare.billing.models import Invoice
from selfcare.core.permissions import MANAGER_ROLES
from selfcare.notifications.models import Notification, OutboxMessage
from selfcare.notifications.services import message_queue


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


def invoices_mark_overdue(*, today: datetime.date | None = None) -> int:
    """Turn unpaid invoices whose due date has passed into overdue ones; notify once per invoice.

    Each invoice changes under its row lock, so a payment settling at the same moment either comes
    first (the invoice is paid and stays so) or after (it pays an overdue invoice).
    """
    today = today or timezone.localdate()
    changed = 0
    candidates = list(
        Invoice.objects.filter(status=Invoice.Status.TO_PAY, due_on__lt=today).values_list("pk", flat=True)
    )
    for invoice_id in candidates:
        with transaction.atomic():
            invoice = Invoice.objects.select_for_update().filter(pk=invoice_id, status=Invoice.Status.TO_PAY).first()
            if invoice is None or invoice.due_on >= today:
                continue
            invoice.status = Invoice.Status.OVERDUE
            invoice.save(update_fields=["status"])
            with override(settings.LANGUAGE_CODE):
                title = _("Invoice %(number)s is overdue") % {"number": invoice.number}
                body = _("It was due on %(date)s: %(amount)s € still to pay. You can pay it online.") % {
                    "date": invoice.due_on.strftime("%d/%m/%Y"),
                    "amount": f"{invoice.amount_due:.2f}".replace(".", ","),
                }
            managers_notify(company_id=invoice.company_id, title=title, body=body,
                            link=reverse("billing:invoices"), purpose="invoice_overdue")  # fmt: skip
            changed += 1
    return changed

"""Invoices past their due date become overdue, and the company's managers are told (SPEC F-NTF-1)."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from selfcare.billing.models import Invoice
from selfcare.core.money import format_money
from selfcare.notifications.services import managers_notify


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
                    "amount": format_money(invoice.amount_due),
                }
            managers_notify(company_id=invoice.company_id, title=title, body=body,
                            link=reverse("billing:invoices"), purpose="invoice_overdue")  # fmt: skip
            changed += 1
    return changed

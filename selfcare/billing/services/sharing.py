"""Sharing an invoice by email (SPEC F-BIL-1): its PDF copy sent through the outbox."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from selfcare.billing.selectors.invoices import invoice_get
from selfcare.core import ratelimit
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.money import format_money
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.notifications.models import OutboxMessage
from selfcare.notifications.services import message_queue

# A manager may share a few invoices an hour: enough for work, useless for sending spam.
SHARES_PER_HOUR = 10


def invoice_share(*, scope: Scope, invoice_id: int, email: str, message: str = "", ip: str = "") -> OutboxMessage:
    """Email the invoice's PDF copy to an address the manager typed; returns the queued message."""
    from selfcare.billing.documents.pdf import invoice_pdf_ensure, pdf_download_name

    scope.require(Cap.INVOICES_VIEW)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(
            _("Enter a valid email address, e.g. amministrazione@azienda.it."), field="email"
        ) from None
    message = (message or "").strip()
    if len(message) > 500:
        raise ApplicationError(_("The message can be at most 500 characters long."), field="message")
    invoice = invoice_get(scope=scope, invoice_id=invoice_id)
    ratelimit.enforce(
        f"invoice-share:{scope.user_id}",
        limit=SHARES_PER_HOUR,
        window_seconds=3600,
        message=_("You have shared many invoices in the last hour: try again later."),
        field="email",
    )
    invoice = invoice_pdf_ensure(invoice_id=invoice.pk)
    subject = _("Invoice %(number)s of %(company)s") % {"number": invoice.number, "company": invoice.company.name}
    body = _(
        "Attached is a copy of invoice %(number)s of %(date)s, total %(total)s €.\n"
        "The copy is not valid for tax purposes: the fiscal invoice is the electronic one sent through SDI."
    ) % {
        "number": invoice.number,
        "date": invoice.issued_on.strftime("%d/%m/%Y"),
        "total": format_money(invoice.total_amount),
    }
    if message:
        body = f"{message}\n\n---\n{body}"
    with transaction.atomic():
        queued = message_queue(
            channel=OutboxMessage.Channel.EMAIL,
            recipient=email,
            subject=subject,
            body=body,
            purpose="invoice_share",
            attachment=invoice.pdf.name,
            attachment_filename=pdf_download_name(invoice),
        )
        AuditEvent.objects.create(
            actor_id=scope.user_id, company_id=scope.company_id, action="invoice.share", object_type="invoice",
            object_id=str(invoice.pk), detail={"to": email}, ip_address=ip or None,
        )  # fmt: skip
    return queued

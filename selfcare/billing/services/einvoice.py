"""What SDI answered about e-invoices (SPEC F-BIL-3), recorded by the back office."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.billing.models import Invoice
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent

# SDI's outcomes the back office records, and the statuses an e-invoice can have before one.
OUTCOMES = (Invoice.SdiStatus.DELIVERED, Invoice.SdiStatus.REJECTED)
MARKABLE = (Invoice.SdiStatus.TO_SEND, Invoice.SdiStatus.SENT)
NOTE_MAX_LENGTH = Invoice._meta.get_field("sdi_note").max_length


@dataclass
class MarkResult:
    """The numbers of the invoices marked, and of those skipped because of their status."""

    marked: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def einvoice_mark(*, invoice_ids: Iterable[int], status: str, note: str = "", actor) -> MarkResult:
    """Record SDI's outcome (DELIVERED or REJECTED) on e-invoices waiting to be sent or sent.

    Each change is audited. Invoices in any other status are left as they are and reported as
    skipped (an outcome is recorded once; a rejected e-invoice is made again before it goes back
    to SDI). `actor` is the back-office user, who needs the permission to change invoices; None
    for a system that reports SDI's notifications itself.
    """
    if status not in OUTCOMES:
        raise ApplicationError(_("An e-invoice can only be marked delivered or rejected."), field="status")
    if actor is not None and not actor.has_perm("billing.change_invoice"):
        raise PermissionDenied
    note = " ".join(note.split())[:NOTE_MAX_LENGTH]
    result = MarkResult()
    with transaction.atomic():
        # Locked in primary-key order, as every service that locks several invoices does.
        invoices = Invoice.objects.select_for_update().filter(pk__in=list(invoice_ids)).order_by("pk")
        now = timezone.now()
        for invoice in invoices:
            if invoice.sdi_status not in MARKABLE:
                result.skipped.append(invoice.number)
                continue
            before = invoice.sdi_status
            invoice.sdi_status, invoice.sdi_status_at, invoice.sdi_note = status, now, note
            invoice.save(update_fields=["sdi_status", "sdi_status_at", "sdi_note"])
            AuditEvent.objects.create(
                actor=actor,
                company_id=invoice.company_id,
                action=f"einvoice_{status}",
                object_type="invoice",
                object_id=str(invoice.pk),
                detail={"number": invoice.number, "from": before, "to": status, "note": note},
            )
            result.marked.append(invoice.number)
    return result

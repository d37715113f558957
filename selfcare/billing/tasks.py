from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import billing_run, overdue


@db_task(retries=3, retry_delay=30)
def generate_einvoice(invoice_id: int) -> None:
    """Queued by the billing run for each new invoice."""
    from .documents.fatturapa import einvoice_generate

    einvoice_generate(invoice_id=invoice_id)


@db_task(retries=2, retry_delay=60)
def render_invoice_pdf(invoice_id: int) -> None:
    """Queued by the billing run for each new invoice, and by a download that finds a large invoice's
    PDF not ready yet: rendering a four-hundred-page copy is a job, not a request."""
    from .documents.pdf import invoice_pdf_ensure

    invoice_pdf_ensure(invoice_id=invoice_id)


@db_periodic_task(crontab(day="1", hour="2", minute="0"))
def bill_last_month() -> None:
    """On the 1st of each month, the month that just ended (a rerun creates nothing new)."""
    today = timezone.localdate()
    billing_run.billing_run(period=(today.replace(day=1) - timezone.timedelta(days=1)).replace(day=1), today=today)


@db_periodic_task(crontab(hour="6", minute="15"))
def mark_overdue_invoices() -> None:
    overdue.invoices_mark_overdue()


# --- Billing profile: e-invoice recipient, payment methods (SPEC F-BIL-3, F-BIL-5, F-NTF-1) --------------
@db_task(retries=2, retry_delay=60)
def send_einvoices_waiting_for_recipient(company_id: int) -> None:
    """Queued once a company's new PEC address or recipient code is committed: its e-invoices that
    waited for a recipient are made again and go to SDI. A failure here never undoes the change."""
    from .documents.fatturapa import einvoice_recipient_changed

    einvoice_recipient_changed(company_id=company_id)


@db_periodic_task(crontab(hour="6", minute="5"))
def expire_payment_cards() -> None:
    """Every morning: cards whose expiry month has passed become expired, and their managers are told once."""
    from .services.profile import payment_methods_expire

    payment_methods_expire()

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import billing_run, overdue


@db_task(retries=3, retry_delay=30)
def generate_einvoice(invoice_id: int) -> None:
    """Queued by the billing run for each new invoice."""
    from .documents.fatturapa import einvoice_generate

    einvoice_generate(invoice_id=invoice_id)


@db_periodic_task(crontab(day="1", hour="2", minute="0"))
def bill_last_month() -> None:
    """On the 1st of each month, the month that just ended (a rerun creates nothing new)."""
    today = timezone.localdate()
    billing_run.billing_run(period=(today.replace(day=1) - timezone.timedelta(days=1)).replace(day=1), today=today)


@db_periodic_task(crontab(hour="6", minute="15"))
def mark_overdue_invoices() -> None:
    overdue.invoices_mark_overdue()

"""Demo tickets: a few per company, at different steps, so the lists, the history and the
manager's home have something to show."""

from selfcare.billing.models import Invoice
from selfcare.customers.models import Referent, Site
from selfcare.lines.models import Line
from selfcare.tickets.models import NotifyBy, Reason, Service, Status, Ticket, TicketEvent, Topic

from .companies import BuiltCompany
from .context import Context

# (reason, topic, status now, the operator's messages on the way there)
STORIES = [
    (Reason.TECHNICAL, Topic.CANNOT_CALL_ABROAD, Status.IN_PROGRESS,
     [(Status.IN_PROGRESS, "Il roaming della linea risulta attivo: stiamo controllando la rete estera.")]),
    (Reason.ADMINISTRATIVE, Topic.WRONG_CHARGING, Status.WAITING,
     [(Status.IN_PROGRESS, ""),
      (Status.WAITING, "Ci indichi per favore la data e l'ora del traffico che ritiene addebitato per errore.")]),
    (Reason.TECHNICAL, Topic.NO_INTERNET, Status.RESOLVED,
     [(Status.RESOLVED, "Abbiamo aggiornato il profilo dati della SIM: la navigazione è tornata disponibile.")]),
]  # fmt: skip


def _ticket(company_pk: int, reason, topic, status, line: Line | None, invoice: str, site, referent) -> Ticket:
    return Ticket(
        company_id=company_pk, reason=reason, topic=topic, status=status, line=line,
        offer_name=line.offer.name if line else "", domain="mobile",
        service=Service.VOICE if topic == Topic.CANNOT_CALL_ABROAD else (Service.DATA if line else ""),
        invoice_number=invoice, site=site, notes="Segnalato dal referente della sede.",
        referent_name=f"{referent.first_name} {referent.last_name}", referent_email=referent.email,
        referent_phone=referent.phone, notify_by=NotifyBy.EMAIL,
        requester_name=f"{referent.first_name} {referent.last_name}", requester_email=referent.email,
    )  # fmt: skip


def create_tickets(ctx: Context, built: list[BuiltCompany]) -> int:
    """Three tickets per company (one in progress, one waiting for the customer, one resolved)."""
    tickets, steps = [], []
    for each in built:
        company = each.company
        referent = Referent.objects.filter(company=company).first()
        site = Site.objects.filter(company=company).first()
        invoices = Invoice.objects.filter(company=company).order_by("-issued_on")
        invoice = invoices.values_list("number", flat=True).first()
        mobiles = [line for line in each.lines if line.kind == Line.Kind.MOBILE and line.status == Line.Status.ACTIVE]
        for i, (reason, topic, status, story) in enumerate(STORIES):
            line = mobiles[i % len(mobiles)] if reason == Reason.TECHNICAL and mobiles else None
            number = (invoice or "") if reason == Reason.ADMINISTRATIVE else ""
            ticket = _ticket(company.pk, reason, topic, status, line, number, site, referent)
            tickets.append(ticket)
            steps.append([(Status.OPEN, ""), *story])
    Ticket.objects.bulk_create(tickets)
    events = [
        TicketEvent(ticket=ticket, status=status, message=message)
        for ticket, story in zip(tickets, steps, strict=True)
        for status, message in story
    ]
    TicketEvent.objects.bulk_create(events)
    return len(tickets)

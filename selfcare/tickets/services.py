"""Writes of support tickets (SPEC §10): a customer opens one, the operator's staff move it along.

`ticket_open` checks every field of the chosen reason and topic (the first error is raised on its
field), links the number given to the company's line, stores the documents, writes the first step of
the history and tells the referent by the channel chosen. `ticket_status_set` is the back office's:
each change is a step of the history, and the referent and whoever opened the ticket hear of it.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from selfcare.billing.models import Invoice
from selfcare.core import ratelimit
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.core.validators import clean_imei, clean_phone_number
from selfcare.customers.models import Site
from selfcare.lines.models import Line
from selfcare.notifications.models import Notification, OutboxMessage
from selfcare.notifications.services import message_queue

from .models import (
    NOTES_MAX_LENGTH,
    TOPICS,
    AttachmentKind,
    DeviceModel,
    Domain,
    LossKind,
    NotifyBy,
    Reason,
    Service,
    Status,
    Ticket,
    TicketAttachment,
    TicketEvent,
    Topic,
)
from .selectors import visible_tickets

NAME_MAX_LENGTH = 200
SERIAL_MAX_LENGTH = 30
INVOICE_NUMBER_MAX_LENGTH = 20
INVOICE_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9/._-]*")
MESSAGE_MAX_LENGTH = 1000
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
OPEN_LIMIT_PER_HOUR = 20
REPLY_LIMIT_PER_HOUR = 30
SMS_TEXT_MAX = 300  # longer: the SMS says the status and links the ticket

# Topics about a line: the customer gives its number and the ticket records its offer.
LINE_TOPICS = {
    Topic.FAULTY_SIM,
    Topic.FIXED_LINE_PROBLEM,
    Topic.CANNOT_CALL,
    Topic.CANNOT_CALL_ABROAD,
    Topic.NO_INTERNET,
    Topic.SIM_REPLACEMENT,
}
# Topics about a device: its model and its serial number or IMEI.
DEVICE_TOPICS = {Topic.FAULTY_ACCESSORY, Topic.FAULTY_DEVICE}
# Topics where the service affected (voice or internet) tells the staff where to look.
SERVICE_TOPICS = {Topic.FIXED_LINE_PROBLEM, Topic.CANNOT_CALL, Topic.CANNOT_CALL_ABROAD, Topic.NO_INTERNET}
# Administrative topics that are about one invoice.
INVOICE_TOPICS = {Topic.WRONG_CHARGING, Topic.WRONG_TOPUP_CHARGE, Topic.WRONG_INVOICE_FORMAT}
# An IMEI block needs the signed request, an identity document and the police report.
IMEI_BLOCK_DOCUMENTS = (AttachmentKind.REQUEST_FORM, AttachmentKind.IDENTITY_DOCUMENT, AttachmentKind.POLICE_REPORT)
# What a document may be, told by its first bytes (the name and the browser's type are not trusted).
DOCUMENT_SIGNATURES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
# The domain a line belongs to.
LINE_DOMAINS = {Line.Kind.MOBILE: Domain.MOBILE, Line.Kind.FIXED: Domain.FIXED}


@dataclass
class TicketRequest:
    """What the customer filled in. Every reason uses the common part and some of the rest."""

    reason: str
    topic: str
    referent_name: str
    notify_by: str
    requester_name: str
    requester_email: str
    referent_phone: str = ""
    referent_email: str = ""
    requester_phone: str = ""
    site_id: int | None = None
    notes: str = ""
    service: str = ""
    domain: str = ""
    number: str = ""  # the line concerned
    device_model: str = ""
    serial_number: str = ""
    loss_kind: str = ""
    imei: str = ""
    delivery_site_id: int | None = None
    invoice_number: str = ""
    attachments: dict[str, UploadedFile] = field(default_factory=dict)


def topic_fields(topic: str) -> list[str]:
    """The inputs a topic asks for besides the common ones, in the order of the form."""
    if topic in DEVICE_TOPICS:
        return ["domain", "device_model", "serial_number"]
    if topic == Topic.SIM_REPLACEMENT:
        return ["number", "service", "loss_kind", "delivery_site"]
    if topic == Topic.IMEI_BLOCK:
        return ["imei", "service", "loss_kind", *IMEI_BLOCK_DOCUMENTS]
    if topic in LINE_TOPICS:
        return ["number", "service"] if topic in SERVICE_TOPICS else ["number"]
    return ["domain", "invoice_number"]  # administrative topics


def optional_fields(topic: str) -> set[str]:
    """The topic's inputs that may be left empty."""
    return set() if topic in INVOICE_TOPICS else {"invoice_number"}


def _choice(value: str, choices, field_name: str, message: str) -> str:
    if value not in choices.values:
        raise ApplicationError(message, field=field_name)
    return value


def _text(value: str, field_name: str, max_length: int, *, required_message: str = "") -> str:
    text = " ".join((value or "").split())
    if not text and required_message:
        raise ApplicationError(required_message, field=field_name)
    if len(text) > max_length:
        raise ApplicationError(_("At most %(n)d characters.") % {"n": max_length}, field=field_name, code="too_long")
    return text


def _phone(value: str, field_name: str, *, required: bool) -> str:
    if not (value or "").strip():
        if required:
            raise ApplicationError(_("Enter a phone number to send the SMS to."), field=field_name)
        return ""
    try:
        return clean_phone_number(value)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], field=field_name) from None


def _email(value: str, field_name: str, *, required: bool) -> str:
    email = (value or "").strip().lower()
    if not email:
        if required:
            raise ApplicationError(_("Enter an email address."), field=field_name)
        return ""
    try:
        if len(email) > 254:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise ApplicationError(_("Enter a valid email address."), field=field_name) from None
    return email


def _company_site(scope: Scope, site_id: int | None, field_name: str, *, required: bool) -> Site | None:
    if site_id is None:
        if required:
            raise ApplicationError(_("Choose one of your company's sites."), field=field_name)
        return None
    site = company_sites(scope).filter(pk=site_id).first()
    if site is None:
        raise ApplicationError(_("Choose one of your company's sites."), field=field_name)
    return site


def company_sites(scope: Scope):
    """The sites a ticket of the scope may name: a manager restricted to some sites, those only."""
    sites = Site.objects.filter(company_id=scope.company_id)
    return sites.filter(pk__in=scope.site_ids) if scope.is_manager and scope.site_ids else sites


def _line(scope: Scope, number: str, topic: str) -> Line:
    """The line of the number given, among those the scope may see; mobile or fixed as the topic says."""
    if not (number or "").strip():
        raise ApplicationError(_("Enter the number concerned."), field="number")
    try:
        e164 = clean_phone_number(number, mobile=topic != Topic.FIXED_LINE_PROBLEM)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], field="number") from None
    line = scope.lines(Line.objects.select_related("offer")).filter(number=e164).first()
    if line is None:
        raise ApplicationError(_("This number is not one of the lines you manage."), field="number")
    return line


def _serial(value: str) -> str:
    """A device's serial number, or its IMEI when it has the IMEI's 15 digits."""
    serial = (value or "").replace(" ", "").upper()
    if not serial:
        raise ApplicationError(_("Enter the device's serial number or IMEI."), field="serial_number")
    if serial.isdigit() and len(serial) == 15:
        try:
            return clean_imei(serial)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], field="serial_number") from None
    if len(serial) > SERIAL_MAX_LENGTH or len(serial) < 4 or not serial.replace("-", "").isalnum():
        raise ApplicationError(_("A serial number has 4 to 30 letters and digits (and -)."), field="serial_number")
    return serial


def _invoice_number(scope: Scope, value: str, *, required: bool) -> str:
    number = (value or "").strip().upper()
    if not number:
        if required:
            raise ApplicationError(_("Enter the number of the invoice concerned."), field="invoice_number")
        return ""
    if len(number) > INVOICE_NUMBER_MAX_LENGTH or not INVOICE_NUMBER.fullmatch(number):
        raise ApplicationError(_("Enter the number as printed on the invoice."), field="invoice_number")
    if not scope.can(Cap.INVOICES_VIEW):
        return number  # an employee sees no invoices: his number is not checked against them
    invoice = scope.company_rows(Invoice.objects.filter(number__iexact=number)).only("number").first()
    if invoice is None:
        raise ApplicationError(_("This is not one of your company's invoices."), field="invoice_number")
    return invoice.number


def _document(upload: UploadedFile | None, kind: str) -> tuple[UploadedFile, str]:
    """The upload and its content type; PDF, JPEG or PNG of at most 5 MB."""
    label = AttachmentKind(kind).label
    if upload is None:
        raise ApplicationError(_("Attach the %(document)s.") % {"document": label.lower()}, field=kind)
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ApplicationError(_("A document may be at most 5 MB."), field=kind, code="too_large")
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    content_type = next((t for sig, t in DOCUMENT_SIGNATURES.items() if head.startswith(sig)), None)
    if content_type is None:
        raise ApplicationError(_("Send a PDF, JPEG or PNG file."), field=kind, code="file_type")
    return upload, content_type


def _fill_technical(ticket: Ticket, scope: Scope, data: TicketRequest) -> None:
    if ticket.line is not None:
        ticket.domain = LINE_DOMAINS[ticket.line.kind]
    else:
        ticket.domain = _choice(data.domain, Domain, "domain", _("Choose fixed or mobile."))
    if ticket.topic in SERVICE_TOPICS:
        ticket.service = _choice(data.service, Service, "service", _("Choose voice or internet."))
    if ticket.topic in DEVICE_TOPICS:
        ticket.device_model = _choice(data.device_model, DeviceModel, "device_model", _("Choose the model."))
        ticket.serial_number = _serial(data.serial_number)


def _fill_theft_loss(ticket: Ticket, scope: Scope, data: TicketRequest) -> None:
    ticket.domain = Domain.MOBILE
    ticket.service = _choice(data.service, Service, "service", _("Choose voice or internet."))
    ticket.loss_kind = _choice(data.loss_kind, LossKind, "loss_kind", _("Choose theft or loss."))
    if ticket.topic == Topic.SIM_REPLACEMENT:
        ticket.delivery_site = _company_site(scope, data.delivery_site_id, "delivery_site", required=True)
    else:
        try:
            ticket.imei = clean_imei(data.imei or "")
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], field="imei") from None


def _fill_administrative(ticket: Ticket, scope: Scope, data: TicketRequest) -> None:
    ticket.domain = _choice(data.domain, Domain, "domain", _("Choose fixed or mobile."))
    ticket.invoice_number = _invoice_number(scope, data.invoice_number, required=ticket.topic in INVOICE_TOPICS)


FILL = {
    Reason.TECHNICAL: _fill_technical,
    Reason.THEFT_LOSS: _fill_theft_loss,
    Reason.ADMINISTRATIVE: _fill_administrative,
}


def _build(scope: Scope, data: TicketRequest) -> tuple[Ticket, list[tuple[str, UploadedFile, str]]]:
    """The ticket (not saved) and its documents, every field checked, in the order of the form."""
    reason = _choice(data.reason, Reason, "reason", _("Choose the reason of the request."))
    if data.topic not in TOPICS[reason]:
        raise ApplicationError(_("Choose a topic from the list."), field="topic")
    ticket = Ticket(company_id=scope.company_id, created_by_id=scope.user_id, reason=reason, topic=data.topic)
    if ticket.topic in LINE_TOPICS:
        ticket.line = _line(scope, data.number, ticket.topic)
        ticket.offer_name = ticket.line.offer.name[:100]
    FILL[reason](ticket, scope, data)
    documents = []
    if ticket.topic == Topic.IMEI_BLOCK:
        for kind in IMEI_BLOCK_DOCUMENTS:
            upload, content_type = _document(data.attachments.get(kind), kind)
            documents.append((kind, upload, content_type))
    ticket.notes = _text(data.notes, "notes", NOTES_MAX_LENGTH)
    has_sites = company_sites(scope).exists()
    ticket.site = _company_site(scope, data.site_id, "site", required=has_sites)
    ticket.referent_name = _text(
        data.referent_name, "referent_name", NAME_MAX_LENGTH, required_message=_("Enter the referent's name.")
    )
    ticket.notify_by = _choice(data.notify_by, NotifyBy, "notify_by", _("Choose SMS or email."))
    ticket.referent_phone = _phone(data.referent_phone, "referent_phone", required=ticket.notify_by == NotifyBy.SMS)
    ticket.referent_email = _email(data.referent_email, "referent_email", required=ticket.notify_by == NotifyBy.EMAIL)
    ticket.requester_name = _text(
        data.requester_name, "requester_name", NAME_MAX_LENGTH, required_message=_("Enter your name.")
    )
    ticket.requester_phone = _phone(data.requester_phone, "requester_phone", required=False)
    ticket.requester_email = _email(data.requester_email, "requester_email", required=True)
    return ticket, documents


def _tell_referent(ticket: Ticket, text: str, subject: str, short: str = "") -> None:
    """The referent hears by the channel chosen on the ticket, in the portal's language. An SMS
    carries `short` (when given) and the ticket's address rather than a long message."""
    link = settings.SITE_URL + reverse("tickets:detail", args=[ticket.pk])
    if ticket.notify_by == NotifyBy.SMS:
        body = f"{short} {link}" if short and len(text) > SMS_TEXT_MAX else text
        message_queue(channel=OutboxMessage.Channel.SMS, recipient=ticket.referent_phone, body=body, purpose="ticket")
    else:
        message_queue(channel=OutboxMessage.Channel.EMAIL, recipient=ticket.referent_email, subject=subject,
                      body=f"{text}\n\n{link}", purpose="ticket")  # fmt: skip


def ticket_open(*, scope: Scope, data: TicketRequest, ip: str = "") -> Ticket:
    """Open a ticket for the scope's company: a manager for any of its lines, an employee for his
    own. At most 20 an hour per user. The referent is told by SMS or email once it is stored."""
    scope.require(Cap.TICKETS_CREATE)
    ticket, documents = _build(scope, data)
    ratelimit.enforce(
        f"ticket-open:{scope.user_id}", limit=OPEN_LIMIT_PER_HOUR, window_seconds=3600,
        message=_("You have opened many tickets in the last hour: try again later, or call business support."),
    )  # fmt: skip
    stored = []
    try:
        with transaction.atomic():
            ticket.save()
            for kind, upload, content_type in documents:
                stored.append(TicketAttachment.objects.create(
                    ticket=ticket, kind=kind, file=upload, file_name=_display_name(upload.name, kind),
                    content_type=content_type, size=upload.size,
                ))  # fmt: skip
            _opened(ticket, scope, ip)
    except Exception:
        for attachment in stored:  # rolled back: their files must not stay behind
            attachment.file.delete(save=False)
        raise
    return ticket


def _display_name(name: str | None, kind: str) -> str:
    """The customer's file name, without any folder, for the ticket page (never used to store it)."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name[-200:] or kind


def _opened(ticket: Ticket, scope: Scope, ip: str) -> None:
    """The first step of the history, the audit event and the referent's notice."""
    TicketEvent.objects.create(ticket=ticket, status=Status.OPEN, author_id=scope.user_id)
    AuditEvent.objects.create(
        actor_id=scope.user_id, company_id=scope.company_id, action="ticket_opened", object_type="ticket",
        object_id=str(ticket.pk), detail={"reason": ticket.reason, "topic": ticket.topic}, ip_address=ip or None,
    )  # fmt: skip
    with translation.override(settings.LANGUAGE_CODE):
        text = _("We received ticket %(ref)s (%(topic)s) of %(company)s. We will tell you at every step.") % {
            "ref": ticket.reference, "topic": Topic(ticket.topic).label, "company": ticket.company.name,
        }  # fmt: skip
        _tell_referent(ticket, text, _("Ticket %(ref)s received") % {"ref": ticket.reference})


def ticket_reply(*, scope: Scope, ticket_id: int, message: str, ip: str = "") -> TicketEvent:
    """The customer adds a message to an open ticket (an answer to the operator's question, a
    detail). A ticket waiting for the customer goes back to the operator as received."""
    scope.require(Cap.TICKETS_CREATE)
    text = _text(message, "message", NOTES_MAX_LENGTH, required_message=_("Write your message."))
    ratelimit.enforce(
        f"ticket-reply:{scope.user_id}", limit=REPLY_LIMIT_PER_HOUR, window_seconds=3600, field="message",
        message=_("You have sent many messages in the last hour: try again later, or call business support."),
    )  # fmt: skip
    with transaction.atomic():
        # Only the ticket's row is locked (a restricted manager's filter joins the line).
        ticket = visible_tickets(scope).select_for_update(of=("self",)).filter(pk=ticket_id).first()
        if ticket is None:
            raise Http404
        if not ticket.is_open:
            raise ApplicationError(
                _("This ticket is closed: open a new one if the problem comes back."), field="message", code="closed"
            )
        if ticket.status == Status.WAITING:
            ticket.status = Status.OPEN
        ticket.save(update_fields=["status", "updated_at"])
        event = TicketEvent.objects.create(ticket=ticket, status=ticket.status, message=text, author_id=scope.user_id)
        AuditEvent.objects.create(
            actor_id=scope.user_id, company_id=scope.company_id, action="ticket_replied", object_type="ticket",
            object_id=str(ticket.pk), ip_address=ip or None,
        )  # fmt: skip
    return event


def document_read(*, actor_id: int, document: TicketAttachment, ip: str = "") -> None:
    """Record that someone (a portal user or the operator's staff) opened a ticket's document:
    identity documents and police reports are personal data."""
    AuditEvent.objects.create(
        actor_id=actor_id, company_id=document.ticket.company_id, action="ticket_document_read",
        object_type="ticket", object_id=str(document.ticket_id), detail={"document": document.kind},
        ip_address=ip or None,
    )  # fmt: skip


def ticket_status_set(*, ticket_id: int, status: str, message: str, actor_id: int) -> bool:
    """The back office moves a ticket to `status` with a message for the customer (may be empty
    when the status says enough). False when the ticket already had that status and no message
    was given. The referent and the user who opened it are told."""
    status = _choice(status, Status, "status", _("Choose a status."))
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ApplicationError(_("At most %(n)d characters.") % {"n": MESSAGE_MAX_LENGTH}, field="message")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update(of=("self",)).select_related("company").get(pk=ticket_id)
        if ticket.status == status and not message:
            return False
        ticket.status = status
        ticket.save(update_fields=["status", "updated_at"])
        TicketEvent.objects.create(ticket=ticket, status=status, message=message, author_id=actor_id)
        AuditEvent.objects.create(
            actor_id=actor_id, company_id=ticket.company_id, action="ticket_status_set", object_type="ticket",
            object_id=str(ticket.pk), detail={"status": status},
        )  # fmt: skip
        with translation.override(settings.LANGUAGE_CODE):
            title = _("Ticket %(ref)s: %(status)s") % {"ref": ticket.reference, "status": Status(status).label}
            _tell_referent(ticket, f"{title}. {message}".strip(), title, short=title)
            if ticket.created_by_id:
                link = reverse("tickets:detail", args=[ticket.pk])
                Notification.objects.create(user_id=ticket.created_by_id, title=title[:200], body=message, link=link)
    return True

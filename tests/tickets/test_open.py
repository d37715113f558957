"""Opening a ticket: every topic's inputs, every refusal on its field, nothing stored on refusal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.notifications.models import OutboxMessage
from selfcare.tickets.models import TOPICS, Ticket, TicketAttachment, TicketEvent
from selfcare.tickets.services import ticket_open
from tests.factories import LineFactory, SiteFactory, issue_invoice

from .conftest import PDF, documents, make_request, scope_of

ALL_TOPICS = [topic for topics in TOPICS.values() for topic in topics]


@pytest.fixture
def manager(profiles):
    return profiles["manager"]


@pytest.mark.django_db
@pytest.mark.parametrize("topic", [t.value for t in ALL_TOPICS])
def test_every_topic_opens_with_its_inputs(
    topic, manager, mobile, fixed, site, invoice, django_capture_on_commit_callbacks
):
    number = fixed.number if topic == "fixed_line_problem" else mobile.number
    data = make_request(topic, number=number, site_id=site.pk, invoice_number=invoice.number.lower())
    with django_capture_on_commit_callbacks():
        ticket = ticket_open(scope=scope_of(manager), data=data, ip="10.0.0.1")
    ticket.refresh_from_db()
    assert ticket.company_id == manager.company_id and ticket.created_by == manager
    assert ticket.status == "open" and ticket.site == site
    assert ticket.reference == f"TK{ticket.pk:07d}"
    if topic in ("faulty_sim", "cannot_call", "cannot_call_abroad", "no_internet", "sim_replacement"):
        assert ticket.line == mobile and ticket.offer_name == mobile.offer.name and ticket.domain == "mobile"
    if topic == "fixed_line_problem":
        assert ticket.line == fixed and ticket.domain == "fixed"
    if topic == "sim_replacement":
        assert ticket.delivery_site == site and ticket.loss_kind == "theft"
    if topic == "imei_block":
        kinds = dict(TicketAttachment.objects.filter(ticket=ticket).values_list("kind", "content_type"))
        assert kinds == {
            "request_form": "application/pdf", "identity_document": "image/jpeg", "police_report": "image/png"
        }  # fmt: skip
    if topic in ("wrong_charging", "wrong_topup_charge", "wrong_invoice_format"):
        assert ticket.invoice_number == invoice.number  # as printed, whatever the case typed
    assert list(TicketEvent.objects.filter(ticket=ticket).values_list("status", "author_id")) == [("open", manager.pk)]
    assert AuditEvent.objects.filter(action="ticket_opened", object_id=str(ticket.pk), actor=manager).exists()
    message = OutboxMessage.objects.get(purpose="ticket")
    assert message.channel == "email" and message.recipient == "giulia.neri@example.it"
    assert ticket.reference in message.subject and f"/assistenza/{ticket.pk}/" in message.body


@pytest.mark.django_db
def test_sms_to_the_referent_when_chosen(manager, mobile, site):
    data = make_request("cannot_call", number=mobile.number, site_id=site.pk, notify_by="sms",
                        referent_phone="347 111 2233", referent_email="")  # fmt: skip
    ticket = ticket_open(scope=scope_of(manager), data=data)
    assert ticket.referent_phone == "+393471112233"
    message = OutboxMessage.objects.get(purpose="ticket")
    assert message.channel == "sms" and message.recipient == "+393471112233" and ticket.reference in message.body


def _refusals():
    """(topic, overrides, field): each refused on that field."""
    long = "x" * 301
    return [
        ("cannot_call", {"topic": "wrong_charging"}, "topic"),
        ("cannot_call", {"reason": "complaint"}, "reason"),
        ("cannot_call", {"number": ""}, "number"),
        ("cannot_call", {"number": "12ab"}, "number"),
        ("cannot_call", {"number": "+390212345678"}, "number"),  # a fixed number for a mobile problem
        ("cannot_call", {"number": "+393499999999"}, "number"),  # not one of the company's lines
        ("fixed_line_problem", {"number": "__mobile__"}, "number"),
        ("cannot_call", {"service": "fax"}, "service"),
        ("faulty_device", {"serial_number": "490154203237519"}, "serial_number"),  # IMEI check digit
        ("faulty_device", {"serial_number": "AB"}, "serial_number"),
        ("faulty_device", {"serial_number": "SN 123/456"}, "serial_number"),
        ("faulty_device", {"device_model": "tablet"}, "device_model"),
        ("faulty_accessory", {"domain": ""}, "domain"),
        ("sim_replacement", {"loss_kind": "broken"}, "loss_kind"),
        ("sim_replacement", {"delivery_site_id": None}, "delivery_site"),
        ("sim_replacement", {"delivery_site_id": "__foreign_site__"}, "delivery_site"),
        ("imei_block", {"imei": "49015420323751"}, "imei"),
        ("imei_block", {"imei": "490154203237519"}, "imei"),
        ("imei_block", {"attachments": documents(request_form=None)}, "request_form"),
        ("imei_block", {"attachments": documents(identity_document=SimpleUploadedFile("a.txt", b"hello"))},
         "identity_document"),
        ("imei_block", {"attachments": documents(police_report=SimpleUploadedFile("big.pdf", PDF + b"0" * 5_300_000))},
         "police_report"),
        ("wrong_charging", {"invoice_number": ""}, "invoice_number"),
        ("wrong_charging", {"invoice_number": "__foreign_invoice__"}, "invoice_number"),
        ("activation_delay", {"domain": "satellite"}, "domain"),
        ("activation_delay", {"invoice_number": "2099/X1"}, "invoice_number"),
        ("activation_delay", {"notes": long}, "notes"),
        ("activation_delay", {"site_id": None}, "site"),
        ("activation_delay", {"site_id": "__foreign_site__"}, "site"),
        ("activation_delay", {"referent_name": "  "}, "referent_name"),
        ("activation_delay", {"notify_by": "pigeon"}, "notify_by"),
        ("activation_delay", {"notify_by": "sms", "referent_phone": ""}, "referent_phone"),
        ("activation_delay", {"notify_by": "sms", "referent_phone": "12345"}, "referent_phone"),
        ("activation_delay", {"referent_email": "giulia@"}, "referent_email"),
        ("activation_delay", {"referent_email": ""}, "referent_email"),
        ("activation_delay", {"requester_name": ""}, "requester_name"),
        ("activation_delay", {"requester_email": ""}, "requester_email"),
        ("activation_delay", {"requester_phone": "abc"}, "requester_phone"),
    ]  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("topic", "overrides", "field"), _refusals())
def test_refused_on_its_field_and_nothing_stored(topic, overrides, field, manager, mobile, fixed, site, invoice,
                                                  other_company):  # fmt: skip
    foreign = {
        "__mobile__": mobile.number,
        "__foreign_site__": SiteFactory(company=other_company).pk,
        "__foreign_invoice__": issue_invoice(other_company, line=LineFactory(company=other_company)).number,
    }
    overrides = {k: foreign.get(v, v) if isinstance(v, str) else v for k, v in overrides.items()}
    number = fixed.number if topic == "fixed_line_problem" else mobile.number
    base = {"number": number, "site_id": site.pk, "invoice_number": invoice.number}
    data = make_request(topic, **(base | overrides))
    with pytest.raises(ApplicationError) as refused:
        ticket_open(scope=scope_of(manager), data=data)
    assert refused.value.field == field, refused.value.message
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()
    assert not OutboxMessage.objects.exists() and not AuditEvent.objects.filter(action="ticket_opened").exists()


@pytest.mark.django_db
def test_an_employee_names_only_his_own_lines(profiles, company, site):
    employee = profiles["employee"]
    colleague = LineFactory(company=company)
    with pytest.raises(ApplicationError) as refused:
        data = make_request("no_internet", number=colleague.number, site_id=site.pk)
        ticket_open(scope=scope_of(employee), data=data)
    assert refused.value.field == "number"
    ticket = ticket_open(scope=scope_of(employee), data=make_request("no_internet", number=employee.line.number,
                                                                      site_id=site.pk))  # fmt: skip
    assert ticket.line == employee.line


@pytest.mark.django_db
def test_a_company_without_sites_needs_none(manager, mobile):
    ticket = ticket_open(scope=scope_of(manager), data=make_request("faulty_sim", number=mobile.number))
    assert ticket.site is None


@pytest.mark.django_db
def test_at_most_twenty_an_hour(manager, mobile, site):
    scope = scope_of(manager)
    for _ in range(20):
        ticket_open(scope=scope, data=make_request("faulty_sim", number=mobile.number, site_id=site.pk))
    with pytest.raises(ApplicationError) as refused:
        ticket_open(scope=scope, data=make_request("faulty_sim", number=mobile.number, site_id=site.pk))
    assert refused.value.status == 429
    assert Ticket.objects.count() == 20

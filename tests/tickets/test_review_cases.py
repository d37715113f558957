"""Documents stored safely and cleaned up, restricted managers' sites, employees' invoice numbers,
the staff's access to documents, line breaks in notes."""

from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.tickets import selectors
from selfcare.tickets.models import Ticket, TicketAttachment
from selfcare.tickets.services import ticket_open
from tests.factories import LineFactory, SiteFactory, UserFactory

from .conftest import PDF, documents, in_english, make_request, scope_of


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.django_db
def test_documents_get_a_random_name_and_the_type_found_in_them(profiles, site):
    files = documents(request_form=SimpleUploadedFile("../../etc/modulo.html", PDF))
    ticket = ticket_open(scope=scope_of(profiles["manager"]), data=make_request("imei_block", site_id=site.pk,
                                                                                attachments=files))  # fmt: skip
    form = ticket.attachments.get(kind="request_form")
    assert form.file_name == "modulo.html"  # shown as sent, without folders
    assert form.file.name.endswith(".pdf") and "modulo" not in form.file.name
    assert len(stored_files()) == 3
    Ticket.objects.filter(pk=ticket.pk).delete()
    assert stored_files() == []  # the files go with their rows


@pytest.mark.django_db
def test_no_file_stays_behind_when_opening_fails(profiles, site):
    with mock.patch.object(AuditEvent.objects, "create", side_effect=RuntimeError("database gone")):
        with pytest.raises(RuntimeError):
            ticket_open(scope=scope_of(profiles["manager"]), data=make_request("imei_block", site_id=site.pk))
    assert not TicketAttachment.objects.exists() and stored_files() == []


@pytest.mark.django_db
def test_a_restricted_manager_names_only_his_sites(company, site, mobile):
    turin = SiteFactory(company=company, name="Sede di Torino")
    manager = UserFactory(company=company, role=Role.MANAGER)
    manager.sites.add(turin)
    own_line = LineFactory(company=company, site=turin)
    scope = scope_of(manager)
    with pytest.raises(ApplicationError) as refused:
        ticket_open(scope=scope, data=make_request("faulty_sim", number=own_line.number, site_id=site.pk))
    assert refused.value.field == "site"
    data = make_request("sim_replacement", number=own_line.number, site_id=turin.pk, delivery_site_id=site.pk)
    with pytest.raises(ApplicationError) as refused:
        ticket_open(scope=scope, data=data)
    assert refused.value.field == "delivery_site"
    ticket = ticket_open(scope=scope, data=make_request("faulty_sim", number=own_line.number, site_id=turin.pk))
    assert ticket.site == turin


@pytest.mark.django_db
def test_a_restricted_manager_sees_tickets_by_site_by_line_or_his_own(company, profiles, site):
    turin, rome = SiteFactory(company=company, name="Torino"), SiteFactory(company=company, name="Roma")
    manager = UserFactory(company=company, role=Role.MANAGER)
    manager.sites.add(turin)
    base = {"company": company, "reason": "administrative", "topic": "activation_delay", "referent_name": "R",
            "referent_email": "r@example.it", "notify_by": "email", "requester_name": "Q",
            "requester_email": "q@example.it"}  # fmt: skip
    by_site = Ticket.objects.create(**base, site=turin)
    by_line = Ticket.objects.create(**base, site=rome, line=LineFactory(company=company, site=turin))
    his_own = Ticket.objects.create(**base, site=rome, created_by=manager)
    Ticket.objects.create(**base, site=rome, created_by=profiles["manager"])
    seen = set(selectors.visible_tickets(scope_of(manager)).values_list("pk", flat=True))
    assert seen == {by_site.pk, by_line.pk, his_own.pk}


@pytest.mark.django_db
def test_an_employee_invoice_number_is_not_checked_against_the_invoices(profiles, site, invoice):
    scope = scope_of(profiles["employee"])
    ticket = ticket_open(scope=scope, data=make_request("wrong_charging", site_id=site.pk, invoice_number="2099/z9"))
    assert ticket.invoice_number == "2099/Z9"
    with pytest.raises(ApplicationError) as refused:
        ticket_open(scope=scope, data=make_request("wrong_charging", site_id=site.pk, invoice_number="<script>"))
    assert refused.value.field == "invoice_number"


@pytest.mark.django_db
def test_staff_download_the_documents_from_the_back_office_and_it_is_audited(client, profiles, site):
    ticket = ticket_open(scope=scope_of(profiles["manager"]), data=make_request("imei_block", site_id=site.pk))
    document = ticket.attachments.get(kind="request_form")
    url = reverse("admin:tickets_ticket_document", args=[ticket.pk, document.pk])
    staff = profiles["staff"]
    client.force_login(staff)
    assert client.get(url).status_code == 403  # staff without the permission on tickets
    staff.is_superuser = True
    staff.save()
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="ticket_document_read", actor=staff, object_id=str(ticket.pk)).exists()
    change = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).content.decode()
    assert url in change


@pytest.mark.django_db
def test_line_breaks_count_as_one_character_as_the_browser_counts_them(client_as, mobile, site):
    client = in_english(client_as("manager"))
    notes = "\r\n".join(["x" * 49] * 6)  # 299 characters as the browser counts them, 304 as sent
    data = {"number": mobile.number, "site": site.pk, "notes": notes, "referent_name": "R", "notify_by": "email",
            "referent_email": "r@example.it", "requester_name": "Q", "requester_email": "q@example.it"}  # fmt: skip
    response = client.post(reverse("tickets:create", args=["technical", "faulty_sim"]), data)
    assert response.status_code == 302, response.content.decode()[:2000]

"""Ticket pages: the two steps of a new ticket, its errors, the list with its filter, the ticket,
its documents, the manager's home panel and the back office's action."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfcare.tickets.models import Ticket
from selfcare.tickets.services import ticket_open, ticket_status_set

from .conftest import JPEG, PDF, PNG, VALID_IMEI, in_english, make_request, scope_of


@pytest.fixture
def manager_client(client_as):
    return in_english(client_as("manager"))


def form_data(**overrides) -> dict:
    return {
        "referent_name": "Giulia Neri", "referent_email": "giulia.neri@example.it", "notify_by": "email",
        "requester_name": "Marco Gialli", "requester_email": "marco.gialli@example.it",
    } | overrides  # fmt: skip


@pytest.mark.django_db
def test_new_ticket_in_two_steps(manager_client, profiles, mobile, site):
    page = manager_client.get(reverse("tickets:new"))
    assert page.status_code == 200
    create = reverse("tickets:create", args=["technical", "cannot_call_abroad"])
    assert create.encode() in page.content
    form = manager_client.get(create)
    content = form.content.decode()
    # Only what the topic needs, and the user's own details to start with.
    assert 'name="number"' in content and 'name="service"' in content and 'name="imei"' not in content
    assert f'value="{profiles["manager"].email}"' in content
    data = form_data(number="  " + mobile.number[3:6] + " " + mobile.number[6:], service="voice", site=site.pk)
    response = manager_client.post(create, data)
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("tickets:detail", args=[ticket.pk])
    detail = manager_client.get(response["Location"])
    text = detail.content.decode()
    assert f"Ticket {ticket.reference} opened." in text and "Mobile: cannot call while abroad" in text
    assert mobile.display_number in text and "Received" in text


@pytest.mark.django_db
def test_errors_are_shown_on_their_fields(manager_client, mobile, site, other_company):
    create = reverse("tickets:create", args=["technical", "cannot_call"])
    response = manager_client.post(create, form_data(number="+393499999999", site=site.pk, notes="x" * 301))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose voice or internet." in content  # the form: service missing
    assert "Ensure this value has at most 300 characters" in content
    response = manager_client.post(create, form_data(number="+393499999999", site=site.pk, service="voice"))
    assert response.status_code == 400
    assert "This number is not one of the lines you manage." in response.content.decode()  # the service
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Ticket.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("reason", "topic"), [("technical", "imei_block"), ("complaint", "faulty_sim"), ("x", "y")])
def test_a_topic_outside_its_reason_is_not_found(manager_client, reason, topic):
    assert manager_client.get(reverse("tickets:create", args=[reason, topic])).status_code == 404


@pytest.mark.django_db
def test_imei_block_with_its_documents(manager_client, site):
    create = reverse("tickets:create", args=["theft_loss", "imei_block"])
    files = {
        "request_form": SimpleUploadedFile("modulo.pdf", PDF),
        "identity_document": SimpleUploadedFile("carta.jpg", JPEG),
        "police_report": SimpleUploadedFile("denuncia.png", PNG),
    }
    data = form_data(imei=VALID_IMEI, service="data", loss_kind="theft", site=site.pk)
    refused = manager_client.post(create, data | {**files, "police_report": SimpleUploadedFile("x.txt", b"text")})
    assert refused.status_code == 400 and "Send a PDF, JPEG or PNG file." in refused.content.decode()
    for upload in files.values():
        upload.seek(0)
    response = manager_client.post(create, data | files)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    document = ticket.attachments.get(kind="identity_document")
    download = manager_client.get(reverse("tickets:attachment", args=[ticket.pk, document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == JPEG
    assert download["Content-Type"] == "image/jpeg" and "attachment" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_the_list_filters_by_status_and_swaps_only_the_list(manager_client, profiles, mobile, site):
    scope = scope_of(profiles["manager"])
    first = ticket_open(scope=scope, data=make_request("faulty_sim", number=mobile.number, site_id=site.pk))
    second = ticket_open(scope=scope, data=make_request("activation_delay", site_id=site.pk))
    ticket_status_set(ticket_id=first.pk, status="resolved", message="", actor_id=profiles["staff"].pk)
    shown = manager_client.get(reverse("tickets:list")).content.decode()
    assert second.reference in shown and first.reference not in shown and "<html" in shown
    closed = manager_client.get(reverse("tickets:list"), {"shown": "closed"}, headers={"HX-Request": "true"})
    assert "<html" not in closed.content.decode()
    assert first.reference in closed.content.decode() and second.reference not in closed.content.decode()
    assert manager_client.get(reverse("tickets:list"), {"shown": "bogus", "cursor": "!!"}).status_code == 200


@pytest.mark.django_db
def test_empty_list_says_what_to_do(manager_client):
    content = manager_client.get(reverse("tickets:list")).content.decode()
    assert "No open tickets." in content and reverse("tickets:new") in content


@pytest.mark.django_db
def test_list_pages_and_queries_do_not_grow_with_tickets(manager_client, profiles, mobile, site):
    scope = scope_of(profiles["manager"])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(reverse("tickets:list")).status_code == 200
        return len(captured)

    ticket_open(scope=scope, data=make_request("faulty_sim", number=mobile.number, site_id=site.pk))
    queries()  # the first page view also fills the per-user caches (the bell, the scope)
    few = queries()
    tickets = [
        Ticket(company_id=scope.company_id, reason="technical", topic="faulty_sim", line=mobile, site=site,
               referent_name="R", referent_email="r@example.it", notify_by="email", requester_name="Q",
               requester_email="q@example.it")
        for _ in range(40)
    ]  # fmt: skip
    Ticket.objects.bulk_create(tickets)
    assert queries() == few
    first = manager_client.get(reverse("tickets:list")).content.decode()
    assert "41 tickets" in first and 'rel="next"' in first


@pytest.mark.django_db
def test_the_manager_home_shows_the_open_tickets(manager_client, profiles, mobile, site):
    home = manager_client.get(reverse("portal:home")).content.decode()
    assert "Open tickets" in home and "No open tickets." in home
    ticket = ticket_open(scope=scope_of(profiles["employee"]), data=make_request("faulty_sim", number=mobile.number,
                                                                                 site_id=site.pk))  # fmt: skip
    ticket_status_set(ticket_id=ticket.pk, status="waiting", message="?", actor_id=profiles["staff"].pk)
    home = manager_client.get(reverse("portal:home")).content.decode()
    assert ticket.reference in home and "1 waits for your answer" in home
    assert reverse("tickets:detail", args=[ticket.pk]) in home


@pytest.mark.django_db
def test_back_office_updates_the_status_after_asking_the_message(client, profiles, mobile, site):
    staff = profiles["staff"]
    staff.is_superuser = True
    staff.save()
    in_english(client).force_login(staff)
    ticket = ticket_open(scope=scope_of(profiles["manager"]), data=make_request("faulty_sim", number=mobile.number,
                                                                                site_id=site.pk))  # fmt: skip
    changelist = reverse("admin:tickets_ticket_changelist")
    asked = client.post(changelist, {"action": "update_status", "_selected_action": [ticket.pk]})
    assert asked.status_code == 200 and "Message to the customer" in asked.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "open"
    done = client.post(changelist, {"action": "update_status", "_selected_action": [ticket.pk], "apply": "1",
                                    "status": "in_progress", "message": "Tecnico in arrivo."})  # fmt: skip
    assert done.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.events.last().message == "Tecnico in arrivo." and ticket.events.last().author == staff
    assert client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk])).status_code == 200


@pytest.mark.django_db
def test_reply_from_the_ticket_page(manager_client, profiles, mobile, site):
    ticket = ticket_open(scope=scope_of(profiles["manager"]), data=make_request("faulty_sim", number=mobile.number,
                                                                                site_id=site.pk))  # fmt: skip
    ticket_status_set(ticket_id=ticket.pk, status="waiting", message="Quando?", actor_id=profiles["staff"].pk)
    page = manager_client.get(reverse("tickets:detail", args=[ticket.pk])).content.decode()
    assert "Our staff wait for your answer to go on." in page
    reply = reverse("tickets:reply", args=[ticket.pk])
    empty = manager_client.post(reply, {"message": " "})
    assert empty.status_code == 400 and "Write your message." in empty.content.decode()
    sent = manager_client.post(reply, {"message": "Da lunedì."})
    assert sent.status_code == 302
    page = manager_client.get(sent["Location"]).content.decode()
    assert "Da lunedì." in page and "Message sent." in page
    assert manager_client.get(reply).status_code == 405

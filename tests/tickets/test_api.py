"""The tickets API: open (JSON, or multipart with documents), list, one ticket, a document, errors."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from selfcare.tickets.models import Ticket

from .conftest import JPEG, PDF, PNG, VALID_IMEI, in_english

COMMON = {
    "referent_name": "Giulia Neri", "referent_phone": "347 111 2233", "notify_by": "sms",
    "requester_name": "Marco Gialli", "requester_email": "marco.gialli@example.it",
}  # fmt: skip


@pytest.fixture
def api(client_as):
    return in_english(client_as("manager"))


@pytest.mark.django_db
def test_open_follow_and_list(api, mobile, site):
    body = COMMON | {"reason": "technical", "topic": "no_internet", "number": mobile.number, "service": "data",
                     "site": site.pk, "notes": "Da ieri."}  # fmt: skip
    created = api.post(reverse("api:tickets"), body, content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    ticket = Ticket.objects.get()
    assert data["reference"] == ticket.reference and data["number"] == mobile.number
    assert data["referent_phone"] == "+393471112233" and data["status"] == "open"
    assert [e["status"] for e in data["events"]] == ["open"] and data["events"][0]["by_operator"] is False
    listed = api.get(reverse("api:tickets")).json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == ticket.pk and listed["next_cursor"] is None
    assert api.get(reverse("api:tickets"), {"shown": "closed"}).json()["count"] == 0
    assert api.get(reverse("api:ticket", args=[ticket.pk])).json()["notes"] == "Da ieri."


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"topic": "imei_block"}, "topic"),
        ({"number": "+393499999999"}, "number"),
        ({"referent_phone": ""}, "referent_phone"),
        ({"site": None}, "site"),
        ({"notify_by": "fax"}, "notify_by"),
        ({"notes": "x" * 301}, "notes"),
    ],
)
def test_errors_come_back_on_their_field(api, mobile, site, change, field):
    body = COMMON | {"reason": "technical", "topic": "no_internet", "number": mobile.number, "service": "data",
                     "site": site.pk} | change  # fmt: skip
    response = api.post(reverse("api:tickets"), body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Ticket.objects.exists()


@pytest.mark.django_db
def test_bad_list_parameters_are_400(api):
    assert api.get(reverse("api:tickets"), {"shown": "everything"}).json()["error"]["fields"]["shown"]
    assert api.get(reverse("api:tickets"), {"cursor": "garbage"}).json()["error"]["fields"]["cursor"]


@pytest.mark.django_db
def test_imei_block_as_multipart_with_its_documents(api, site):
    body = COMMON | {
        "reason": "theft_loss", "topic": "imei_block", "imei": VALID_IMEI, "service": "voice", "loss_kind": "loss",
        "site": site.pk, "request_form": SimpleUploadedFile("modulo.pdf", PDF),
        "identity_document": SimpleUploadedFile("carta.jpg", JPEG), "police_report": SimpleUploadedFile("d.png", PNG),
    }  # fmt: skip
    created = api.post(reverse("api:tickets"), body)
    assert created.status_code == 201, created.content
    documents = {d["kind"]: d for d in created.json()["attachments"]}
    assert set(documents) == {"request_form", "identity_document", "police_report"}
    ticket_id = created.json()["id"]
    url = reverse("api:ticket_attachment", args=[ticket_id, documents["request_form"]["id"]])
    download = api.get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


@pytest.mark.django_db
def test_the_schema_documents_the_endpoints(api):
    schema = api.get(reverse("api:schema"), {"format": "json"}).json()
    assert {"/api/v1/tickets/", "/api/v1/tickets/{ticket_id}/",
            "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}/"} <= set(schema["paths"])  # fmt: skip
    assert "multipart/form-data" in schema["paths"]["/api/v1/tickets/"]["post"]["requestBody"]["content"]


@pytest.mark.django_db
def test_reply_through_the_api(api, mobile, site):
    body = COMMON | {"reason": "technical", "topic": "faulty_sim", "number": mobile.number, "site": site.pk}
    ticket_id = api.post(reverse("api:tickets"), body, content_type="application/json").json()["id"]
    url = reverse("api:ticket_replies", args=[ticket_id])
    assert api.post(url, {"message": ""}, content_type="application/json").status_code == 400
    answered = api.post(url, {"message": "Anche ieri."}, content_type="application/json")
    assert answered.status_code == 201
    assert [e["message"] for e in answered.json()["events"]] == ["", "Anche ieri."]

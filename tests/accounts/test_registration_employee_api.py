import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from selfcare.accounts.models import User
from selfcare.notifications.models import OutboxMessage
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def post(client, name, data=None):
    return client.post(reverse(f"api:register_employee_{name}"), data or {}, content_type="application/json")


def test_the_app_registers_an_employee_step_by_step(client):
    line = LineFactory(number="+393472220001")
    assert post(client, "start", {"number": "3472220001", "email": "app@example.it"}).json() == {
        "next": "sms_code",
        "security_question_required": False,
    }
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.get().body).group(1)
    assert post(client, "code", {"code": code}).json()["next"] == "password"
    response = post(client, "password", {"password": "orso-bruno-in-montagna"})
    assert response.status_code == 200 and response.json()["next"] == "done"
    assert User.objects.get().line == line
    assert client.get(reverse("api:me")).json()["current_line"] == line.number


def test_errors_have_the_common_shape_with_field_messages(client):
    response = post(client, "start", {"number": "abc", "email": "x"})
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "invalid" and set(body["fields"]) == {"number", "email"}


def test_wrong_code_is_a_field_error(client):
    LineFactory(number="+393472220002")
    post(client, "start", {"number": "3472220002", "email": "app@example.it"})
    response = post(client, "code", {"code": "000000"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"code": [response.json()["error"]["message"]]}


def test_steps_out_of_order_ask_to_restart(client):
    response = post(client, "password", {"password": "orso-bruno-in-montagna"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "restart"


def test_the_schema_documents_the_registration_endpoints(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").content.decode()
    for step in ("start", "code", "resend", "sim", "password"):
        assert f"/api/v1/account/registration/employee/{step}/" in schema


def test_public_flows_accept_json_only(client):
    """A cross-site HTML form (form-encoded) cannot drive the CSRF-free registration API."""
    LineFactory(number="+393472220003")
    response = client.post(reverse("api:register_employee_start"), {"number": "3472220003", "email": "a@example.it"})
    assert response.status_code == 415
    assert OutboxMessage.objects.count() == 0

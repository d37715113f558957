"""The billing profile's API: /api/v1/billing-profile/ and /api/v1/payment-method/."""

import pytest
from django.urls import reverse

from selfcare.billing.models import PaymentMethod
from selfcare.billing.services.profile import payment_method_mark_invalid, payment_method_set
from tests.billing.test_profile_services import IBAN, card, direct_debit

pytestmark = pytest.mark.django_db

PROFILE = reverse("api:billing_profile")
METHOD = reverse("api:payment_method")


@pytest.fixture
def api(client_as):
    client = client_as("manager")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def fields_of(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


def test_billing_profile_read_and_patch(api, company):
    assert api.get(PROFILE).json() == {"pec": "", "sdi_code": "", "deliverable": False, "call_detail_enabled": False}
    changed = api.patch(PROFILE, {"sdi_code": "krrh6b9"}, content_type="application/json")
    assert changed.status_code == 200
    assert changed.json() == {"pec": "", "sdi_code": "KRRH6B9", "deliverable": True, "call_detail_enabled": False}
    # A PATCH keeps what it does not name.
    changed = api.patch(PROFILE, {"pec": "fatture@pec.azienda.it"}, content_type="application/json")
    assert changed.json() == {
        "pec": "fatture@pec.azienda.it",
        "sdi_code": "KRRH6B9",
        "deliverable": True,
        "call_detail_enabled": False,
    }
    company.refresh_from_db()
    assert (company.sdi_code, company.pec) == ("KRRH6B9", "fatture@pec.azienda.it")


def test_call_detail_turned_on_and_off(api, company, profiles):
    from selfcare.core.models import AuditEvent
    from tests.factories import issue_invoice

    company.sdi_code = "KRRH6B9"
    company.save()
    invoice = issue_invoice(company)
    xlsx = reverse("billing:call_detail", kwargs={"invoice_id": invoice.pk, "fmt": "xlsx"})
    changed = api.patch(PROFILE, {"call_detail_enabled": True}, content_type="application/json")
    assert changed.status_code == 200, changed.content
    assert changed.json() == {"pec": "", "sdi_code": "KRRH6B9", "deliverable": True, "call_detail_enabled": True}
    assert api.get(PROFILE).json()["call_detail_enabled"] is True
    company.refresh_from_db()
    assert company.call_detail_enabled is True
    event = AuditEvent.objects.get(action="billing_profile_updated")
    assert event.actor_id == profiles["manager"].pk
    assert event.detail["after"] == {"pec": "", "sdi_code": "KRRH6B9", "call_detail_enabled": True}
    assert xlsx in api.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    # A PATCH that does not name it keeps it, in JSON as in a form-encoded body.
    assert api.patch(PROFILE, {"pec": "a@pec.it"}, content_type="application/json").json()["call_detail_enabled"]
    assert api.patch(PROFILE, "pec=b%40pec.it", content_type="application/x-www-form-urlencoded").status_code == 200
    company.refresh_from_db()
    assert (company.pec, company.call_detail_enabled) == ("b@pec.it", True)
    changed = api.patch(PROFILE, {"call_detail_enabled": False}, content_type="application/json")
    assert changed.json()["call_detail_enabled"] is False
    company.refresh_from_db()
    assert company.call_detail_enabled is False
    assert xlsx not in api.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()


def test_call_detail_must_be_a_boolean(api, company):
    company.sdi_code = "KRRH6B9"
    company.save()
    assert set(fields_of(api.patch(PROFILE, {"call_detail_enabled": "maybe"}, content_type="application/json"))) == {
        "call_detail_enabled"
    }
    company.refresh_from_db()
    assert company.call_detail_enabled is False


def test_billing_profile_field_errors(api, company):
    assert fields_of(api.patch(PROFILE, {"sdi_code": "AB"}, content_type="application/json")) == {
        "sdi_code": ["The recipient code (codice destinatario) has exactly 7 capital letters or digits."]
    }
    assert set(fields_of(api.patch(PROFILE, {"sdi_code": "0000000"}, content_type="application/json"))) == {"pec"}
    both = fields_of(api.patch(PROFILE, {"sdi_code": "1", "pec": "x"}, content_type="application/json"))
    assert set(both) == {"sdi_code", "pec"}
    assert set(fields_of(api.patch(PROFILE, {"sdi_code": "X" * 21}, content_type="application/json"))) == {"sdi_code"}
    company.refresh_from_db()
    assert company.sdi_code == ""


def test_payment_method_read_set_and_masked(api, company):
    empty = api.get(METHOD).json()
    assert empty["current"] is None and empty["transfer_to"]["iban"].startswith("IT60 X054")
    response = api.put(METHOD, {"kind": "sdd", **direct_debit()}, content_type="application/json")
    assert response.status_code == 200, response.content
    current = response.json()["current"]
    assert current["kind"] == "sdd" and current["status"] == "valid"
    assert current["iban_masked"] == "IT66 A030 **** **** 2345"
    assert current["mandate_reference"].startswith(f"SCB-{company.pk}-")
    assert IBAN not in response.content.decode() and IBAN not in api.get(METHOD).content.decode()
    response = api.put(METHOD, {"kind": "transfer"}, content_type="application/json")
    assert response.json()["current"]["kind"] == "transfer"
    assert list(PaymentMethod.objects.filter(company=company).values_list("is_current", flat=True)) == [True, False]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"kind": "sdd", **direct_debit(iban="IT66A0306909606100000012346")}, {"iban"}),
        (
            {"kind": "sdd", **direct_debit(account_holder_fiscal_code="RSSMRA80A01H501X")},
            {"account_holder_fiscal_code"},
        ),
        ({"kind": "sdd", **direct_debit(mandate_accepted=False)}, {"mandate_accepted"}),
        ({"kind": "sdd"}, {"iban", "account_holder", "account_holder_fiscal_code", "mandate_accepted"}),
        ({"kind": "card", **card()}, {"kind"}),
        ({"kind": "cheque"}, {"kind"}),
        ({}, {"kind"}),
        ({"kind": "sdd", **direct_debit(iban="I" * 100)}, {"iban"}),
    ],
)
def test_payment_method_field_errors(api, data, fields):
    assert set(fields_of(api.put(METHOD, data, content_type="application/json"))) == fields
    assert not PaymentMethod.objects.exists()


def test_invalid_method_is_reported(api, company):
    method = payment_method_set(actor=None, company_id=company.pk, kind="card", **card())
    payment_method_mark_invalid(method_id=method.pk, reason="Carta bloccata")
    current = api.get(METHOD).json()["current"]
    assert (current["status"], current["status_reason"], current["card_last4"]) == ("invalid", "Carta bloccata", "4242")
    assert "tok_abc123" not in api.get(METHOD).content.decode()


def test_other_company_and_employee(client_as, company, other_company):
    other_company.sdi_code = "ZZZZZZZ"
    other_company.save()
    payment_method_set(actor=None, company_id=other_company.pk, kind="sdd", **direct_debit())
    admin = client_as("admin")
    assert admin.get(PROFILE).json()["sdi_code"] == ""
    assert admin.get(METHOD).json()["current"] is None
    employee = client_as("employee")
    assert employee.get(PROFILE).status_code == 403
    assert employee.patch(PROFILE, {"sdi_code": "KRRH6B9"}, content_type="application/json").status_code == 403
    assert employee.patch(PROFILE, {"call_detail_enabled": True}, content_type="application/json").status_code == 403
    company.refresh_from_db()
    assert company.call_detail_enabled is False
    assert employee.put(METHOD, {"kind": "transfer"}, content_type="application/json").status_code == 403
    assert client_as("anonymous").get(METHOD).status_code == 401
    assert PaymentMethod.objects.filter(company=company).count() == 0


def test_schema_documents_the_endpoints(client):
    schema = client.get(reverse("api:schema"), {"format": "json"}).json()
    paths = schema["paths"]
    assert {"get", "patch"} <= set(paths["/api/v1/billing-profile/"])
    components = schema["components"]["schemas"]
    read = paths["/api/v1/billing-profile/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert components[read["$ref"].rsplit("/", 1)[-1]]["properties"]["call_detail_enabled"]["type"] == "boolean"
    write = paths["/api/v1/billing-profile/"]["patch"]["requestBody"]["content"]["application/json"]["schema"]
    assert components[write["$ref"].rsplit("/", 1)[-1]]["properties"]["call_detail_enabled"]["type"] == "boolean"
    assert {"get", "put"} <= set(paths["/api/v1/payment-method/"])
    names = {p["name"] for p in paths["/api/v1/topups/"]["get"]["parameters"]}
    assert {"line", "from", "to", "cursor"} <= names

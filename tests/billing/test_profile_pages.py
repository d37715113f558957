"""The e-invoicing and payment method pages, and the "Conto 3" name of a TRE company's area."""

import pytest
from django.conf import settings
from django.urls import reverse
from stdnum import iban as stdnum_iban

from selfcare.billing.models import PaymentMethod
from selfcare.billing.services.profile import payment_method_mark_invalid, payment_method_set
from selfcare.core.models import AuditEvent
from selfcare.customers.models import Heritage
from tests.billing.test_profile_services import IBAN, card, direct_debit

pytestmark = pytest.mark.django_db

EINVOICE = reverse("billing:einvoice_profile")
PAYMENT = reverse("billing:payment_method")


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def manager(client_as):
    return in_english(client_as("manager"))


def text(response) -> str:
    return response.content.decode()


# --- E-invoicing ------------------------------------------------------------------------------------


def test_manager_sees_the_warning_when_nothing_is_on_file(manager):
    response = manager.get(EINVOICE)
    assert response.status_code == 200
    assert 'id="einvoice-warning"' in text(response)
    assert "Invoices cannot be delivered electronically" in text(response)


def test_manager_changes_the_recipient_code_and_pec(manager, company, profiles):
    response = manager.post(EINVOICE, {"sdi_code": "krrh6b9", "pec": "Fatture@PEC.azienda.it"})
    assert response.status_code == 302 and response["Location"] == EINVOICE
    company.refresh_from_db()
    assert (company.sdi_code, company.pec) == ("KRRH6B9", "Fatture@pec.azienda.it")
    page = manager.get(EINVOICE)
    body = text(page)
    assert "Your e-invoice data has been saved." in body
    assert "einvoice-warning" not in body and "KRRH6B9" in body and "Fatture@pec.azienda.it" in body
    assert AuditEvent.objects.get(action="billing_profile_updated").actor_id == profiles["manager"].pk


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"sdi_code": "ABC", "pec": ""}, "sdi_code", "exactly 7 capital letters or digits"),
        ({"sdi_code": "0000000", "pec": ""}, "pec", "go to your PEC address: enter it"),
        ({"sdi_code": "", "pec": "not an address"}, "pec", "Enter a valid PEC address"),
        ({"sdi_code": "", "pec": ""}, "sdi_code", "invoices cannot be delivered electronically"),
        ({"sdi_code": "X" * 30, "pec": ""}, "sdi_code", "at most 20 characters"),
    ],
)
def test_bad_recipient_data_shows_a_field_error(manager, company, data, field, message):
    response = manager.post(EINVOICE, data)
    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert f'id="id_{field}"' in text(response) and 'aria-invalid="true"' in text(response)
    company.refresh_from_db()
    assert (company.sdi_code, company.pec) == ("", "")


def test_0000000_with_a_pec_is_delivered_to_the_pec(manager, company):
    manager.post(EINVOICE, {"sdi_code": "0000000", "pec": "azienda@pec.it"})
    body = text(manager.get(EINVOICE))
    assert "To the PEC address" in body and "einvoice-warning" not in body


def test_each_company_sees_only_its_own_data(client_as, company, other_company):
    other_company.sdi_code, other_company.pec = "ZZZZZZZ", "concorrente@pec.it"
    other_company.save()
    body = text(client_as("admin").get(EINVOICE))
    assert "ZZZZZZZ" not in body and "concorrente@pec.it" not in body
    assert company.name in body


def test_manager_turns_the_call_detail_on_and_off(manager, company, profiles):
    from tests.factories import issue_invoice

    invoice = issue_invoice(company)
    invoice_page = reverse("billing:invoice", args=[invoice.pk])
    xlsx = reverse("billing:call_detail", kwargs={"invoice_id": invoice.pk, "fmt": "xlsx"})
    pdf = reverse("billing:call_detail", kwargs={"invoice_id": invoice.pk, "fmt": "pdf"})
    assert xlsx not in text(manager.get(invoice_page))
    body = text(manager.get(EINVOICE))
    assert 'type="checkbox" id="id_call_detail_enabled" name="call_detail_enabled"' in body
    assert 'for="id_call_detail_enabled"' in body and 'aria-describedby="id_call_detail_enabled_help"' in body
    assert 'id="id_call_detail_enabled_help"' in body and "employees&#x27; personal data" in body
    assert "Not attached" in body

    data = {"sdi_code": "KRRH6B9", "pec": ""}
    response = manager.post(EINVOICE, data | {"call_detail_enabled": "on"})
    assert response.status_code == 302 and response["Location"] == EINVOICE
    company.refresh_from_db()
    assert company.call_detail_enabled is True
    body = text(manager.get(EINVOICE))
    assert "Attached to invoices" in body
    assert 'name="call_detail_enabled" value="on" checked' in body
    event = AuditEvent.objects.get(action="billing_profile_updated")
    assert event.actor_id == profiles["manager"].pk
    assert event.detail["before"]["call_detail_enabled"] is False and event.detail["after"]["call_detail_enabled"]
    body = text(manager.get(invoice_page))
    assert xlsx in body and pdf in body

    # An unticked box is not sent: the call detail is turned off.
    assert manager.post(EINVOICE, data).status_code == 302
    company.refresh_from_db()
    assert company.call_detail_enabled is False
    assert "Not attached" in text(manager.get(EINVOICE))
    assert xlsx not in text(manager.get(invoice_page))
    assert AuditEvent.objects.filter(action="billing_profile_updated").count() == 2


def test_call_detail_box_keeps_its_value_when_another_field_is_wrong(manager, company):
    response = manager.post(EINVOICE, {"sdi_code": "ABC", "pec": "", "call_detail_enabled": "on"})
    assert response.status_code == 400
    assert 'name="call_detail_enabled" value="on" checked' in text(response)
    company.refresh_from_db()
    assert company.call_detail_enabled is False


def test_who_cannot_edit_sees_the_call_detail_state_without_the_form(client_as, company, monkeypatch):
    from selfcare.core.permissions import CAPABILITIES, Cap, Role

    monkeypatch.setitem(CAPABILITIES, Role.REFERENT, CAPABILITIES[Role.REFERENT] - {Cap.BILLING_PROFILE_EDIT})
    company.sdi_code, company.call_detail_enabled = "KRRH6B9", True
    company.save()
    referent = in_english(client_as("referent"))
    body = text(referent.get(EINVOICE))
    assert 'id="current-call-detail">Attached to invoices<' in body
    assert 'name="call_detail_enabled"' not in body
    assert referent.post(EINVOICE, {"sdi_code": "KRRH6B9", "pec": ""}).status_code == 403
    company.refresh_from_db()
    assert company.call_detail_enabled is True


def test_employee_cannot_turn_the_call_detail_on(client_as, company):
    response = client_as("employee").post(EINVOICE, {"sdi_code": "KRRH6B9", "call_detail_enabled": "on"})
    assert response.status_code == 403
    company.refresh_from_db()
    assert (company.call_detail_enabled, company.sdi_code) == (False, "")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("url", [EINVOICE, PAYMENT])
def test_employee_is_refused_and_anonymous_asked_to_log_in(client_as, url):
    assert client_as("employee").get(url).status_code == 403
    assert client_as("employee").post(url, {"kind": "transfer", "sdi_code": "KRRH6B9"}).status_code == 403
    response = client_as("anonymous").get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))
    assert not PaymentMethod.objects.exists()


# --- Payment method -------------------------------------------------------------------------------


def test_no_method_on_file(manager):
    response = manager.get(PAYMENT)
    assert response.status_code == 200
    assert "No payment method on file." in text(response)
    # The payment provider's card flow is offered only once its page exists.
    try:
        card_setup = reverse("payments:card_setup")
    except Exception:  # noqa: BLE001  (NoReverseMatch while the card flow is being built)
        card_setup = None
    assert ("Add a card" in text(response)) == (card_setup is not None)


def test_manager_chooses_direct_debit_and_sees_the_iban_masked(manager, company):
    response = manager.post(PAYMENT, {"kind": "sdd", **direct_debit(mandate_accepted="on")})
    assert response.status_code == 302 and response["Location"] == PAYMENT
    method = PaymentMethod.objects.get(company=company, is_current=True)
    assert method.iban == IBAN and method.mandate_reference.startswith(f"SCB-{company.pk}-")
    body = text(manager.get(PAYMENT))
    assert f"mandate {method.mandate_reference}" in body
    assert "IT66 A030 **** **** 2345" in body
    assert IBAN not in body and "6909 6061" not in body and "0000 0012" not in body
    assert "Azienda Uno S.r.l." in body


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"iban": "IT66A0306909606100000012346"}, "iban", "This IBAN is not valid"),
        ({"iban": "GB29 NWBK"}, "iban", "starts with the country code"),
        ({"account_holder_fiscal_code": "RSSMRA80A01H501X"}, "account_holder_fiscal_code", "not valid"),
        ({"mandate_accepted": ""}, "mandate_accepted", "accept the SEPA direct debit mandate"),
        ({"account_holder": ""}, "account_holder", "account holder's name"),
    ],
)
def test_bad_direct_debit_shows_a_field_error(manager, fields, field, message):
    data = {"kind": "sdd", **direct_debit(mandate_accepted="on")} | fields
    response = manager.post(PAYMENT, data)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not PaymentMethod.objects.exists()


def test_every_bad_field_is_shown_at_once(manager):
    response = manager.post(PAYMENT, {"kind": "sdd", "iban": "IT00", "account_holder_fiscal_code": "x"})
    assert set(response.context["form"].errors) == {
        "iban",
        "account_holder",
        "account_holder_fiscal_code",
        "mandate_accepted",
    }


@pytest.mark.parametrize("kind", ["", "card", "cash"])
def test_card_or_unknown_kinds_cannot_be_posted(manager, kind):
    response = manager.post(PAYMENT, {"kind": kind, **card()})
    assert response.status_code == 400
    assert response.context["form"].errors["kind"] == ["Choose how to pay."]
    assert not PaymentMethod.objects.exists()


def test_bank_transfer_shows_the_operators_account(manager, company):
    payment_method_set(actor=None, company_id=company.pk, kind="sdd", **direct_debit())
    response = manager.post(PAYMENT, {"kind": "transfer", "iban": "ignored"})
    assert response.status_code == 302
    current = PaymentMethod.objects.get(company=company, is_current=True)
    assert current.kind == "transfer" and current.iban == ""
    assert PaymentMethod.objects.filter(company=company).count() == 2
    body = text(manager.get(PAYMENT))
    assert stdnum_iban.format(settings.OPERATOR["iban"]) in body  # the operator's own account, shown whole
    assert "IT66 A030" not in body  # not the previous direct debit
    assert settings.OPERATOR["name"] in body


def test_card_is_shown_by_brand_last_digits_and_expiry(manager, company):
    payment_method_set(actor=None, company_id=company.pk, kind="card", **card(card_exp_month=7))
    body = text(manager.get(PAYMENT))
    assert "Visa" in body and "•••• 4242" in body and "07/" in body and "tok_abc123" not in body


@pytest.mark.parametrize("status", ["invalid", "expired"])
def test_invalid_method_is_shown_prominently_on_both_pages(manager, company, status):
    method = payment_method_set(actor=None, company_id=company.pk, kind="sdd", **direct_debit())
    payment_method_mark_invalid(method_id=method.pk, reason="Mandato revocato dalla banca", status=status)
    for url in (PAYMENT, EINVOICE):
        body = text(manager.get(url))
        assert 'id="payment-method-alert"' in body and 'role="alert"' in body
        assert "Mandato revocato dalla banca" in body and "IT66 A030 **** **** 2345" in body
        assert "Change the payment method" in body
        expected = "has expired" if status == "expired" else "is no longer valid"
        assert f"Your payment method {expected}" in body


def test_other_companys_method_is_never_shown(manager, other_company):
    payment_method_set(actor=None, company_id=other_company.pk, kind="sdd", **direct_debit())
    body = text(manager.get(PAYMENT))
    assert "No payment method on file." in body and "2345" not in body


# --- Conto / Conto 3 ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [EINVOICE, PAYMENT, reverse("billing:topups"), reverse("portal:area", args=["conto"])])
def test_a_tre_company_calls_the_area_conto_3(client_as, company, url):
    client = client_as("manager")  # Italian, the portal's first language
    body = text(client.get(url))
    assert "Conto 3" not in body and "Conto" in body
    company.heritage, company.tre_customer_code = Heritage.TRE, "3B00000001"
    company.save()
    body = text(client.get(url))
    assert "Conto 3" in body
    if url != reverse("portal:area", args=["conto"]):
        assert 'href="/area/conto/">Conto 3</a>' in body  # the breadcrumb
        assert "· Conto 3 ·" in body  # the page's title: "<page> · Conto 3 · <brand>"


def test_the_area_page_links_the_pages(client_as):
    body = text(in_english(client_as("manager")).get(reverse("portal:area", args=["conto"])))
    assert EINVOICE in body and PAYMENT in body and reverse("billing:topups") in body
    body = text(in_english(client_as("employee")).get(reverse("portal:area", args=["conto"])))
    assert EINVOICE not in body and PAYMENT not in body and reverse("billing:topups") in body


# --- Back office ----------------------------------------------------------------------------------


def test_back_office_marks_a_method_invalid_with_a_reason(client, company, profiles):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    from selfcare.accounts.models import User
    from selfcare.notifications.models import Notification

    method = payment_method_set(actor=None, company_id=company.pk, kind="sdd", **direct_debit())
    staff = User.objects.create_superuser("backoffice", password="x")
    client.force_login(staff)
    in_english(client)
    url = reverse("admin:billing_paymentmethod_changelist")
    listing = text(client.get(url))
    assert "IT66 A030 **** **** 2345" in listing
    chosen = {"action": "mark_invalid", ACTION_CHECKBOX_NAME: [method.pk]}
    confirm = client.post(url, chosen)
    assert confirm.status_code == 200 and 'name="reason"' in text(confirm)
    method.refresh_from_db()
    assert method.status == "valid"
    # An empty reason is asked again.
    assert 'name="reason"' in text(client.post(url, chosen | {"apply": "1", "reason": ""}))
    done = client.post(url, chosen | {"apply": "1", "reason": "Addebito respinto: conto estinto"}, follow=True)
    assert "1 payment method marked invalid" in text(done)
    method.refresh_from_db()
    assert (method.status, method.status_reason) == ("invalid", "Addebito respinto: conto estinto")
    event = AuditEvent.objects.get(action="payment_method_invalid")
    assert event.actor_id == staff.pk
    assert Notification.objects.filter(user__company=company).count() == 3
    assert client.get(reverse("admin:billing_paymentmethod_add")).status_code == 403


def test_a_failing_einvoice_job_does_not_fail_the_save(manager, company, django_capture_on_commit_callbacks):
    """The company has no registered office: its waiting e-invoice cannot be made, the PEC is saved all the same."""
    from selfcare.billing.models import Invoice
    from tests.factories import issue_invoice

    invoice = issue_invoice(company)
    Invoice.objects.filter(pk=invoice.pk).update(sdi_status=Invoice.SdiStatus.NO_RECIPIENT)
    type(company).objects.filter(pk=company.pk).update(address="", city="", postcode="")
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(EINVOICE, {"sdi_code": "", "pec": "azienda@pec.it"})
    assert response.status_code == 302
    company.refresh_from_db()
    invoice.refresh_from_db()
    assert company.pec == "azienda@pec.it" and invoice.sdi_status == Invoice.SdiStatus.NO_RECIPIENT

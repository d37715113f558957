"""Paying an invoice online with the sandbox provider (SPEC F-BIL-2): "PAGA", its hosted page with the
test cards, 3-D Secure and PayPal, the outcome page, and what is refused."""

import datetime
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from selfcare.billing.models import Invoice, Payment, PaymentMethod, WebhookEvent
from selfcare.core.models import AuditEvent
from tests.factories import issue_invoice

pytestmark = pytest.mark.django_db

APPROVED, DECLINED, NO_FUNDS, CHALLENGE = (
    "4242 4242 4242 4242",
    "4000 0000 0000 0002",
    "4000 0000 0000 9995",
    "4000 0000 0000 3220",
)


@pytest.fixture
def manager(client_as):
    client = client_as("manager")
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def overdue(company):
    return issue_invoice(company, status="overdue")


def pay_url(invoice) -> str:
    return reverse("payments:invoice_pay", kwargs={"invoice_id": invoice.pk})


def click_pay(client, invoice, **data):
    """Press "PAGA" as the invoice list does; the response sends the browser to the provider."""
    return client.post(pay_url(invoice), {"method": "card"} | data)


def open_checkout(client, invoice, **data) -> str:
    response = click_pay(client, invoice, **data)
    assert response.status_code == 303, response.content
    location = response["Location"]
    assert location.startswith("http://testserver/pagamenti/sandbox/")
    return urlsplit(location).path


def card(number, expiry="12/35", cvc="123", name="Mario Rossi") -> dict:
    return {"action": "card", "number": number, "expiry": expiry, "cvc": cvc, "name": name}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- The whole way ----------------------------------------------------------------------------------


def test_paga_with_the_approved_card_pays_the_invoice(manager, overdue, profiles):
    page = open_checkout(manager, overdue)
    payment = Payment.objects.get(invoice=overdue)
    assert payment.status == Payment.Status.PENDING
    assert payment.amount == overdue.total_amount and payment.provider == "sandbox"
    assert len(payment.idempotency_key) == 32 and payment.provider_reference.startswith("sbx_cs_")
    assert payment.created_by == profiles["manager"]
    started = AuditEvent.objects.get(action="payment_started")
    assert started.actor == profiles["manager"] and started.object_id == str(payment.pk)

    shown = manager.get(page)
    assert shown.status_code == 200
    body = text(shown)
    assert overdue.number in body and "Nexo Telecom" in body
    assert f"€ {overdue.total_amount:.2f}".replace(".", ",") in body or f"€ {overdue.total_amount}" in body
    for number in (APPROVED, DECLINED, NO_FUNDS, CHALLENGE):
        assert number in body

    paid = manager.post(page, card(APPROVED))
    assert paid.status_code == 303
    assert paid["Location"] == f"http://testserver{reverse('payments:outcome', kwargs={'payment_id': payment.pk})}"
    payment.refresh_from_db()
    overdue.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert overdue.status == Invoice.Status.PAID and overdue.paid_amount == overdue.total_amount
    assert WebhookEvent.objects.get().event_type == "checkout.succeeded"

    outcome = manager.get(paid["Location"])
    assert outcome.status_code == 200
    assert "Payment received: invoice" in text(outcome) and 'data-state="paid"' in text(outcome)
    assert "hx-trigger" not in text(outcome)


def test_the_card_number_is_never_stored(manager, overdue):
    page = open_checkout(manager, overdue)
    manager.post(page, card(APPROVED))
    digits = APPROVED.replace(" ", "")
    for event in WebhookEvent.objects.all():
        assert digits not in str(event.payload)
        assert event.payload["data"]["card"]["last4"] == "4242"
    for audit in AuditEvent.objects.all():
        assert digits not in str(audit.detail)
    assert not Payment.objects.filter(checkout_url__contains=digits).exists()


def test_the_declined_card_says_so_and_a_new_click_starts_a_new_attempt(manager, overdue):
    page = open_checkout(manager, overdue)
    response = manager.post(page, card(DECLINED))
    assert response.status_code == 303
    first = Payment.objects.get(invoice=overdue)
    assert (first.status, first.failure_reason) == (Payment.Status.FAILED, "card_declined")
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.OVERDUE and overdue.paid_amount == 0
    outcome = text(manager.get(response["Location"]))
    assert "Your card was declined. Nothing was charged" in outcome
    assert "Try again" in outcome

    second_page = open_checkout(manager, overdue)
    assert second_page != page
    second = Payment.objects.get(invoice=overdue, status=Payment.Status.PENDING)
    assert second.pk != first.pk and second.idempotency_key != first.idempotency_key
    manager.post(second_page, card(APPROVED))
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID


def test_insufficient_funds(manager, overdue):
    response = manager.post(open_checkout(manager, overdue), card(NO_FUNDS))
    assert Payment.objects.get().failure_reason == "insufficient_funds"
    assert "The card has insufficient funds" in text(manager.get(response["Location"]))


@pytest.mark.parametrize(("decision", "paid"), [("approve", True), ("fail", False)])
def test_the_3d_secure_card_asks_for_the_challenge(manager, overdue, decision, paid):
    page = open_checkout(manager, overdue)
    asked = manager.post(page, card(CHALLENGE))
    assert asked.status_code == 303 and asked["Location"].startswith(f"{page}3ds/?c=")
    challenge = manager.get(asked["Location"])
    assert challenge.status_code == 200
    assert "Confirm it is you" in text(challenge) and "ending in 3220" in text(challenge)
    assert Payment.objects.get().status == Payment.Status.PENDING  # nothing decided yet
    token = re.search(r'name="c" value="([^"]+)"', challenge.content.decode())[1]
    done = manager.post(f"{page}3ds/", {"c": token, "decision": decision})
    assert done.status_code == 303
    payment = Payment.objects.get()
    overdue.refresh_from_db()
    if paid:
        assert payment.status == Payment.Status.SUCCEEDED and overdue.status == Invoice.Status.PAID
    else:
        assert (payment.status, payment.failure_reason) == (Payment.Status.FAILED, "authentication_failed")
        assert "3-D Secure" in text(manager.get(done["Location"]))


def test_a_challenge_token_of_another_page_is_not_accepted(manager, company, overdue):
    page = open_checkout(manager, overdue)
    asked = manager.post(page, card(CHALLENGE))
    token = asked["Location"].split("?c=")[1]
    other_page = open_checkout(manager, issue_invoice(company, status="overdue"))
    assert manager.get(f"{other_page}3ds/?c={token}").status_code == 404
    assert manager.post(f"{other_page}3ds/", {"c": "forged", "decision": "approve"}).status_code == 404
    assert not Payment.objects.filter(status=Payment.Status.SUCCEEDED).exists()


def test_paypal_approve(manager, overdue):
    page = open_checkout(manager, overdue, method="paypal")
    shown = text(manager.get(page))
    assert "Approve the payment" in shown
    response = manager.post(page, {"action": "paypal"})
    assert response.status_code == 303
    payment = Payment.objects.get()
    assert (payment.status, payment.method) == (Payment.Status.SUCCEEDED, "paypal")
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.PAID


def test_cancel_on_the_provider_page_returns_with_nothing_charged(manager, overdue):
    page = open_checkout(manager, overdue, method="paypal")
    response = manager.post(page, {"action": "cancel"})
    assert response.status_code == 303 and response["Location"].endswith("/esito/?annullato=1")
    payment = Payment.objects.get()
    assert (payment.status, payment.failure_reason) == (Payment.Status.CANCELLED, "cancelled_by_user")
    outcome = text(manager.get(response["Location"]))
    assert "You cancelled the payment. Nothing was charged." in outcome and "Try again" in outcome
    overdue.refresh_from_db()
    assert overdue.status == Invoice.Status.OVERDUE


def test_a_used_page_cannot_pay_again(manager, overdue):
    page = open_checkout(manager, overdue)
    manager.post(page, card(APPROVED))
    again = manager.get(page)
    assert again.status_code == 200 and "This payment page has already been used" in text(again)
    manager.post(page, card(APPROVED))
    assert WebhookEvent.objects.count() == 1


# --- The card form ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (card("4242 4242 4242 4241"), "This card number is not valid."),
        (card("4111 1111 1111 1111"), "use one of the test cards"),
        (card(APPROVED, expiry="01/20"), "This card has expired."),
        (card(APPROVED, expiry="13/30"), "Write the expiry date as MM/YY"),
        (card(APPROVED, cvc="12"), "The security code has 3 or 4 digits."),
        (card(APPROVED, name=""), "This field is required."),
    ],
)
def test_card_form_errors_send_nothing(manager, overdue, data, error):
    response = manager.post(open_checkout(manager, overdue), data)
    assert response.status_code == 400
    assert error in text(response)
    assert 'aria-invalid="true"' in text(response)
    # Neither the number nor the security code is written back into the page.
    assert f'value="{data["number"]}"' not in text(response) and f'value="{data["cvc"]}"' not in text(response)
    assert not WebhookEvent.objects.exists() and Payment.objects.get().status == Payment.Status.PENDING


# --- Pages and attempts -------------------------------------------------------------------------------


def test_unknown_or_altered_tokens_are_not_found(manager, overdue):
    page = open_checkout(manager, overdue)
    assert manager.get("/pagamenti/sandbox/unknown-token/").status_code == 404
    assert manager.get(page[:-3] + "xy/").status_code == 404
    assert manager.post(page[:-3] + "xy/", card(APPROVED)).status_code == 404


def test_the_sandbox_is_closed_when_another_provider_is_configured(manager, overdue, settings):
    page = open_checkout(manager, overdue)
    settings.PAYMENT_PROVIDER = "stripe"
    assert manager.get(page).status_code == 404


def test_an_expired_page_takes_no_payment_and_the_next_click_starts_afresh(manager, overdue, profiles):
    page = open_checkout(manager, overdue)
    first = Payment.objects.get()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        manager.force_login(profiles["manager"])  # a manager's idle session would have ended meanwhile
        assert manager.get(page).status_code == 410
        assert manager.post(page, card(APPROVED)).status_code == 410
        outcome = text(manager.get(reverse("payments:outcome", kwargs={"payment_id": first.pk})))
        assert "Waiting for confirmation" in outcome  # within the grace time a late notification may still come
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=66)):
        manager.force_login(profiles["manager"])
        assert "The payment page expired" in text(manager.get(reverse("payments:outcome", args=[first.pk])))
        new_page = open_checkout(manager, overdue)
        assert new_page != page
    first.refresh_from_db()
    assert (first.status, first.failure_reason) == (Payment.Status.CANCELLED, "expired")
    assert Payment.objects.filter(status=Payment.Status.PENDING).exclude(pk=first.pk).count() == 1
    assert not WebhookEvent.objects.exists()


def test_two_clicks_share_one_attempt_and_one_page(manager, overdue):
    first, second = open_checkout(manager, overdue), open_checkout(manager, overdue, method="paypal")
    payment = Payment.objects.get()
    assert first == second == urlsplit(payment.checkout_url).path
    assert AuditEvent.objects.filter(action="payment_started").count() == 1


def test_a_paid_invoice_is_refused(manager, company):
    invoice = issue_invoice(company, status="paid")
    response = click_pay(manager, invoice)
    assert response.status_code == 303 and response["Location"] == reverse("billing:invoices")
    assert "This invoice is already paid." in text(manager.get(response["Location"]))
    assert not Payment.objects.exists()


def test_paga_goes_back_to_the_page_it_came_from_but_never_off_site(manager, company):
    invoice = issue_invoice(company, status="paid")
    detail = reverse("billing:invoice", kwargs={"invoice_id": invoice.pk})
    assert click_pay(manager, invoice, next=detail)["Location"] == detail
    assert click_pay(manager, invoice, next="https://evil.example/")["Location"] == reverse("billing:invoices")


def test_another_companys_invoice_is_not_found(manager, other_company):
    foreign = issue_invoice(other_company, status="overdue")
    assert click_pay(manager, foreign).status_code == 404
    assert not Payment.objects.exists()


def test_an_unknown_method_is_refused(manager, overdue):
    response = click_pay(manager, overdue, method="bitcoin")
    assert response.status_code == 303
    assert "Choose how to pay: card or PayPal." in text(manager.get(response["Location"]))
    assert not Payment.objects.exists()


def test_paga_is_a_post_for_the_holders_of_the_capability(client_as, overdue):
    assert client_as("manager").get(pay_url(overdue)).status_code == 405
    assert client_as("employee").post(pay_url(overdue), {"method": "card"}).status_code == 403
    assert not Payment.objects.exists()


# --- The outcome page -----------------------------------------------------------------------------


def test_the_outcome_page_waits_without_settling_anything(manager, overdue):
    open_checkout(manager, overdue)
    payment = Payment.objects.get()
    url = reverse("payments:outcome", kwargs={"payment_id": payment.pk})
    page = text(manager.get(url))
    assert "Waiting for confirmation" in page and 'hx-trigger="every 3s"' in page
    # htmx's poll: nothing to swap while nothing changed...
    assert manager.get(url, headers={"HX-Request": "true"}).status_code == 204
    left = text(manager.get(f"{url}?annullato=1"))
    assert "You left the payment page before paying" in left and "Try again" in left
    payment.refresh_from_db()
    overdue.refresh_from_db()
    assert payment.status == Payment.Status.PENDING and overdue.status == Invoice.Status.OVERDUE
    # ...and the outcome alone once the provider's notification settled it.
    manager.post(urlsplit(payment.checkout_url).path, card(APPROVED))
    fragment = manager.get(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert 'data-state="paid"' in text(fragment) and "hx-trigger" not in text(fragment)


def test_the_outcome_page_of_another_companys_payment_is_not_found(manager, client_as, other_company, profiles):
    foreign = issue_invoice(other_company)
    payment = Payment.objects.create(
        invoice=foreign, company=other_company, provider="sandbox", amount=foreign.total_amount, idempotency_key="k1"
    )
    assert manager.get(reverse("payments:outcome", kwargs={"payment_id": payment.pk})).status_code == 404


# --- A card as the payment method (SPEC F-BIL-5) --------------------------------------------------------

SETUP_URL = "/pagamenti/metodo/carta/"
SETUP_OUTCOME_URL = "/pagamenti/metodo/carta/esito/"


def open_setup(client) -> str:
    response = client.post(SETUP_URL)
    assert response.status_code == 303, response.content
    assert response["Location"].startswith("http://testserver/pagamenti/sandbox/")
    return urlsplit(response["Location"]).path


def test_a_card_saved_on_the_provider_page_becomes_the_payment_method(manager, company, profiles):
    previous = PaymentMethod.objects.create(company=company, kind="transfer")
    page = open_setup(manager)
    audit = AuditEvent.objects.get(action="card_setup_started")
    assert audit.actor == profiles["manager"] and audit.company_id == company.pk
    shown = text(manager.get(page))
    assert "Save a card for future payments" in shown and "PayPal" not in shown and "€" not in shown

    response = manager.post(page, card(APPROVED, expiry="08/31"))
    assert response.status_code == 303 and response["Location"] == f"http://testserver{SETUP_OUTCOME_URL}"
    method = PaymentMethod.objects.get(company=company, is_current=True)
    assert (method.kind, method.provider, method.card_brand, method.card_last4) == ("card", "sandbox", "visa", "4242")
    assert (method.card_exp_month, method.card_exp_year) == (8, 2031)
    assert method.provider_token.startswith("pm_sbx_") and method.created_by is None
    previous.refresh_from_db()
    assert not previous.is_current
    assert WebhookEvent.objects.get().outcome == f"card saved: payment method {method.pk}"
    assert not PaymentMethod.objects.filter(provider_token__contains=APPROVED.replace(" ", "")).exists()

    outcome = text(manager.get(response["Location"]))
    assert 'data-state="saved"' in outcome and "Your VISA card ending in 4242 now pays" in outcome


def test_a_declined_card_is_not_saved(manager, company):
    page = open_setup(manager)
    response = manager.post(page, card(DECLINED))
    assert response.status_code == 303
    assert not PaymentMethod.objects.filter(company=company).exists()
    assert WebhookEvent.objects.get().outcome == "setup failed: card_declined"
    outcome = text(manager.get(response["Location"]))
    assert (
        'data-state="failed"' in outcome and "The card was declined by its bank" in outcome and "Try again" in outcome
    )


def test_the_3d_secure_card_is_saved_after_the_challenge(manager, company):
    page = open_setup(manager)
    asked = manager.post(page, card(CHALLENGE))
    token = parse_qs(urlsplit(asked["Location"]).query)["c"][0]
    manager.post(f"{page}3ds/", {"c": token, "decision": "approve"})
    assert PaymentMethod.objects.get(company=company, is_current=True).card_last4 == "3220"


def test_cancelling_the_setup_changes_nothing(manager, company):
    page = open_setup(manager)
    response = manager.post(page, {"action": "cancel"})
    assert response["Location"].endswith("/esito/?annullato=1")
    assert not PaymentMethod.objects.filter(company=company).exists()
    assert "You cancelled: no card was saved" in text(manager.get(response["Location"]))


def test_the_setup_outcome_waits_without_deciding(manager, company):
    open_setup(manager)
    page = text(manager.get(SETUP_OUTCOME_URL))
    assert "Waiting for confirmation" in page and 'hx-trigger="every 3s"' in page
    assert manager.get(SETUP_OUTCOME_URL, headers={"HX-Request": "true"}).status_code == 204
    assert "no card was saved" in text(manager.get(f"{SETUP_OUTCOME_URL}?annullato=1"))
    assert not PaymentMethod.objects.exists()


def test_the_setup_outcome_without_a_setup_goes_to_the_payment_method(manager):
    response = manager.get(SETUP_OUTCOME_URL)
    assert response.status_code == 302 and response["Location"] == reverse("billing:payment_method")


def test_only_the_holders_of_the_capability_add_a_card(client_as):
    assert client_as("employee").post(SETUP_URL).status_code == 403
    assert client_as("manager").get(SETUP_URL).status_code == 405
    assert not AuditEvent.objects.filter(action="card_setup_started").exists()

"""A Telco Manager pays an overdue invoice online with the sandbox provider's test cards (SPEC F-BIL-2)."""

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CARD_FIELDS = {"Expiry date (MM/YY)": "12/35", "Security code (CVC)": "123", "Name on the card": "Mario Rossi"}


def in_english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def overdue_invoice(username):
    from selfcare.accounts.models import User
    from tests.factories import issue_invoice

    return issue_invoice(User.objects.get(username=username).company, status="overdue")


def press_pay(page, live_server, invoice):
    """From the invoice list, "PAGA" on the invoice's row, to the provider's hosted page."""
    page.goto(f"{live_server.url}/conto/fatture/")
    row = page.locator(f'[data-invoice="{invoice.number}"]:visible')
    row.get_by_role("button", name=f"Pay invoice {invoice.number}").click()
    page.wait_for_url(re.compile(r"/pagamenti/sandbox/[^/]+/$"))


def pay_by_card(page, number):
    page.get_by_label("Card number").fill(number)
    for label, value in CARD_FIELDS.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name=re.compile(r"^Pay €")).click()
    page.wait_for_url(re.compile(r"/pagamenti/\d+/esito/$"))


def test_manager_pays_an_overdue_invoice_and_sees_it_paid(page, live_server, demo_logins, axe_check):
    username, password = demo_logins["Telco Manager"]
    log_in(page, live_server, username, password)
    in_english(page, live_server)
    invoice = overdue_invoice(username)

    press_pay(page, live_server, invoice)
    assert page.get_by_role("heading", name=f"Invoice {invoice.number}").is_visible()
    assert page.get_by_text("4242 4242 4242 4242").is_visible()
    screenshot(page, "payment-sandbox-checkout")
    assert axe_check(page) == []

    pay_by_card(page, "4242 4242 4242 4242")
    outcome = page.locator("#payment-outcome")
    assert outcome.get_attribute("data-state") == "paid"
    assert f"Payment received: invoice {invoice.number} is paid." in outcome.inner_text()
    screenshot(page, "payment-outcome-paid")
    assert axe_check(page) == []

    page.get_by_role("link", name="Back to the invoices").click()
    page.wait_for_url(f"{live_server.url}/conto/fatture/")
    row = page.locator(f'[data-invoice="{invoice.number}"]:visible')
    assert row.locator(".badge").inner_text() == "Paid"
    assert row.get_by_role("button", name=f"Pay invoice {invoice.number}").count() == 0


def test_the_declined_card_gets_a_clear_message(page, live_server, demo_logins, axe_check):
    from selfcare.billing.models import Invoice

    username, password = demo_logins["Telco Manager"]
    log_in(page, live_server, username, password)
    in_english(page, live_server)
    invoice = overdue_invoice(username)

    press_pay(page, live_server, invoice)
    pay_by_card(page, "4000 0000 0000 0002")
    outcome = page.locator("#payment-outcome")
    assert outcome.get_attribute("data-state") == "refused"
    assert "Your card was declined. Nothing was charged: try another card or PayPal." in outcome.inner_text()
    screenshot(page, "payment-outcome-declined")
    assert axe_check(page) == []
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OVERDUE

    # "Try again" opens a new page at the provider, where a wrong number is a field error.
    page.get_by_role("button", name="Try again").click()
    page.wait_for_url(re.compile(r"/pagamenti/sandbox/[^/]+/$"))
    page.get_by_label("Card number").fill("4242 4242 4242 4241")
    for label, value in CARD_FIELDS.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name=re.compile(r"^Pay €")).click()
    error = page.locator(".invalid-feedback")
    error.wait_for()
    assert "This card number is not valid." in error.inner_text()
    assert page.get_by_label("Card number").get_attribute("aria-invalid") == "true"
    assert axe_check(page) == []

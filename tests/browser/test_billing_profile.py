"""A Telco Manager changes the payment method to direct debit, sees the IBAN masked, fixes a wrong
IBAN on the way; the e-invoicing and top-up pages pass axe too, and the top-ups filter in place."""

import re

import pytest

from selfcare.accounts.models import User
from selfcare.billing.models import PaymentMethod
from selfcare.topups.models import Topup
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IBAN = "IT66 A030 6909 6061 0000 0012 345"


def test_manager_sets_a_direct_debit_and_checks_the_conto_pages(page, live_server, demo_logins, axe_check):
    username, password = demo_logins["Telco Manager"]
    manager = User.objects.get(username=username)
    log_in(page, live_server, username, password)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    # From the Account area to the payment method page.
    page.goto(f"{live_server.url}/area/conto/")
    page.get_by_role("link", name="Payment method").click()
    page.wait_for_url(f"{live_server.url}/conto/metodo-di-pagamento/")
    # The demo company pays by direct debit from another account.
    before = PaymentMethod.objects.get(company=manager.company, is_current=True)
    assert before.kind == "sdd" and before.iban[-4:] in page.locator("#current-method").inner_text()
    assert axe_check(page) == []

    # A mistyped IBAN: its field says so, and nothing is saved.
    page.get_by_label("Bank direct debit (SEPA)").check()
    page.get_by_label("IBAN").fill(IBAN[:-1] + "6")
    page.get_by_label("Account holder", exact=True).fill(manager.company.name)
    page.get_by_label("Account holder's codice fiscale or partita IVA").fill(manager.company.vat_number)
    page.get_by_label(re.compile("SEPA direct debit mandate")).check()
    page.get_by_role("button", name="Save the payment method").click()
    error = page.locator("#id_iban_help .invalid-feedback")
    error.wait_for()
    assert "This IBAN is not valid" in error.inner_text()
    assert page.get_by_label("IBAN").get_attribute("aria-invalid") == "true"
    assert list(PaymentMethod.objects.filter(company=manager.company)) == [before]
    screenshot(page, "conto-payment-method-error")
    assert axe_check(page) == []

    # The right IBAN: the method is saved and shown masked, never whole.
    page.get_by_label("IBAN").fill(IBAN)
    page.get_by_label(re.compile("SEPA direct debit mandate")).check()
    page.get_by_role("button", name="Save the payment method").click()
    page.get_by_role("status").filter(has_text="paid by direct debit").wait_for()
    current = page.locator("#current-method")
    assert "IT66 A030 **** **** 2345" in current.inner_text()
    assert "6909" not in page.locator("main").inner_text()
    method = PaymentMethod.objects.get(company=manager.company, is_current=True)
    assert method.iban == IBAN.replace(" ", "") and method.mandate_reference in current.inner_text()
    before.refresh_from_db()
    assert not before.is_current
    screenshot(page, "conto-payment-method")
    assert axe_check(page) == []

    # E-invoicing: a wrong recipient code is a field error; the page passes axe.
    page.goto(f"{live_server.url}/conto/fatturazione-elettronica/")
    page.get_by_role("heading", name="E-invoicing", level=1).wait_for()
    assert axe_check(page) == []
    page.get_by_label("Recipient code (codice destinatario)").fill("ABC")
    page.get_by_role("button", name="Save").click()
    page.locator("#id_sdi_code_help .invalid-feedback").wait_for()
    screenshot(page, "conto-einvoice-error")
    assert axe_check(page) == []

    # Top-ups: filtering by number swaps the table only.
    page.goto(f"{live_server.url}/conto/ricariche/")
    page.get_by_role("heading", name="Top-up history").wait_for()
    screenshot(page, "conto-topups")
    assert axe_check(page) == []
    number = (
        Topup.objects.filter(line__company=manager.company).order_by("-created_at").values_list("line__number").first()
    )
    assert number, "the demo world gives the company's prepaid lines top-ups"
    page.get_by_role("searchbox", name="Number").fill(number[0][-7:])
    page.wait_for_url(re.compile(r"line="))
    rows = page.locator("#topups tbody tr")
    rows.first.wait_for()
    shown = {row.locator("td").first.inner_text().replace(" ", "") for row in rows.all()}
    assert shown == {number[0]}
    assert page.get_by_role("heading", name="Top-up history").is_visible()
    assert axe_check(page) == []

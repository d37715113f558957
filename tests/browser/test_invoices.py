"""A Telco Manager finds an overdue invoice on the Fatture page, opens it and shares its PDF by email
(SPEC F-BIL-1); the list, the invoice and the share page pass axe at both widths."""

import datetime
import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


def months_ago(n: int) -> datetime.date:
    from django.utils import timezone

    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def manager_with_invoices(transactional_db, settings, tmp_path):
    """A manager whose company has an invoice of each status and one for devices: (manager, invoices)."""
    from selfcare.core.permissions import Role
    from tests.factories import CostCentreFactory, LineFactory, UserFactory, issue_invoice

    settings.MEDIA_ROOT = tmp_path / "media"  # the PDF rendered when sharing goes to the test's folder
    manager = UserFactory(role=Role.MANAGER)
    company = manager.company
    line = LineFactory(company=company, cost_centre=CostCentreFactory(company=company))
    invoices = {
        "paid": issue_invoice(company, issued_on=months_ago(4), status="paid"),
        "overdue": issue_invoice(company, issued_on=months_ago(3), status="overdue", line=line),
        "partial": issue_invoice(company, issued_on=months_ago(2), status="partial"),
        "to_pay": issue_invoice(company, issued_on=months_ago(1)),
        "devices": issue_invoice(company, issued_on=months_ago(1), kind="devices"),
    }
    return manager, invoices


def in_english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def as_pattern(text: str) -> str:
    """`text` for a regular expression Playwright passes on to the page (which needs "/" escaped too)."""
    return re.escape(text).replace("/", r"\/")


def listed(page) -> list[str]:
    """The invoice numbers the list shows at this width (cards on phones, table rows on wider screens)."""
    return [row.get_attribute("data-invoice") for row in page.locator("#invoices-table [data-invoice]:visible").all()]


def test_manager_filters_the_invoices_opens_one_and_shares_it(page, live_server, manager_with_invoices, axe_check):
    from selfcare.notifications.models import OutboxMessage

    manager, invoices = manager_with_invoices
    overdue = invoices["overdue"]
    log_in(page, live_server, manager.username, PASSWORD)
    in_english(page, live_server)

    # The Fatture page: every invoice, newest first, with what is left to pay.
    page.goto(f"{live_server.url}/conto/fatture/")
    assert page.get_by_role("heading", name="Invoices", exact=True).is_visible()
    assert len(listed(page)) == len(invoices)
    assert page.locator("[data-overdue]").inner_text() == f"€ {overdue.total_amount:.2f}"
    screenshot(page, "invoices")
    assert axe_check(page) == []

    # Filtering by status swaps the table only: the page around stays (no reload).
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Status").select_option("overdue")
    page.wait_for_url(re.compile(r"[?&]status=overdue"))
    # One invoice left: its card (phones) and its table row (wider screens) are both in the page.
    page.wait_for_function("() => document.querySelectorAll('#invoices-table [data-invoice]').length === 2")
    assert page.evaluate("window.notReloaded") is True
    assert listed(page) == [overdue.number]
    assert page.locator("#invoices-table").count() == 1
    row = page.locator(f'[data-invoice="{overdue.number}"]:visible')
    assert row.locator(".badge").inner_text() == "Overdue"
    assert row.get_by_role("button", name=f"Pay invoice {overdue.number}").is_visible()
    screenshot(page, "invoices-overdue")
    assert axe_check(page) == []

    # The invoice's page: its total, its cost centre.
    row.get_by_role("link", name=re.compile(rf"^(Invoice )?{as_pattern(overdue.number)}$")).click()
    page.wait_for_url(f"{live_server.url}/conto/fatture/{overdue.pk}/")
    assert page.get_by_role("heading", name=f"Invoice {overdue.number}").is_visible()
    assert page.locator("[data-total]").inner_text() == f"€ {overdue.total_amount:.2f}"
    line = overdue.lines.exclude(line=None).select_related("cost_centre").first()
    assert f"Cost centre {line.cost_centre.code}" in page.locator("main").inner_text()
    screenshot(page, "invoice")
    assert axe_check(page) == []

    # Sharing by email: a wrong address is an error on its field; nothing is queued.
    page.get_by_role("link", name="Share by email").click()
    page.wait_for_url(f"{live_server.url}/conto/fatture/{overdue.pk}/condividi/")
    assert axe_check(page) == []
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Email address").fill("amministrazione@")
    page.get_by_role("button", name="Send").click()
    error = page.locator("#id_email_help .invalid-feedback")
    error.wait_for()
    assert "Enter a valid email address" in error.inner_text()
    assert page.get_by_label("Email address").get_attribute("aria-invalid") == "true"
    assert page.evaluate("window.notReloaded") is True
    assert not OutboxMessage.objects.filter(purpose="invoice_share").exists()
    screenshot(page, "invoice-share-error")
    assert axe_check(page) == []

    # A right one: the confirmation, and the email with the PDF waits in the outbox.
    page.get_by_label("Email address").fill("commercialista@studio-rossi.it")
    page.get_by_label("Message (optional)").fill("La fattura scaduta, grazie.")
    page.get_by_role("button", name="Send").click()
    confirmation = page.get_by_role("status").filter(has_text="commercialista@studio-rossi.it")
    confirmation.wait_for()
    assert "The invoice is on its way to commercialista@studio-rossi.it." in confirmation.inner_text()
    assert page.get_by_label("Email address").input_value() == ""
    assert page.evaluate("window.notReloaded") is True
    message = OutboxMessage.objects.get(purpose="invoice_share")
    assert message.recipient == "commercialista@studio-rossi.it"
    assert overdue.number in message.subject and message.body.startswith("La fattura scaduta, grazie.")
    assert message.attachment and message.attachment_filename.endswith(".pdf")
    overdue.refresh_from_db()
    assert message.attachment == overdue.pdf.name
    with overdue.pdf.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    screenshot(page, "invoice-share-sent")
    assert axe_check(page) == []


def test_the_pages_and_a_wrong_period_stay_in_place(page, live_server, manager_with_invoices, axe_check):
    """A page link swaps the list (not a list inside the list); a period ending before it starts says so."""
    from tests.factories import issue_invoice

    manager, invoices = manager_with_invoices
    for n in range(25):
        issue_invoice(manager.company, issued_on=months_ago(5 + n % 12))
    log_in(page, live_server, manager.username, PASSWORD)
    in_english(page, live_server)
    page.goto(f"{live_server.url}/conto/fatture/")
    first = listed(page)
    assert len(first) == 25

    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Next").click()
    page.wait_for_url(re.compile(r"cursor="))
    page.get_by_role("link", name="Previous").wait_for()
    assert page.locator("[id=invoices-table]").count() == 1
    second = listed(page)
    assert len(second) == 5 and not set(second) & set(first)  # 30 invoices, 25 a page
    assert page.evaluate("window.notReloaded") is True
    assert axe_check(page) == []
    page.get_by_role("link", name="Previous").click()
    page.get_by_role("link", name="Next").wait_for()
    assert page.locator("[id=invoices-table]").count() == 1 and listed(page) == first

    # The filter form stays as it is (htmx swaps the list only): the list says what is wrong.
    page.get_by_label("Issued from").fill(months_ago(1).isoformat())
    page.get_by_label("Issued until").fill(months_ago(2).isoformat())
    alert = page.locator("#invoices-table").get_by_role("alert")
    alert.wait_for()
    assert "Issued until: The end of the period must not be before its start." in alert.inner_text()
    assert page.evaluate("window.notReloaded") is True
    screenshot(page, "invoices-period-error")
    assert axe_check(page) == []

"""A Telco Manager opens a ticket from the home page, corrects a field, and follows it."""

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_opens_a_ticket_and_follows_it(page, live_server, demo_logins, axe_check):
    from selfcare.accounts.models import User
    from selfcare.lines.models import Line
    from selfcare.tickets.models import Ticket

    username, password = demo_logins["Telco Manager"]
    log_in(page, live_server, username, password)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/")

    # The home shows the company's open tickets and offers a new one.
    panel = page.get_by_role("region", name="Open tickets")
    assert panel.get_by_role("link", name=re.compile(r"^TK\d{7}$")).count() >= 1
    panel.get_by_role("link", name="Open a ticket").click()
    page.wait_for_url(f"{live_server.url}/assistenza/nuovo/")
    screenshot(page, "ticket-new")
    assert axe_check(page) == []

    page.get_by_role("link", name="Mobile: cannot call", exact=True).click()
    page.wait_for_url(re.compile(r"/assistenza/nuovo/technical/cannot_call/$"))
    manager = User.objects.get(username=username)
    line = Line.objects.filter(company_id=manager.company_id, kind="mobile").order_by("number").first()
    page.get_by_label("Number concerned").fill("+39 349 999 9999")
    page.get_by_label("Voice").check()
    page.get_by_label("Company site concerned").select_option(index=1)
    page.get_by_label("Notes").fill("Chiamate in uscita rifiutate da stamattina.")
    page.get_by_label("Referent's email").fill("referente@example.it")
    page.get_by_label("Your email").fill("manager@example.it")
    page.get_by_role("button", name="Open the ticket").click()
    error = page.locator(".invalid-feedback").first
    error.wait_for()
    assert "This number is not one of the lines you manage." in error.inner_text()
    assert page.get_by_label("Number concerned").get_attribute("aria-invalid") == "true"
    screenshot(page, "ticket-form-error")
    assert axe_check(page) == []

    page.get_by_label("Number concerned").fill(line.number)
    page.get_by_role("button", name="Open the ticket").click()
    page.wait_for_url(re.compile(r"/assistenza/\d+/$"))
    ticket = Ticket.objects.filter(created_by=manager).get()
    assert page.get_by_role("heading", level=1).inner_text() == f"Ticket {ticket.reference}"
    assert page.get_by_role("region", name="History").get_by_text("Received").is_visible()
    screenshot(page, "ticket-detail")
    assert axe_check(page) == []

    page.get_by_role("link", name="Tickets").first.click()
    page.wait_for_url(f"{live_server.url}/assistenza/")
    assert page.get_by_role("link", name=ticket.reference).is_visible()
    page.get_by_label("Closed").check()
    page.wait_for_url(re.compile(r"shown=closed"))
    assert page.get_by_role("link", name=ticket.reference).count() == 0
    screenshot(page, "ticket-list")
    assert axe_check(page) == []

"""A person logs in as the demo employee and as the demo User Admin and sees each home page."""

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_employee_sees_his_line_counters_and_options(page, live_server, demo_logins, axe_check):
    username, password = demo_logins["Dipendente"]
    log_in(page, live_server, username, password)
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text().replace(" ", "").endswith(username)
    assert page.get_by_role("heading", name="I tuoi consumi").is_visible()
    assert page.get_by_role("progressbar").count() >= 1
    assert page.get_by_role("heading", name="Opzioni attive").is_visible()
    screenshot(page, "home-employee")
    assert axe_check(page) == []


def test_user_admin_sees_the_company_at_a_glance(page, live_server, demo_logins, axe_check):
    username, password = demo_logins["User Admin"]
    log_in(page, live_server, username, password)
    assert page.get_by_role("heading", name="Linee", exact=True).is_visible()
    assert page.get_by_role("heading", name="Fatture da pagare").is_visible()
    screenshot(page, "home-admin")
    assert axe_check(page) == []


def test_language_switch_to_english_and_back(page, live_server, demo_logins):
    username, password = demo_logins["User Admin"]
    log_in(page, live_server, username, password)
    page.get_by_role("button", name="EN English").click()
    page.get_by_role("heading", name="Invoices to pay").wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="IT Italiano").click()
    page.get_by_role("heading", name="Fatture da pagare").wait_for()
    assert page.locator("html").get_attribute("lang") == "it"

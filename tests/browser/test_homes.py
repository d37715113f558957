"""A person logs in as the demo employee and as the demo User Admin and sees each home page."""

import pytest
from django.core.management import call_command

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_logins(transactional_db):
    from selfcare.demo.world import demo_logins

    call_command("demo_world", large_lines=25, detail_lines=3, days=3, quiet=True)
    return {profile: (username, password) for profile, username, password in demo_logins()}


def log_in(page, live_server, username, password):
    page.goto(f"{live_server.url}/")
    assert "/account/accedi/" in page.url  # the home asks to log in first
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server.url}/")


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

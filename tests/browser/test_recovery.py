"""An employee who forgot his password gets a code by SMS (read in the dev inbox) and sets a new one."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.browser.conftest import screenshot
from tests.factories import EmployeeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "lupo-grigio-sul-lago"


@override_settings(DEMO=True)
def test_employee_recovers_the_password_with_the_sms_code(page, live_server, axe_check):
    cache.clear()
    employee = EmployeeFactory()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/account/accedi/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Username or mobile number").wait_for()  # the new page, before axe reads it
    assert axe_check(page) == []
    page.get_by_label("Username or mobile number").fill("+39 " + employee.username)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").wait_for()

    inbox = page.context.new_page()
    inbox.goto(f"{live_server.url}/dev/inbox/")
    code = re.search(r"code is (\d{6})", inbox.locator("main").inner_text()).group(1)
    inbox.close()

    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    assert "At least 8 characters" in page.locator("main").inner_text()  # the employee's rule
    screenshot(page, "recovery-new-password")
    assert axe_check(page) == []
    page.get_by_role("button", name="Save the new password").click()

    page.goto(f"{live_server.url}/account/accedi/")
    page.locator("input[name=login]").fill(employee.username)
    page.locator("input[name=password]").fill(NEW_PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == employee.line.display_number

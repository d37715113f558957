"""An employee associates a second SIM of his company and switches to it from the home page."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.browser.conftest import screenshot
from tests.factories import EmployeeFactory, LineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery"


@override_settings(DEMO=True)
def test_associate_a_sim_and_switch_to_it(page, live_server, axe_check):
    cache.clear()
    employee = EmployeeFactory()
    other = LineFactory(company=employee.company)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/account/accedi/")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("input[name=username], input[name=login]").first.fill(employee.username)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="Associate SIM").click()
    page.get_by_label("Number of the SIM to associate").fill(other.number.removeprefix("+39"))
    page.get_by_role("button", name="Send the code").click()
    inbox = page.context.new_page()
    inbox.goto(f"{live_server.url}/dev/inbox/")
    code = re.search(r"code is (\d{6})", inbox.locator("main").inner_text()).group(1)
    inbox.close()
    page.get_by_label("Code received on that SIM").fill(code)
    page.get_by_role("button", name="Associate", exact=True).click()
    page.get_by_role("button", name=f"Disassociate {other.display_number}").wait_for()
    assert axe_check(page) == []
    screenshot(page, "sim-associations")

    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name=other.display_number).click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text() == other.display_number

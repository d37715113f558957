"""An employee registers with his company number, reading the SMS code in the dev inbox."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.browser.conftest import screenshot
from tests.factories import LineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@override_settings(DEMO=True)
def test_employee_registration_with_the_sms_code(page, live_server, axe_check):
    cache.clear()
    line = LineFactory()
    national = line.number.removeprefix("+39")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    page.goto(f"{live_server.url}/account/registrazione/dipendente/")
    assert axe_check(page) == []
    page.get_by_label("Your company mobile number").fill(national)
    page.get_by_label("Your email").fill("giulia.bianchi@example.it")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Code").wait_for()
    screenshot(page, "register-employee-code")

    inbox = page.context.new_page()
    inbox.goto(f"{live_server.url}/dev/inbox/")
    code = re.search(r"code is (\d{6})", inbox.locator("main").inner_text()).group(1)
    inbox.close()

    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password", exact=True).fill("orso-bruno-in-montagna")
    page.get_by_label("Repeat the password").fill("orso-bruno-in-montagna")
    assert axe_check(page) == []
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", level=1).inner_text().replace(" ", "").endswith(national)

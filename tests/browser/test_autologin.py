"""A phone on the operator's mobile network opens the portal and is already logged in (SPEC F-LOG-2)."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from selfcare.accounts.models import User
from selfcare.core.permissions import Role
from tests.browser.conftest import screenshot
from tests.factories import LineFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "+393471234567"


@pytest.fixture
def network_page(browser):
    """A phone-sized page whose every request carries the header the operator's proxy adds."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="it-IT", extra_http_headers={"X-Msisdn": NUMBER}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def use_english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def test_phone_on_the_mobile_network_lands_on_its_line_home(network_page, live_server, axe_check):
    cache.clear()
    line = LineFactory(number=NUMBER)
    page = network_page
    use_english(page, live_server)
    with override_settings(AUTOLOGIN_TRUSTED_PROXIES=["127.0.0.1/32"]):
        page.goto(f"{live_server.url}/")
        assert page.url == f"{live_server.url}/"  # not sent to the login page
        heading = page.get_by_role("heading", level=1)
        assert heading.inner_text().replace(" ", "") == "+393471234567"
        screenshot(page, "autologin-home")
        assert axe_check(page) == []

        # Logging out is not undone by the header on the next page.
        page.get_by_role("button", name="Profile menu").click()
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url("**/account/accedi/**")
        page.goto(f"{live_server.url}/")
        assert "/account/accedi/" in page.url

    employee = User.objects.get(role=Role.EMPLOYEE, line=line)
    assert employee.username == "3471234567"


def test_the_same_header_from_an_untrusted_address_asks_to_log_in(network_page, live_server):
    cache.clear()
    LineFactory(number=NUMBER)
    with override_settings(AUTOLOGIN_TRUSTED_PROXIES=["10.1.0.0/16"]):
        network_page.goto(f"{live_server.url}/")
        assert "/account/accedi/" in network_page.url
    assert not User.objects.filter(role=Role.EMPLOYEE).exists()

"""The legal representative registers as User Admin, activates his access from the emailed link,
and creates a Telco Manager, whose activation email appears in the dev inbox."""

import re

import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.browser.conftest import screenshot
from tests.factories import CompanyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"https?://\S+/account/attivazione/[A-Za-z0-9_-]+/")


def read_link(page, live_server, recipient):
    inbox = page.context.new_page()
    inbox.goto(f"{live_server.url}/dev/inbox/")
    text = inbox.locator("main").inner_text()
    inbox.close()
    assert recipient in text
    return LINK.search(text).group(0)


@override_settings(DEMO=True)
def test_user_admin_registers_activates_and_creates_a_telco_manager(page, live_server, axe_check):
    cache.clear()
    company = CompanyFactory(legal_rep_email="legale@example.it", legal_rep_mobile="+393471112222")
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    page.goto(f"{live_server.url}/account/registrazione/azienda/")
    assert axe_check(page) == []
    page.locator("#id_vat_number").fill(company.vat_number)
    page.locator("#id_first_name").fill("MARIO")
    page.locator("#id_last_name").fill("rossi")
    page.locator("#id_birth_date").fill("1980-01-01")
    page.locator("#id_fiscal_code").fill(company.legal_rep_fiscal_code.lower())
    page.locator("#id_email").fill("legale@example.it")
    page.locator("#id_mobile").fill("347 111 2222")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/registrazione/azienda/inviata/")
    screenshot(page, "register-admin-sent")

    page.goto(read_link(page, live_server, "legale@example.it"))
    assert axe_check(page) == []
    page.locator("#id_username").fill("MarioRossi1")
    page.locator("#id_password").fill("orso-bruno-in-montagna")
    page.locator("#id_password2").fill("orso-bruno-in-montagna")
    page.get_by_role("button", name="Activate my access").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "MarioRossi1" in page.locator("main").inner_text()

    page.goto(f"{live_server.url}/account/manager/")
    assert axe_check(page) == []
    page.get_by_role("link", name="New Telco Manager").click()
    page.locator("#id_first_name").fill("Giulia")
    page.locator("#id_last_name").fill("Bianchi")
    page.locator("#id_email").fill("giulia.bianchi@example.it")
    page.locator("#id_mobile").fill("348 765 4321")
    page.get_by_role("button", name="Create the Telco Manager").click()
    page.wait_for_url(f"{live_server.url}/account/manager/")
    assert "Giulia Bianchi" in page.locator("table").inner_text()
    screenshot(page, "telco-managers")
    assert "/account/attivazione/" in read_link(page, live_server, "giulia.bianchi@example.it")

"""A Telco Manager finds a line in Traffico → Mobile, looks at its traffic and downloads it as .xlsx."""

import re

import pytest

from selfcare.accounts.models import User
from selfcare.usage.models import UsageRecord
from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_sees_a_lines_traffic_and_downloads_it(page, live_server, demo_logins, axe_check):
    username, password = demo_logins["Telco Manager"]
    manager = User.objects.get(username=username)
    busy = (
        UsageRecord.objects.filter(line__company=manager.company_id, line__kind="mobile")
        .values_list("line__number", flat=True)
        .first()
    )
    assert busy, "the demo world gives some of the company's lines usage records"
    log_in(page, live_server, username, password)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/traffico/mobile/")
    page.get_by_role("heading", name="Mobile traffic").wait_for()
    assert axe_check(page) == []

    # Search the line by the last digits of its number: only the list is swapped.
    page.get_by_role("searchbox", name="Number or holder's name").fill(busy[-7:])
    page.wait_for_url(re.compile(r"q="))
    page.locator("#traffic-lines .list-group-item").first.wait_for()
    page.locator("#traffic-lines .list-group-item").first.click()
    page.get_by_role("heading", level=1, name=re.compile("Traffic")).wait_for()
    page.get_by_role("link", name="Last three months").click()
    page.wait_for_url(re.compile(r"period=3months"))
    assert page.locator("#traffic-records tbody tr").count() > 0
    screenshot(page, "traffic-line")
    assert axe_check(page) == []

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download .xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as file:
        assert file.read(2) == b"PK"

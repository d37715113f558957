"""A Telco Manager filters the mobile line list, opens a line and reveals its PIN and PUK."""

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def test_manager_filters_the_mobile_lines_and_opens_one(page, live_server, demo_logins, axe_check):
    username, password = demo_logins["Telco Manager"]
    log_in(page, live_server, username, password)
    in_english(page, live_server)
    page.goto(f"{live_server.url}/prodotti/mobile/")
    rows = page.locator("table.lines-table tbody tr")
    total = rows.count()
    assert total > 3
    screenshot(page, "lines-mobile")
    assert axe_check(page) == []

    # Search by the holder of the third row: only the table is swapped, and the URL follows.
    holder = rows.nth(2).locator("td").first.inner_text().strip()
    surname = holder.split()[-1]  # on a phone the cell also shows its label first: the surname is last
    page.get_by_role("searchbox", name="Search").fill(surname)
    page.wait_for_url(re.compile(r"q="))
    page.wait_for_function("n => document.querySelectorAll('table.lines-table tbody tr').length < n", arg=total)
    assert all(surname.lower() in rows.nth(i).inner_text().lower() for i in range(rows.count()))
    assert page.get_by_role("heading", name="Mobile lines").is_visible()  # the page around the table stayed

    # Sort by holder, descending (column headers on a wide screen, the sort menu on a phone).
    if page.viewport_size["width"] >= 768:
        page.get_by_role("link", name="Holder").click()
        page.wait_for_url(re.compile(r"sort=holder"))
        page.get_by_role("link", name=re.compile("Holder")).click()
    else:
        page.get_by_label("Sort by").select_option("-holder")
    page.wait_for_url(re.compile(r"sort=-holder"))
    holders = [rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())]
    assert holders == sorted(holders, key=str.lower, reverse=True)
    number = rows.first.locator("th a").inner_text()
    rows.first.locator("th a").click()
    page.get_by_role("heading", level=1, name=number).wait_for()
    screenshot(page, "line-detail")
    assert axe_check(page) == []

    page.get_by_role("button", name="Show PIN and PUK").click()
    secrets = page.locator(".sim-secrets")
    secrets.wait_for()
    assert re.search(r"PIN\s+\d{4}", secrets.inner_text())
    assert re.search(r"PUK\s+\d{8}", secrets.inner_text())
    assert axe_check(page) == []


def test_fixed_lines_and_over_80_filter(page, live_server, demo_logins, axe_check):
    username, password = demo_logins["Telco Manager"]
    log_in(page, live_server, username, password)
    in_english(page, live_server)
    page.goto(f"{live_server.url}/prodotti/fisso/")
    assert page.get_by_role("heading", name="Fixed lines").is_visible()
    screenshot(page, "lines-fixed")
    assert axe_check(page) == []
    page.goto(f"{live_server.url}/prodotti/mobile/")
    page.get_by_label("Over 80% of an allowance").check()
    page.wait_for_url(re.compile(r"near=on"))
    page.locator("#lines-count").wait_for()
    bars = page.locator("table.lines-table tbody tr")
    for i in range(bars.count()):
        values = [int(v) for v in bars.nth(i).get_by_role("progressbar").evaluate_all(
            "els => els.map(e => e.getAttribute('aria-valuenow'))")]  # fmt: skip
        assert max(values) >= 80
    assert axe_check(page) == []

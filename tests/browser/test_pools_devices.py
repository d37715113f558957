"""A Telco Manager opens Giga Smart Share, a pool and one of its SIMs, then searches the company's devices."""

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The pages are in Italian; "View" if a test switches to English.
VIEW = re.compile(r"^(Visualizza|View)\b")


def test_manager_opens_a_pool_and_sees_a_sim_gigabytes(page, live_server, demo_logins, axe_check):
    from selfcare.lines.models import Pool

    username, password = demo_logins["Telco Manager"]
    log_in(page, live_server, username, password)
    page.goto(f"{live_server.url}/prodotti/giga-smart-share/")
    assert page.get_by_role("heading", level=1).inner_text() == "Giga Smart Share"
    pools = list(Pool.objects.filter(company__users__username=username).order_by("pool_code"))
    assert len(pools) == 2  # the large demo company has two pools
    for pool in pools:
        assert page.get_by_text(pool.pool_code, exact=True).first.is_visible()
    assert page.get_by_role("progressbar").count() == 2
    screenshot(page, "pools")
    assert axe_check(page) == []

    first = pools[0]
    page.locator(f'a[href="/prodotti/giga-smart-share/{first.pk}/"]').click()
    page.wait_for_url(f"{live_server.url}/prodotti/giga-smart-share/{first.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == first.kind
    rows = page.locator("table tbody tr")
    assert rows.count() == first.lines.count()
    screenshot(page, "pool-detail")
    assert axe_check(page) == []

    row = rows.first
    number = row.locator("th .line-number").inner_text()
    gigabytes = row.locator("td").nth(3).inner_text()
    row.get_by_role("link", name=VIEW).click()
    panel = page.locator("#pool-sim")
    panel.get_by_role("heading", level=2).wait_for()
    assert number in panel.get_by_role("heading", level=2).inner_text()
    assert gigabytes in panel.inner_text()  # the same GB as in the list
    assert page.url.endswith(f"/prodotti/giga-smart-share/{first.pk}/")  # loaded in place (htmx)
    # The keyboard and the screen reader follow: the SIM's heading has the focus.
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H2'")
    assert number in page.evaluate("() => document.activeElement.textContent")
    screenshot(page, "pool-sim")
    assert axe_check(page) == []

    # Opened directly, the SIM has a page of its own.
    href = row.get_by_role("link", name=VIEW).get_attribute("href")
    page.goto(f"{live_server.url}{href}")
    assert page.get_by_role("heading", level=1).is_visible()
    assert number in page.get_by_role("heading", level=2).inner_text()
    screenshot(page, "pool-sim-page")
    assert axe_check(page) == []


def test_manager_searches_the_devices(page, live_server, demo_logins, axe_check):
    from selfcare.lines.models import Device

    username, password = demo_logins["Telco Manager"]
    log_in(page, live_server, username, password)
    page.goto(f"{live_server.url}/prodotti/dispositivi/")
    # Cards on a phone, table rows on a desktop: the visible ones.
    rows = page.locator("#devices-table [data-device]:visible")
    assert rows.count() > 1
    screenshot(page, "devices")
    assert axe_check(page) == []

    devices = Device.objects.filter(company__users__username=username)
    model = devices.order_by("-model").values_list("model", flat=True).first()
    expected = devices.filter(model=model).count()
    assert expected < devices.count()
    search = page.locator("#id_q")
    search.fill(model)
    search.press("Enter")
    page.wait_for_url(re.compile(r"[?&]q="))  # htmx pushed the search into the address
    page.wait_for_function(
        "n => document.querySelectorAll('#devices-table tbody tr').length === n", arg=expected, timeout=10_000
    )
    assert rows.count() == expected
    assert set(rows.locator("[data-model]").all_inner_texts()) == {model}
    screenshot(page, "devices-search")
    assert axe_check(page) == []

    # A filter applies as soon as it is chosen.
    search.fill("")
    routers = devices.filter(kind=Device.Kind.ROUTER).count()
    assert routers
    page.locator("#id_kind").select_option("router")
    page.wait_for_url(re.compile(r"[?&]kind=router"))
    page.wait_for_function(
        "n => document.querySelectorAll('#devices-table tbody tr').length === n", arg=routers, timeout=10_000
    )
    assert rows.count() == routers
    page.locator("#id_kind").select_option("")

    search.fill("nessun-dispositivo-così")
    search.press("Enter")
    page.locator("#devices-table h2").wait_for()
    assert rows.count() == 0
    screenshot(page, "devices-no-match")
    assert axe_check(page) == []

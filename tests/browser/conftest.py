"""Browser tests: Playwright driving Debian's chromium (never a downloaded browser)."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# As root on a closed network chromium needs these (no sandbox, no calls home).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", "var/screenshots"))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(params=[{"width": 360, "height": 740}, {"width": 1280, "height": 900}], ids=["phone", "desktop"])
def page(request, browser):
    context = browser.new_context(viewport=request.param, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def axe_check():
    """axe_check(page) → list of accessibility violations (ids with their nodes), empty when clean."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        results = axe.run(page)
        return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]

    return check


WIDER_THAN_VIEWPORT = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot, after checking that nothing makes the page scroll sideways."""
    assert not page.evaluate(WIDER_THAN_VIEWPORT), f"{name}: the page scrolls sideways"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{page.viewport_size['width']}.png", full_page=True)


@pytest.fixture
def demo_logins(transactional_db):
    """A small demo world; its profiles as {profile: (username, password)}."""
    from django.core.management import call_command

    from selfcare.demo.world import demo_logins

    call_command("demo_world", large_lines=25, detail_lines=3, days=3, quiet=True)
    return {profile: (username, password) for profile, username, password in demo_logins()}


def log_in(page, live_server, username, password):
    """Open the home, which asks to log in first, and log in through the form."""
    page.goto(f"{live_server.url}/")
    assert "/account/accedi/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(f"{live_server.url}/")

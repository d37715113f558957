"""A Telco Manager creates a cost centre, assigns a line to it and finds it in the month's costs."""

import re

import pytest

from tests.browser.conftest import log_in, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def month_cost(company):
    from django.db.models import Sum

    from selfcare.costs.selectors.month import current_month
    from selfcare.usage.models import DailyUsage

    total = DailyUsage.objects.filter(line__company=company, day__gte=current_month()).aggregate(s=Sum("cost"))["s"]
    return total or 0


def in_english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def test_manager_creates_a_cost_centre_assigns_a_line_and_sees_the_month(page, live_server, demo_logins, axe_check):
    from selfcare.customers.models import Holder
    from selfcare.lines.models import Line

    username, password = demo_logins["Telco Manager"]
    log_in(page, live_server, username, password)
    in_english(page, live_server)

    # The Traffic area lists the cost pages.
    page.goto(f"{live_server.url}/area/traffico/")
    page.get_by_role("link", name="Cost centres").click()
    page.wait_for_url(f"{live_server.url}/costi/centri-di-costo/")
    screenshot(page, "cost-centres")
    assert axe_check(page) == []

    # A new cost centre: first a code that is taken (a field error), then a free one.
    page.get_by_role("link", name="New cost centre").click()
    existing = Line.objects.filter(company__users__username=username, cost_centre__isnull=False).first().cost_centre
    page.get_by_label("Code").fill(existing.code.lower())
    page.get_by_label("Name").fill("Progetto Zeta")
    page.get_by_role("button", name="Create the cost centre").click()
    error = page.locator(".invalid-feedback")
    error.wait_for()
    assert "Another cost centre already has this code." in error.inner_text()
    assert page.get_by_label("Code").get_attribute("aria-invalid") == "true"
    screenshot(page, "cost-centre-form-error")
    assert axe_check(page) == []
    page.get_by_label("Code").fill("pz-900")
    page.get_by_role("button", name="Create the cost centre").click()
    page.wait_for_url(f"{live_server.url}/costi/centri-di-costo/")
    assert "Cost centre PZ-900 created." in page.get_by_role("status").first.inner_text()
    assert page.get_by_role("rowheader", name="PZ-900", exact=True).is_visible()

    # A line with a holder: its page links the assignment form.
    line = (
        Line.objects.filter(company__users__username=username, holder__isnull=False)
        .select_related("holder")
        .order_by("number")
        .first()
    )
    page.goto(f"{live_server.url}/prodotti/linee/{line.pk}/")
    page.get_by_role("link", name="Change holder and cost centre").click()
    page.wait_for_url(f"{live_server.url}/costi/linee/{line.pk}/assegnazione/")
    assert page.get_by_role("radio", name=re.compile(re.escape(line.holder.last_name))).is_checked()
    # The holder search swaps in its results without leaving the page.
    other = Holder.objects.filter(company=line.company).exclude(pk=line.holder_id).order_by("last_name").first()
    page.get_by_label("Search a holder").fill(other.last_name)
    choice = page.get_by_role("radio", name=re.compile(re.escape(other.last_name)))
    choice.wait_for()
    assert page.url.endswith(f"/costi/linee/{line.pk}/assegnazione/")
    choice.check()
    page.get_by_label("Cost centre").select_option(label="PZ-900 · Progetto Zeta")
    screenshot(page, "line-assign")
    assert axe_check(page) == []
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/prodotti/linee/{line.pk}/")
    assert "PZ-900 · Progetto Zeta" in page.locator("main").inner_text()
    line.refresh_from_db()
    assert (line.holder_id, line.cost_centre.code) == (other.pk, "PZ-900")

    # The month's costs: the new cost centre is in the table; its row opens its lines.
    page.goto(f"{live_server.url}/costi/")
    assert page.get_by_role("heading", name="Traffic costs").is_visible()
    table = page.locator("#centres-table")
    assert "PZ-900" in table.inner_text()
    if month_cost(line.company):  # the chart is drawn when the month has costs (the demo's days may not)
        page.wait_for_function("() => Chart.getChart('costs-chart') !== undefined")
    screenshot(page, "costs-month")
    assert axe_check(page) == []
    table.get_by_role("link", name=re.compile("PZ-900")).click()
    page.wait_for_url(re.compile(r"by=line"))
    lines = page.locator("#line-costs-table tbody tr")
    lines.first.wait_for()
    assert lines.count() == 1 and line.display_number in lines.first.inner_text()
    screenshot(page, "costs-month-lines")
    assert axe_check(page) == []

    # By holder, through the tab (htmx: the page around stays).
    page.locator(".costs-tabs").get_by_role("link", name="Holders").click()
    page.locator("#holder-costs-table").wait_for()
    assert page.get_by_role("heading", name="Traffic costs").is_visible()
    screenshot(page, "costs-month-holders")
    assert axe_check(page) == []
    # Another month keeps the tab.
    previous = page.locator("#id_month option").nth(1).get_attribute("value")
    page.get_by_label("Month", exact=True).select_option(previous)
    page.wait_for_url(re.compile(rf"month={previous}.*by=holder|by=holder.*month={previous}"))
    page.locator("#holder-costs-table").wait_for()

    # The holders, searched as one types (only the list is swapped).
    page.goto(f"{live_server.url}/costi/intestatari/")
    rows = page.locator("#holders-list tbody tr")
    total = rows.count()
    page.get_by_role("searchbox", name="Search").fill(other.last_name)
    page.wait_for_url(re.compile(r"q="))
    page.wait_for_function("n => document.querySelectorAll('#holders-list tbody tr').length < n", arg=total)
    assert other.last_name in rows.first.inner_text()
    screenshot(page, "holders")
    assert axe_check(page) == []

    # Deleting the new cost centre says what happens to its line.
    page.goto(f"{live_server.url}/costi/centri-di-costo/{line.cost_centre_id}/elimina/")
    assert "1 line will be left without a cost centre" in page.locator("main").inner_text()
    screenshot(page, "cost-centre-delete")
    assert axe_check(page) == []

    # The assignment file page documents the format.
    page.goto(f"{live_server.url}/costi/assegnazioni/")
    assert page.get_by_text("An empty cell leaves that assignment as it is").is_visible()
    screenshot(page, "assignment-upload")
    assert axe_check(page) == []

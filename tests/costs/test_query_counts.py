"""The Costi Online pages and endpoints run the same number of SQL queries at 10 and at 150 lines."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfcare.costs.selectors.month import current_month
from selfcare.customers.models import CostCentre
from selfcare.lines.models import Line
from selfcare.usage.models import Category, DailyUsage
from selfcare.usage.services import monthly_from_daily
from tests.factories import fleet

pytestmark = pytest.mark.django_db

PAGES = {
    "month by cost centre": ("costs:month", {}),
    "month by holder": ("costs:month", {"by": "holder"}),
    "month by line": ("costs:month", {"by": "line"}),
    "month lines of a cost centre": ("costs:month", {"by": "line", "centre": "first"}),
    "month second page of lines": ("costs:month", {"by": "line", "cursor": "next"}),
    "cost centre csv": ("costs:month_export_centres", {}),
    "line csv": ("costs:month_export_lines", {}),
    "cost centres": ("costs:cost_centres", {}),
    "holders": ("costs:holders", {}),
    "holders search": ("costs:holders", {"q": "cognome0000"}),
    "assignment file": ("costs:assignment_export", {}),
    "line assignment": ("costs:line_assign", {"holder_q": "nome1"}),
    "api costs": ("api:costs", {}),
    "api costs per line": ("api:costs_lines", {}),
    "api costs per holder": ("api:costs_holders", {}),
    "api cost centres": ("api:cost_centres", {}),
    "api holders": ("api:holders", {"q": "nome"}),
    "api line assignment": ("api:line_assignment", {}),
}


def grow(company, size: int, first: int) -> list[Line]:
    """`size` more lines, each with a holder, half in one of two cost centres, with a week of traffic."""
    centres = list(CostCentre.objects.filter(company=company).order_by("code"))
    lines = fleet(company, size, first=first)
    for i, line in enumerate(lines):
        line.cost_centre = centres[i % 2] if i % 4 else None
    Line.objects.bulk_update(lines, ["cost_centre"])
    month = current_month()
    DailyUsage.objects.bulk_create(
        DailyUsage(line=line, day=month + datetime.timedelta(days=d), category=c, count=1, cost=Decimal(i + d) / 7)
        for i, line in enumerate(lines)
        for d in range(7)
        for c in (Category.VOICE, Category.DATA)
    )
    monthly_from_daily(line_ids=[line.pk for line in lines])
    return lines


def count_queries(client, name, params, line_id) -> int:
    url = reverse(name, args=[line_id]) if name.endswith("assign") or name.endswith("assignment") else reverse(name)
    params = dict(params)
    if params.get("centre") == "first":
        params["centre"] = CostCentre.objects.order_by("code").first().pk
    if params.get("cursor") == "next":
        params["cursor"] = client.get(url, {**params, "cursor": ""}).context["result"].page.next_cursor
        assert params["cursor"]
    client.get(url, params)  # fills the cached scope and bell count, as any earlier page would
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        assert response.status_code == 200, (name, response.status_code)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)  # a download reads its rows while it is sent
    return len(captured)


@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_query_count_is_the_same_at_10_and_150_lines(client_as, company, page):
    name, params = PAGES[page]
    CostCentre.objects.bulk_create([CostCentre(company=company, code=f"CC{i}", name=f"Centro {i}") for i in (1, 2)])
    first_size = 30 if params.get("cursor") else 10  # a second page needs more than a page of lines
    lines = grow(company, first_size, 0)
    client = client_as("manager")
    small = count_queries(client, name, params, lines[1].pk)
    grow(company, 150 - first_size, first_size)
    large = count_queries(client, name, params, lines[1].pk)
    assert large == small, f"{page}: {small} queries at {first_size} lines, {large} at 150"

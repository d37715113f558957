"""The pages of the homes and the Prodotti area run the same number of SQL queries at 10 and at 1,000 lines."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfcare.accounts.models import SimAssociation
from tests.factories import fleet

pytestmark = pytest.mark.django_db

PAGES = {
    "employee home": ("employee", "portal:home", {}),
    "manager home": ("manager", "portal:home", {}),
    "mobile list": ("manager", "lines:mobile", {}),
    "mobile list filtered": ("manager", "lines:mobile", {"near": "on", "sort": "-holder"}),
    "mobile list search": ("manager", "lines:mobile", {"q": "cognome0000"}),
    "mobile list second page": ("manager", "lines:mobile", "next"),
    "line detail": ("manager", "lines:detail", "line"),
    "api home": ("manager", "api:home", {}),
    "api lines": ("manager", "api:lines", {"near": "true"}),
    "api line": ("employee", "api:line", "line"),
}


def count_queries(client_as, profile, name, params, line_id) -> int:
    client = client_as(profile)
    if params == "line":
        url, params = reverse(name, args=[line_id]), {}
    else:
        url = reverse(name)
    if params == "next":
        params = {"cursor": client.get(url).context["result"].page.next_cursor}
    client.get(url, params)  # fills the cached scope and bell count, as any earlier page would
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
        assert response.status_code == 200, (name, response.status_code)
    return len(captured)


@pytest.mark.parametrize("page", PAGES, ids=list(PAGES))
def test_query_count_is_the_same_at_10_and_1000_lines(client_as, profiles, company, page):
    profile, name, params = PAGES[page]
    employee = profiles["employee"]
    # A second page needs more than one page of lines to start with.
    first_size = 30 if params == "next" else 10
    lines = fleet(company, first_size)
    SimAssociation.objects.create(user=employee, line=lines[0])
    line_id = employee.line.pk if profile == "employee" else lines[1].pk
    small = count_queries(client_as, profile, name, params, line_id)
    fleet(company, 1000 - first_size, first=first_size)
    large = count_queries(client_as, profile, name, params, line_id)
    assert large == small, f"{page}: {small} queries at 10 lines, {large} at 1,000"

"""The mobile and fixed line lists (SPEC F-PRD-1, F-PRD-3): scope, search, filters, sort, keyset pages, CSV."""

import csv
import io

import pytest
from django.urls import reverse

from selfcare.catalog.models import Offer
from selfcare.lines.models import Line
from tests.factories import CostCentreFactory, OfferFactory, fleet

pytestmark = pytest.mark.django_db


def numbers_of(response) -> list[str]:
    return [line.number for line in response.context["result"].page.rows]


@pytest.fixture
def own_line(profiles):
    """The employee profile's line: the company has it besides the fleet (+39340..., so it sorts first)."""
    return profiles["employee"].line.number


def test_manager_sees_only_his_company_mobile_lines(client_as, company, other_company, own_line):
    own = fleet(company, 3)
    fleet(other_company, 2)
    response = client_as("manager").get(reverse("lines:mobile"))
    assert response.status_code == 200
    assert numbers_of(response) == [own_line, *sorted(line.number for line in own)]
    assert response.context["result"].total == 4


def test_employee_may_not_open_the_company_list(client_as):
    assert client_as("employee").get(reverse("lines:mobile")).status_code == 403


def test_fixed_list_shows_fixed_lines_only(client_as, company):
    fleet(company, 2)
    fixed = fleet(company, 2, first=50, kind=Line.Kind.FIXED, offer=OfferFactory(code="fibra", kind=Offer.Kind.FIXED))
    response = client_as("manager").get(reverse("lines:fixed"))
    assert numbers_of(response) == sorted(line.number for line in fixed)


def test_search_by_part_of_the_number_with_spaces(client_as, company):
    lines = fleet(company, 5)
    target = lines[3].number
    response = client_as("manager").get(reverse("lines:mobile"), {"q": f"{target[3:6]} {target[6:]}"})
    assert numbers_of(response) == [target]


def test_search_by_holder_name_any_case(client_as, company):
    lines = fleet(company, 5)
    response = client_as("manager").get(reverse("lines:mobile"), {"q": "cognome00002 NOME2"})
    assert numbers_of(response) == [lines[2].number]


def test_filters_by_offer_status_cost_centre_and_payment(client_as, company):
    lines = fleet(company, 6)
    prepaid = OfferFactory(code="ricaricabile", name="Ricaricabile", kind=Offer.Kind.PREPAID)
    centre = CostCentreFactory(company=company)
    Line.objects.filter(pk=lines[0].pk).update(offer=prepaid)
    Line.objects.filter(pk=lines[1].pk).update(status=Line.Status.SUSPENDED, cost_centre=centre)
    Line.objects.filter(pk=lines[2].pk).update(cost_centre=centre)
    client = client_as("manager")
    url = reverse("lines:mobile")
    assert numbers_of(client.get(url, {"offer": prepaid.pk})) == [lines[0].number]
    assert numbers_of(client.get(url, {"payment": "prepaid"})) == [lines[0].number]
    assert len(numbers_of(client.get(url, {"payment": "postpaid"}))) == 6  # with the employee's line
    assert numbers_of(client.get(url, {"status": "suspended"})) == [lines[1].number]
    assert numbers_of(client.get(url, {"cost_centre": centre.pk})) == [lines[1].number, lines[2].number]
    assert numbers_of(client.get(url, {"cost_centre": centre.pk, "status": "active"})) == [lines[2].number]


def test_near_allowance_filter_keeps_lines_at_or_over_80_percent(client_as, company):
    lines = fleet(company, 30)
    # fleet() puts line i's data counter at (i * 37 % 100)% of its allowance.
    expected = sorted(line.number for i, line in enumerate(lines) if i * 37 % 100 >= 80)
    response = client_as("manager").get(reverse("lines:mobile"), {"near": "on"})
    assert numbers_of(response) == expected
    assert expected  # the fixture does produce such lines


def test_other_company_cost_centre_is_a_field_error_not_a_leak(client_as, company, other_company):
    fleet(company, 2)
    foreign = CostCentreFactory(company=other_company)
    response = client_as("manager").get(reverse("lines:mobile"), {"cost_centre": foreign.pk, "offer": "x"})
    assert response.status_code == 200
    assert "cost_centre" in response.context["form"].errors and "offer" in response.context["form"].errors
    assert response.context["result"].total == 3  # the invalid filters count as "any" (+ the employee's line)


def test_keyset_pages_walk_forward_and_back(client_as, company, own_line):
    lines = fleet(company, 54)
    client = client_as("manager")
    url = reverse("lines:mobile")
    first = client.get(url, {"sort": "-holder"})
    # The employee's line has no holder: it comes last in descending order.
    ordered = [line.number for line in sorted(lines, key=lambda ln: ln.holder.last_name, reverse=True)]
    ordered.append(own_line)
    assert numbers_of(first) == ordered[:25]
    page = first.context["result"].page
    assert page.has_next and not page.has_previous
    html = first.content.decode()
    assert f'rel="next" href="?sort=-holder&amp;cursor={page.next_cursor}"' in html and 'rel="prev"' not in html
    assert "{#" not in html and "comment %}" not in html  # no template comment leaks into the page
    second = client.get(url, {"sort": "-holder", "cursor": page.next_cursor})
    assert numbers_of(second) == ordered[25:50]
    third = client.get(url, {"sort": "-holder", "cursor": second.context["result"].page.next_cursor})
    assert numbers_of(third) == ordered[50:]
    assert not third.context["result"].page.has_next
    back = client.get(url, {"sort": "-holder", "cursor": third.context["result"].page.previous_cursor})
    assert numbers_of(back) == ordered[25:50]


@pytest.mark.parametrize("cursor", ["garbage", "eyJ2IjpbMV0sImQiOiJuIn0", "e30", "%%%"])
def test_bad_cursor_shows_the_first_page(client_as, company, cursor, own_line):
    lines = fleet(company, 3)
    response = client_as("manager").get(reverse("lines:mobile"), {"cursor": cursor})
    assert response.status_code == 200
    assert numbers_of(response) == [own_line, *sorted(line.number for line in lines)]


def test_htmx_filtering_returns_the_table_only(client_as, company):
    fleet(company, 3)
    response = client_as("manager").get(reverse("lines:mobile"), {"status": "active"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and "lines-table" in body


def test_empty_company_gets_a_helpful_empty_state(client_as, profiles):
    profiles["employee"].line.delete()
    client = client_as("manager")
    response = client.get(reverse("lines:mobile"))
    assert "La tua azienda non ha ancora linee mobili." in response.content.decode()
    client.cookies["django_language"] = "en"
    response = client.get(reverse("lines:mobile"), {"q": "Nessuno"})
    assert "No line matches these filters." in response.content.decode()


def test_csv_export_has_the_filtered_rows_and_no_formulas(client_as, company):
    lines = fleet(company, 4)
    holder = lines[1].holder
    holder.last_name = "=HYPERLINK(evil)"
    holder.save()
    Line.objects.filter(pk=lines[3].pk).update(status=Line.Status.SUSPENDED)
    client = client_as("manager")
    client.cookies["django_language"] = "en"
    response = client.get(reverse("lines:mobile_export"), {"status": "active"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][0] == "Number"
    assert len(rows) == 1 + 3 + 1  # the header, three active fleet lines and the employee's line
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    assert any(cell.startswith("'Nome1 =HYPERLINK") or cell == "Nome1 =HYPERLINK(evil)" for row in rows for cell in row)


def test_api_lists_filters_and_pages(client_as, company, other_company, own_line):
    lines = fleet(company, 29)
    fleet(other_company, 3)
    client = client_as("manager")
    url = reverse("api:lines")
    first = client.get(url).json()
    assert first["count"] == 30 and len(first["results"]) == 25
    assert [r["number"] for r in first["results"][:2]] == [own_line, lines[0].number]
    assert first["results"][1]["counters"][0]["kind"] == "data_mb"
    second = client.get(url, {"cursor": first["next_cursor"]}).json()
    assert [r["number"] for r in second["results"]] == [line.number for line in lines[24:]]
    near = client.get(url, {"near": "true"}).json()
    assert near["count"] == sum(1 for i in range(29) if i * 37 % 100 >= 80)


@pytest.mark.parametrize(
    "params,field",
    [
        ({"cursor": "garbage"}, "cursor"),
        ({"sort": "password"}, "sort"),
        ({"status": "deleted"}, "status"),
        ({"offer": "abc"}, "offer"),
        ({"kind": "satellite"}, "kind"),
        ({"q": "x" * 61}, "q"),
    ],
)
def test_api_bad_query_is_a_field_error(client_as, company, params, field):
    fleet(company, 2)
    response = client_as("manager").get(reverse("api:lines"), params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_api_other_company_cost_centre_is_refused(client_as, company, other_company):
    foreign = CostCentreFactory(company=other_company)
    response = client_as("manager").get(reverse("api:lines"), {"cost_centre": foreign.pk})
    assert response.status_code == 400 and "cost_centre" in response.json()["error"]["fields"]


def test_htmx_history_restore_gets_the_whole_page(client_as, company):
    fleet(company, 2)
    response = client_as("manager").get(
        reverse("lines:mobile"), HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in response.content.decode()
    assert "HX-Request" in response["Vary"]

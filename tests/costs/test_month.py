"""The month's traffic costs per cost centre, holder and line, and their CSV downloads.

Every figure is checked against a recomputation, in Python, from the per-day totals the test writes.
"""

import csv
import datetime
import io
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from selfcare.core.money import quantize_money
from selfcare.costs.selectors.month import CATEGORY_GROUPS, add_months, current_month
from selfcare.lines.models import Line
from selfcare.usage.models import Category
from tests.costs.conftest import in_english, usage
from tests.factories import CostCentreFactory, LineFactory, UserFactory, fleet

pytestmark = pytest.mark.django_db

GROUP_OF = {category: group for group, categories in CATEGORY_GROUPS.items() for category in categories}


@pytest.fixture
def month_world(company, other_company):
    """Company A: 12 lines in two cost centres or none, most with a holder (one holder has two
    lines), with per-day totals this month and last month; company B: traffic that must not count."""
    rng = random.Random(7)
    this, last = current_month(), add_months(current_month(), -1)
    sales = CostCentreFactory(company=company, code="CC100", name="Vendite")
    admin = CostCentreFactory(company=company, code="CC200", name="Amministrazione")
    CostCentreFactory(company=company, code="CC300", name="Senza traffico")
    lines = fleet(company, 12, holders=True)
    rossi = lines[1].holder
    Line.objects.filter(pk=lines[2].pk).update(holder=rossi)  # Rossi has lines 1 and 2; line 2's own holder has none
    Line.objects.filter(pk__in=[line.pk for line in lines[:5]]).update(cost_centre=sales)
    Line.objects.filter(pk__in=[line.pk for line in lines[5:9]]).update(cost_centre=admin)
    Line.objects.filter(pk__in=[line.pk for line in lines[10:]]).update(holder=None)  # lines 9-11: no cost centre
    rows = []
    for line in lines:
        for day in range(0, 20, 3):
            for category in rng.sample(list(Category.values), 3):
                cost = Decimal(rng.randint(0, 500_000)) / 10_000  # up to 50 euro, 4 decimals
                rows.append(usage(line, this + datetime.timedelta(days=day), category, str(cost)))
        usage(line, last + datetime.timedelta(days=27), Category.VOICE, "999.0000")  # another month
    foreign = LineFactory(company=other_company, number="+393479999999")
    usage(foreign, this, Category.DATA, "12345.0000")
    return {"lines": Line.objects.filter(company=company).order_by("number"), "rows": rows, "sales": sales,
            "admin": admin, "rossi": rossi, "this": this, "last": last}  # fmt: skip


def expected(rows, key) -> dict:
    """{key(line): {group: Decimal, "total": Decimal}} recomputed from the per-day totals."""
    out = defaultdict(lambda: defaultdict(Decimal))
    lines = {line.pk: line for line in Line.objects.select_related("holder", "cost_centre")}
    for row in rows:
        bucket = out[key(lines[row.line_id])]
        bucket[GROUP_OF[row.category]] += row.cost
        bucket["total"] += row.cost
    return out


def money(value) -> Decimal:
    return quantize_money(value)


def test_per_cost_centre_equals_a_recomputation_from_the_per_day_totals(manager_client, month_world):
    response = manager_client.get(reverse("costs:month"))
    assert response.status_code == 200
    summary = response.context["summary"]
    want = expected(month_world["rows"], lambda line: line.cost_centre.code if line.cost_centre else None)
    got = {row.code or None: row for row in summary.centres}
    assert set(got) == {"CC100", "CC200", "CC300", None}  # every cost centre, and the lines without one
    for code, sums in want.items():
        for group in (*CATEGORY_GROUPS, "total"):
            assert money(getattr(got[code].costs, group)) == money(sums[group]), (code, group)
    assert got["CC300"].costs.total == 0 and got["CC300"].lines == 0
    assert (got["CC100"].lines, got["CC200"].lines, got[None].lines) == (5, 4, 3)
    grand = sum(row.cost for row in month_world["rows"])
    assert money(summary.total.total) == money(grand) and summary.lines_with_traffic == 12
    # Most expensive first; the lines without a cost centre last, named as such.
    named = [row for row in summary.centres if row.code]
    assert [r.costs.total for r in named] == sorted((r.costs.total for r in named), reverse=True)
    assert summary.centres[-1].cost_centre_id is None
    html = response.content.decode()
    assert "No cost centre" in html and "12345" not in html and "999.00" not in html
    assert f"€ {money(grand):,.2f}" in html  # English formatting: "€ 1,234.56"
    chart = response.context["chart"]
    assert chart["labels"][-1] == "No cost centre" and sum(chart["amounts"]) == pytest.approx(float(grand), abs=0.05)


def test_amounts_are_in_italian_format_for_italian_users(client_as, month_world):
    html = client_as("manager").get(reverse("costs:month")).content.decode()
    grand = money(sum(row.cost for row in month_world["rows"]))
    italian = f"{grand:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert f"€ {italian}" in html


def test_per_holder_equals_a_recomputation(manager_client, month_world):
    response = manager_client.get(reverse("costs:month"), {"by": "holder"})
    result = response.context["result"]
    want = expected(month_world["rows"], lambda line: line.holder_id)
    rows = result.page.rows
    got = {h.pk: h for h in rows}
    assert result.total == 12  # fleet() made a holder per line; three of them have no line any more
    for holder_id, sums in want.items():
        if holder_id is None:
            continue
        assert money(got[holder_id].cost_total) == money(sums["total"])
        assert money(got[holder_id].cost_internet) == money(sums["internet"])
    assert got[month_world["rossi"].pk].line_count == 2
    assert [h.cost_total for h in rows] == sorted((h.cost_total for h in rows), reverse=True)
    unassigned = result.unassigned
    assert unassigned.lines == 2 and money(unassigned.costs.total) == money(want[None]["total"])
    assert "Lines without a holder" in response.content.decode()


def test_per_line_pages_cover_every_line_most_expensive_first(manager_client, company, month_world):
    fleet(company, 30, first=100, holders=False)  # lines without traffic: cost 0, listed last
    seen, cursor = [], None
    while True:
        params = {"by": "line"} | ({"cursor": cursor} if cursor else {})
        result = manager_client.get(reverse("costs:month"), params).context["result"]
        seen += result.page.rows
        cursor = result.page.next_cursor
        if not cursor:
            break
    count = Line.objects.filter(company=company).count()  # 42, and the employee profile's line
    assert result.total == count and len(seen) == count and len({line.pk for line in seen}) == count
    assert [line.cost_total for line in seen] == sorted((line.cost_total for line in seen), reverse=True)
    want = expected(month_world["rows"], lambda line: line.pk)
    for line in seen:
        assert money(line.cost_total) == money(want[line.pk]["total"] if line.pk in want else 0)


def test_lines_of_one_cost_centre_or_of_none(manager_client, month_world):
    sales = month_world["sales"]
    response = manager_client.get(reverse("costs:month"), {"by": "line", "centre": sales.pk})
    rows = response.context["result"].page.rows
    assert len(rows) == 5 and {line.cost_centre_id for line in rows} == {sales.pk}
    assert "5 lines in cost centre CC100 · Vendite" in response.content.decode()
    none = manager_client.get(reverse("costs:month"), {"by": "line", "centre": "none"}).context["result"]
    assert none.total == 4  # lines 9-11 and the employee profile's line
    assert all(line.cost_centre_id is None for line in none.page.rows)


def test_another_company_cost_centre_filter_is_refused_with_a_message(
    manager_client, company, other_company, month_world
):
    foreign = CostCentreFactory(company=other_company)
    for value in (str(foreign.pk), "abc"):
        response = manager_client.get(reverse("costs:month"), {"by": "line", "centre": value})
        assert response.status_code == 200
        assert response.context["result"].total == Line.objects.filter(company=company).count()  # not filtered
        assert "Choose one of your company&#x27;s cost centres." in response.content.decode()


def test_an_earlier_month_and_a_month_out_of_reach(manager_client, month_world):
    last = month_world["last"]
    response = manager_client.get(reverse("costs:month"), {"month": f"{last:%Y-%m}"})
    assert response.context["month"] == last
    assert response.context["summary"].total.total == Decimal("999") * 12
    too_old = add_months(current_month(), -24)
    response = manager_client.get(reverse("costs:month"), {"month": f"{too_old:%Y-%m}"})
    assert response.status_code == 200 and response.context["month"] == current_month()
    assert "Showing the current month." in response.content.decode()
    assert manager_client.get(reverse("costs:month"), {"month": "2026-13'--"}).status_code == 200


def test_tabs_and_month_answer_htmx_with_the_part_below_the_form(manager_client, month_world):
    response = manager_client.get(reverse("costs:month"), {"by": "holder"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'id="holder-costs-table"' in html and response["Vary"].count("HX-Request")
    # The month form outside the swapped part learns the new tab (out of band), so a month change keeps it.
    assert 'id="month-state" hx-swap-oob="true"' in html and 'name="by" value="holder"' in html
    page = manager_client.get(reverse("costs:month"), {"by": "holder"}).content.decode()
    assert page.count('id="month-state"') == 1 and "hx-swap-oob" not in page


def test_a_restricted_manager_sees_only_the_costs_of_his_lines(client_as, company, month_world):
    sales = month_world["sales"]
    restricted = UserFactory(company=company)
    restricted.cost_centres.add(sales)
    client = client_as("anonymous")
    client.force_login(restricted)
    in_english(client)
    summary = client.get(reverse("costs:month")).context["summary"]
    want = expected(month_world["rows"], lambda line: line.cost_centre_id)
    assert [row.code for row in summary.centres] == ["CC100"]
    assert money(summary.total.total) == money(want[sales.pk]["total"])
    holders = client.get(reverse("costs:month"), {"by": "holder"}).context["result"]
    assert money(sum(h.cost_total for h in holders.page.rows)) == money(want[sales.pk]["total"])


def test_employees_may_not_see_costs(client_as, month_world):
    client = client_as("employee")
    for name in ("costs:month", "costs:month_export_centres", "costs:month_export_lines"):
        assert client.get(reverse(name)).status_code == 403


def read_csv(response) -> list[list[str]]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:]), delimiter=";"))


def test_cost_centre_csv(client_as, month_world):
    response = client_as("manager").get(reverse("costs:month_export_centres"))  # Italian: decimal comma
    this = month_world["this"]
    assert f'filename="costi-centri-di-costo-{this:%Y-%m}.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert len(rows) == 1 + 4
    want = expected(month_world["rows"], lambda line: line.cost_centre.code if line.cost_centre else "")
    for row in rows[1:]:
        assert row[0] == f"{this:%Y-%m}"
        assert row[-1] == f"{money(want[row[1]]['total']):.2f}".replace(".", ",")
    assert rows[-1][1] == "" and rows[-1][3] == "3"  # the lines without a cost centre come last


def test_line_csv_has_every_line_with_its_costs(manager_client, company, month_world):
    fleet(company, 3, first=100, holders=False)
    rows = read_csv(manager_client.get(reverse("costs:month_export_lines")))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["Month", "Number", "Holder", "Employee code", "Cost centre code", "Cost centre"]
    assert len(body) == Line.objects.filter(company=company).count() == 16  # with the employee profile's line
    want = expected(month_world["rows"], lambda line: line.number)
    for row in body:
        number = row[1].removeprefix("'")  # kept as text by spreadsheets
        total = want[number]["total"] if number in want else 0
        assert row[-1] == f"{money(total):.2f}"
    assert sum(Decimal(row[-1]) for row in body) == sum(money(w["total"]) for w in want.values())
    assert "'+393479999999" not in {row[1] for row in body}

"""The Costi Online API: cost centres, holders, assignments (one line, a CSV file) and the month's costs."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from selfcare.costs.selectors.month import add_months, current_month
from selfcare.customers.models import CostCentre, Holder
from selfcare.lines.models import Line
from tests.costs.conftest import make_holder, usage
from tests.factories import CostCentreFactory, LineFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client_as):
    client = client_as("manager")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def fields_of(response) -> dict:
    assert response.status_code == 400, response.content
    return response.json()["error"]["fields"]


# --- Cost centres ----------------------------------------------------------------------------------


def test_cost_centre_crud(api, company, other_company):
    CostCentreFactory(company=other_company, code="CC100")
    url = reverse("api:cost_centres")
    created = api.post(url, {"code": "cc100", "name": "Vendite"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body | {"id": 0} == {"id": 0, "code": "CC100", "name": "Vendite", "lines": 0, "holders": 0}
    detail = reverse("api:cost_centre", args=[body["id"]])
    LineFactory(company=company, cost_centre_id=body["id"])
    assert api.get(detail).json()["lines"] == 1
    assert api.get(url).json()["count"] == 1 and api.get(url).json()["results"][0]["code"] == "CC100"
    changed = api.patch(detail, {"name": "Vendite Italia"}, content_type="application/json")
    assert changed.status_code == 200
    assert (changed.json()["code"], changed.json()["name"]) == ("CC100", "Vendite Italia")
    deleted = api.delete(detail)
    assert deleted.status_code == 200 and deleted.json() == {"lines": 1, "holders": 0}
    assert not CostCentre.objects.filter(company=company).exists()
    assert Line.objects.filter(company=company, cost_centre__isnull=True).count() == 1 + 1  # with the employee's


def test_cost_centre_field_errors(api, company):
    CostCentreFactory(company=company, code="CC100")
    url = reverse("api:cost_centres")
    assert fields_of(api.post(url, {"code": "Cc100", "name": "X"}, content_type="application/json")) == {
        "code": ["Another cost centre already has this code."]
    }
    assert set(fields_of(api.post(url, {}, content_type="application/json"))) == {"code", "name"}
    assert "code" in fields_of(api.post(url, {"code": "A B", "name": "X"}, content_type="application/json"))
    assert "code" in fields_of(api.post(url, {"code": "X" * 21, "name": "X"}, content_type="application/json"))


def test_another_company_cost_centre_is_a_404(api, other_company):
    foreign = CostCentreFactory(company=other_company)
    url = reverse("api:cost_centre", args=[foreign.pk])
    assert api.get(url).status_code == 404
    assert api.patch(url, {"name": "Mio"}, content_type="application/json").status_code == 404
    assert api.delete(url).status_code == 404
    assert CostCentre.objects.filter(pk=foreign.pk).exists()


# --- Holders -------------------------------------------------------------------------------------


def test_holder_crud_and_search(api, company, other_company):
    centre = CostCentreFactory(company=company, code="CC100")
    make_holder(other_company, "Marco", "Rossi")
    url = reverse("api:holders")
    data = {"first_name": "Marco", "last_name": "Rossi", "employee_code": "e1", "cost_centre": centre.pk}
    created = api.post(url, data, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert (body["employee_code"], body["cost_centre"]["code"], body["line_count"]) == ("E1", "CC100", 0)
    LineFactory(company=company, holder_id=body["id"], number="+393471110000")
    found = api.get(url, {"q": "rossi"}).json()
    assert found["count"] == 1 and found["results"][0]["lines"] == ["+393471110000"]
    detail = reverse("api:holder", args=[body["id"]])
    changed = api.patch(detail, {"email": "marco@example.it", "cost_centre": None}, content_type="application/json")
    assert changed.status_code == 200
    assert (changed.json()["email"], changed.json()["cost_centre"], changed.json()["employee_code"]) == (
        "marco@example.it",
        None,
        "E1",
    )
    assert api.delete(detail).status_code == 204
    assert not Holder.objects.filter(company=company).exists()
    assert Line.objects.get(number="+393471110000").holder is None


def test_holder_field_errors_and_scoping(api, company, other_company):
    make_holder(company, employee_code="E1")
    foreign_centre = CostCentreFactory(company=other_company)
    url = reverse("api:holders")
    base = {"first_name": "A", "last_name": "B"}
    assert fields_of(api.post(url, base | {"employee_code": "e1"}, content_type="application/json")) == {
        "employee_code": ["Another holder already has this employee code."]
    }
    assert fields_of(api.post(url, base | {"cost_centre": foreign_centre.pk}, content_type="application/json")) == {
        "cost_centre": ["Choose one of your company's cost centres."]
    }
    assert "email" in fields_of(api.post(url, base | {"email": "x@"}, content_type="application/json"))
    foreign = make_holder(other_company)
    assert api.get(reverse("api:holder", args=[foreign.pk])).status_code == 404
    assert api.delete(reverse("api:holder", args=[foreign.pk])).status_code == 404
    assert api.get(url, {"cursor": "bad"}).status_code == 400


# --- Assignments ---------------------------------------------------------------------------------


def test_line_assignment(api, company, other_company):
    line = LineFactory(company=company)
    holder = make_holder(company, employee_code="E1")
    centre = CostCentreFactory(company=company, code="CC100")
    url = reverse("api:line_assignment", args=[line.pk])
    assert api.get(url).json() == {"line_id": line.pk, "number": line.number, "holder": None, "cost_centre": None}
    response = api.patch(url, {"holder": holder.pk, "cost_centre": centre.pk}, content_type="application/json")
    assert response.status_code == 200 and response.json()["cost_centre"]["code"] == "CC100"
    response = api.patch(url, {"cost_centre": None}, content_type="application/json")  # the holder stays
    assert response.json()["holder"]["id"] == holder.pk and response.json()["cost_centre"] is None
    foreign_holder = make_holder(other_company)
    assert fields_of(api.patch(url, {"holder": foreign_holder.pk}, content_type="application/json")) == {
        "holder": ["Choose one of your company's holders."]
    }
    foreign_line = LineFactory(company=other_company)
    assert api.get(reverse("api:line_assignment", args=[foreign_line.pk])).status_code == 404
    foreign_url = reverse("api:line_assignment", args=[foreign_line.pk])
    assert api.patch(foreign_url, {"holder": holder.pk}, content_type="application/json").status_code == 404


def test_assignment_file(api, company, other_company):
    LineFactory(company=company, number="+393470000000")
    LineFactory(company=other_company, number="+393479999999")
    make_holder(company, employee_code="E1")
    text = "numero;matricola;centro\n3470000000;E1;\n3479999999;E1;\n"
    file = SimpleUploadedFile("a.csv", text.encode(), content_type="text/csv")
    response = api.post(reverse("api:line_assignments_upload"), {"file": file, "check_only": "true"})
    assert response.status_code == 200
    assert response.json() == {
        "rows": 2,
        "changed": 1,
        "unchanged": 0,
        "applied": False,
        "problems": [
            {"row": 3, "number": "3479999999", "reasons": ["This number is not one of your company's lines."]}
        ],
    }
    assert Line.objects.get(number="+393470000000").holder is None
    file = SimpleUploadedFile("a.csv", text.encode(), content_type="text/csv")
    assert api.post(reverse("api:line_assignments_upload"), {"file": file}).json()["applied"] is True
    assert Line.objects.get(number="+393470000000").holder.employee_code == "E1"
    empty = SimpleUploadedFile("a.csv", b"", content_type="text/csv")
    assert "file" in fields_of(api.post(reverse("api:line_assignments_upload"), {"file": empty}))
    binary = SimpleUploadedFile("a.xlsx", b"PK\x03\x04rest", content_type="application/octet-stream")
    assert fields_of(api.post(reverse("api:line_assignments_upload"), {"file": binary}))["file"][0].startswith(
        "This is not a CSV file."
    )


# --- The month's costs ---------------------------------------------------------------------------


def test_month_costs(api, company, other_company):
    month = current_month()
    centre = CostCentreFactory(company=company, code="CC100", name="Vendite")
    holder = make_holder(company, employee_code="E1")
    a = LineFactory(company=company, cost_centre=centre, holder=holder)
    b = LineFactory(company=company)
    usage(a, month, "voice", "1.2345")
    usage(a, month + datetime.timedelta(days=1), "data", "2.0050")
    usage(b, month, "sms", "0.3000")
    usage(LineFactory(company=other_company), month, "data", "100")
    usage(a, add_months(month, -1), "data", "7")
    summary = api.get(reverse("api:costs")).json()
    assert summary["month"] == f"{month:%Y-%m}" and summary["lines_with_traffic"] == 2
    costs = {"calls": "1.23", "messages": "0.30", "internet": "2.01", "other": "0.00", "total": "3.54"}
    assert summary["total"] == costs
    assert [(c["id"], c["code"], c["costs"]["total"]) for c in summary["cost_centres"]] == [
        (centre.pk, "CC100", "3.24"),
        (None, "", "0.30"),
    ]
    last = api.get(reverse("api:costs"), {"month": f"{add_months(month, -1):%Y-%m}"}).json()
    assert last["total"]["total"] == "7.00"
    assert "month" in fields_of(api.get(reverse("api:costs"), {"month": "2001-01"}))
    assert "month" in fields_of(api.get(reverse("api:costs"), {"month": "last"}))
    lines = api.get(reverse("api:costs_lines")).json()
    top = [(r["number"], r["costs"]["total"]) for r in lines["results"][:2]]
    assert top == [(a.number, "3.24"), (b.number, "0.30")]
    assert lines["count"] == Line.objects.filter(company=company).count()
    only = api.get(reverse("api:costs_lines"), {"cost_centre": centre.pk}).json()
    assert [r["number"] for r in only["results"]] == [a.number]
    none = api.get(reverse("api:costs_lines"), {"cost_centre": "none"}).json()
    assert a.number not in [r["number"] for r in none["results"]]
    foreign_centre = CostCentreFactory(company=other_company)
    assert "cost_centre" in fields_of(api.get(reverse("api:costs_lines"), {"cost_centre": foreign_centre.pk}))
    holders = api.get(reverse("api:costs_holders")).json()
    assert holders["results"][0]["id"] == holder.pk and holders["results"][0]["costs"]["total"] == "3.24"
    assert holders["without_holder"] == {
        "lines": 1,
        "costs": {"calls": "0.00", "messages": "0.30", "internet": "0.00", "other": "0.00", "total": "0.30"},
    }


def test_money_is_rounded_half_up_to_the_cent(api, company):
    line = LineFactory(company=company)
    usage(line, current_month(), "voice", "0.0050")
    assert api.get(reverse("api:costs")).json()["total"]["calls"] == "0.01"
    assert Decimal(api.get(reverse("api:costs_lines")).json()["results"][0]["costs"]["total"]) == Decimal("0.01")


def test_employee_gets_403_and_anonymous_401(client_as, company):
    for profile, status in (("employee", 403), ("anonymous", 401)):
        client = client_as(profile)
        for name in ("api:costs", "api:cost_centres", "api:holders"):
            assert client.get(reverse(name)).status_code == status
        response = client.post(reverse("api:cost_centres"), {"code": "X", "name": "Y"}, content_type="application/json")
        assert response.status_code == status
    assert not CostCentre.objects.exists()

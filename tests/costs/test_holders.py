"""Holders (SPEC F-TRE-2, anagrafiche): list with search, create, edit, delete; field errors; scoping."""

import pytest
from django.urls import reverse

from selfcare.core.models import AuditEvent
from selfcare.customers.models import Holder
from selfcare.lines.models import Line
from tests.costs.conftest import make_holder
from tests.factories import CostCentreFactory, LineFactory

pytestmark = pytest.mark.django_db

VALID = {"first_name": "Giulia", "last_name": "Neri", "email": "", "employee_code": "", "cost_centre": ""}


def names(response) -> list[str]:
    return [f"{h.last_name} {h.first_name}" for h in response.context["result"].page.rows]


def test_list_by_name_only_of_the_company_with_lines_and_cost_centre(manager_client, company, other_company):
    centre = CostCentreFactory(company=company, code="CC100")
    rossi = make_holder(company, "Marco", "Rossi", employee_code="E002", cost_centre=centre)
    make_holder(company, "Anna", "Bianchi", employee_code="E001")
    make_holder(other_company, "Segreto", "Esterno")
    line = LineFactory(company=company, holder=rossi)
    response = manager_client.get(reverse("costs:holders"))
    assert response.status_code == 200
    assert names(response) == ["Bianchi Anna", "Rossi Marco"]
    row = response.context["result"].page.rows[1]
    assert [x.number for x in row.lines] == [line.number] and row.cost_centre.code == "CC100"
    html = response.content.decode()
    assert line.display_number in html and "Esterno" not in html


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ross", ["Rossi Marco"]),
        ("MARCO rossi", ["Rossi Marco"]),
        ("e001", ["Bianchi Anna"]),
        ("example.it", ["Bianchi Anna"]),
        ("nessuno", []),
    ],
)
def test_search_by_name_employee_code_or_email(manager_client, company, q, expected):
    make_holder(company, "Marco", "Rossi", employee_code="E002")
    make_holder(company, "Anna", "Bianchi", employee_code="E001", email="anna@example.it")
    response = manager_client.get(reverse("costs:holders"), {"q": q})
    assert names(response) == expected
    fragment = manager_client.get(reverse("costs:holders"), {"q": q}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and fragment.context["result"].total == len(expected)


def test_list_pages_by_name(manager_client, company):
    for i in range(30):
        make_holder(company, "Nome", f"Cognome{i:02d}")
    make_holder(company, "Bis", "Cognome05")  # the same surname: the id breaks the tie
    first = manager_client.get(reverse("costs:holders"))
    assert len(names(first)) == 25 and first.context["result"].total == 31
    second = manager_client.get(reverse("costs:holders"), {"cursor": first.context["result"].page.next_cursor})
    assert len(names(second)) == 6
    assert set(names(first)).isdisjoint(names(second))


def test_create_a_holder(manager_client, company, profiles):
    centre = CostCentreFactory(company=company)
    data = VALID | {"email": " Giulia.Neri@Example.IT ", "employee_code": "e-77", "cost_centre": centre.pk}
    response = manager_client.post(reverse("costs:holder_create"), data)
    assert response.status_code == 302
    holder = Holder.objects.get(company=company)
    assert (holder.email, holder.employee_code, holder.cost_centre) == ("giulia.neri@example.it", "E-77", centre)
    assert AuditEvent.objects.filter(action="holder_created", actor=profiles["manager"]).exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"last_name": "   "}, "last_name", "This field is required."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"employee_code": "E 1"}, "employee_code", "Use letters, digits and . _ / - only"),
        ({"employee_code": "e001"}, "employee_code", "Another holder already has this employee code."),
        ({"cost_centre": "999999"}, "cost_centre", "Select a valid choice."),
    ],
)
def test_invalid_input_is_a_field_error(manager_client, company, data, field, message):
    make_holder(company, employee_code="E001")
    response = manager_client.post(reverse("costs:holder_create"), VALID | data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert Holder.objects.filter(company=company).count() == 1


def test_another_company_cost_centre_cannot_be_chosen(manager_client, company, other_company):
    foreign = CostCentreFactory(company=other_company)
    response = manager_client.post(reverse("costs:holder_create"), VALID | {"cost_centre": foreign.pk})
    assert response.status_code == 400 and "cost_centre" in response.context["form"].errors
    assert not Holder.objects.filter(company=company).exists()


def test_edit_a_holder_and_his_lines_show_the_new_name(manager_client, company):
    holder = make_holder(company, "Marco", "Rossi", employee_code="E001")
    line = LineFactory(company=company, holder=holder)
    detail = reverse("lines:detail", args=[line.pk])
    assert "Marco Rossi" in manager_client.get(detail).content.decode()
    url = reverse("costs:holder_edit", args=[holder.pk])
    assert 'value="E001"' in manager_client.get(url).content.decode()
    response = manager_client.post(url, VALID | {"first_name": "Marco", "last_name": "Russo", "employee_code": "E001"})
    assert response.status_code == 302
    assert "Marco Russo" in manager_client.get(detail).content.decode()


def test_delete_a_holder_keeps_his_lines(manager_client, company):
    centre = CostCentreFactory(company=company)
    holder = make_holder(company, "Marco", "Rossi")
    line = LineFactory(company=company, holder=holder, cost_centre=centre)
    url = reverse("costs:holder_delete", args=[holder.pk])
    assert "1 line will be left without a holder" in manager_client.get(url).content.decode()
    response = manager_client.post(url, follow=True)
    assert "Holder Marco Rossi deleted. 1 line is now without a holder." in response.content.decode()
    line = Line.objects.get(pk=line.pk)
    assert line.holder is None and line.cost_centre == centre
    assert not Holder.objects.filter(pk=holder.pk).exists()


@pytest.mark.parametrize("name", ["costs:holder_edit", "costs:holder_delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_company_holder_is_a_404(manager_client, other_company, name, method):
    foreign = make_holder(other_company, "Luca", "Verdi")
    response = getattr(manager_client, method)(reverse(name, args=[foreign.pk]), VALID)
    assert response.status_code == 404
    assert Holder.objects.get(pk=foreign.pk).last_name == "Verdi"

"""Cost centres (SPEC F-TRE-2): list, create, edit, delete; field errors; company scoping."""

import pytest
from django.urls import reverse

from selfcare.core.models import AuditEvent
from selfcare.customers.models import CostCentre, Holder
from selfcare.lines.models import Line
from tests.costs.conftest import in_english, make_holder
from tests.factories import CostCentreFactory, LineFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_list_shows_only_the_company_cost_centres_with_their_counts(manager_client, company, other_company):
    sales = CostCentreFactory(company=company, code="CC200", name="Vendite")
    CostCentreFactory(company=company, code="CC100", name="Amministrazione")
    CostCentreFactory(company=other_company, code="CC999", name="Segreto")
    LineFactory.create_batch(2, company=company, cost_centre=sales)
    make_holder(company, cost_centre=sales)
    response = manager_client.get(reverse("costs:cost_centres"))
    assert response.status_code == 200
    rows = response.context["result"].page.rows
    assert [(c.code, c.line_count, c.holder_count) for c in rows] == [("CC100", 0, 0), ("CC200", 2, 1)]
    html = response.content.decode()
    assert "Vendite" in html and "CC999" not in html and "Segreto" not in html


def test_list_pages_by_code(manager_client, company):
    for i in range(60):
        CostCentreFactory(company=company, code=f"C{i:03d}")
    first = manager_client.get(reverse("costs:cost_centres")).context["result"]
    assert first.total == 60 and len(first.page.rows) == 50
    second = manager_client.get(reverse("costs:cost_centres"), {"cursor": first.page.next_cursor})
    assert [c.code for c in second.context["result"].page.rows] == [f"C{i:03d}" for i in range(50, 60)]
    # A tampered cursor shows the first page, not an error.
    assert manager_client.get(reverse("costs:cost_centres"), {"cursor": "nonsense"}).status_code == 200


def test_create_a_cost_centre(manager_client, company, profiles):
    data = {"code": " cc-100/a ", "name": "  Ufficio   Roma "}
    response = manager_client.post(reverse("costs:cost_centre_create"), data)
    assert response.status_code == 302 and response["Location"] == reverse("costs:cost_centres")
    centre = CostCentre.objects.get(company=company)
    assert (centre.code, centre.name) == ("CC-100/A", "Ufficio Roma")
    event = AuditEvent.objects.get(action="cost_centre_created")
    assert event.actor == profiles["manager"] and event.company == company and event.object_id == str(centre.pk)
    assert "CC-100/A" in manager_client.get(reverse("costs:cost_centres")).content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "", "name": "Vendite"}, "code", "This field is required."),
        ({"code": "CC1", "name": ""}, "name", "This field is required."),
        ({"code": "C" * 21, "name": "Vendite"}, "code", "at most 20 characters"),
        ({"code": "=SUM(A1)", "name": "Vendite"}, "code", "Use letters, digits and . _ / - only"),
        ({"code": "CC 1", "name": "Vendite"}, "code", "Use letters, digits and . _ / - only"),
        ({"code": "cc100", "name": "Doppione"}, "code", "Another cost centre already has this code."),
    ],
)
def test_invalid_input_is_a_field_error_never_a_500(manager_client, company, data, field, message):
    CostCentreFactory(company=company, code="CC100")
    response = manager_client.post(reverse("costs:cost_centre_create"), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field] and message in errors[field][0]
    assert 'aria-invalid="true"' in response.content.decode()
    assert CostCentre.objects.filter(company=company).count() == 1


def test_the_same_code_in_another_company_is_fine(manager_client, company, other_company):
    CostCentreFactory(company=other_company, code="CC100")
    response = manager_client.post(reverse("costs:cost_centre_create"), {"code": "CC100", "name": "Vendite"})
    assert response.status_code == 302
    assert CostCentre.objects.filter(code="CC100").count() == 2


def test_edit_a_cost_centre_and_its_lines_show_the_new_name_at_once(manager_client, company):
    centre = CostCentreFactory(company=company, code="CC100", name="Vendite")
    line = LineFactory(company=company, cost_centre=centre)
    detail = reverse("lines:detail", args=[line.pk])
    assert "CC100 · Vendite" in manager_client.get(detail).content.decode()  # now cached
    url = reverse("costs:cost_centre_edit", args=[centre.pk])
    form = manager_client.get(url)
    assert form.status_code == 200 and 'value="CC100"' in form.content.decode()
    response = manager_client.post(url, {"code": "CC101", "name": "Vendite Nord"})
    assert response.status_code == 302
    assert "CC101 · Vendite Nord" in manager_client.get(detail).content.decode()


def test_edit_keeps_its_own_code_and_refuses_another_one(manager_client, company):
    centre = CostCentreFactory(company=company, code="CC100")
    CostCentreFactory(company=company, code="CC200")
    url = reverse("costs:cost_centre_edit", args=[centre.pk])
    assert manager_client.post(url, {"code": "CC100", "name": "Altro nome"}).status_code == 302
    response = manager_client.post(url, {"code": "CC200", "name": "Altro nome"})
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == ["Another cost centre already has this code."]
    assert CostCentre.objects.get(pk=centre.pk).code == "CC100"


def test_delete_says_which_lines_and_holders_lose_it_and_keeps_them(manager_client, company):
    centre = CostCentreFactory(company=company, code="CC100")
    lines = LineFactory.create_batch(3, company=company, cost_centre=centre)
    holder = make_holder(company, cost_centre=centre)
    url = reverse("costs:cost_centre_delete", args=[centre.pk])
    detail = reverse("lines:detail", args=[lines[0].pk])
    assert "CC100" in manager_client.get(detail).content.decode()  # cached with its cost centre
    page = manager_client.get(url).content.decode()
    assert "3 lines will be left without a cost centre" in page
    assert "1 holder will be left without a cost centre" in page
    response = manager_client.post(url, follow=True)
    assert "Cost centre CC100 deleted. 3 lines are now without a cost centre." in response.content.decode()
    assert not CostCentre.objects.filter(pk=centre.pk).exists()
    assert Line.objects.filter(pk__in=[line.pk for line in lines], cost_centre__isnull=True).count() == 3
    assert Holder.objects.get(pk=holder.pk).cost_centre is None
    assert "CC100" not in manager_client.get(detail).content.decode()
    assert AuditEvent.objects.get(action="cost_centre_deleted").detail["lines"] == 3


def test_delete_is_refused_while_it_is_the_only_restriction_of_a_manager(manager_client, company):
    centre = CostCentreFactory(company=company, code="CC100")
    other = CostCentreFactory(company=company, code="CC200")
    restricted = UserFactory(company=company)
    restricted.cost_centres.add(centre)
    url = reverse("costs:cost_centre_delete", args=[centre.pk])
    response = manager_client.post(url)
    assert response.status_code == 409
    assert "can see only the lines of this cost centre" in response.content.decode()
    assert CostCentre.objects.filter(pk=centre.pk).exists()
    restricted.cost_centres.add(other)  # with another cost centre left, deleting this one only narrows him
    assert manager_client.post(url).status_code == 302
    assert list(restricted.cost_centres.all()) == [other]


@pytest.mark.parametrize("name", ["costs:cost_centre_edit", "costs:cost_centre_delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_company_cost_centre_is_a_404(manager_client, other_company, name, method):
    foreign = CostCentreFactory(company=other_company, code="CC100", name="Loro")
    data = {"code": "MIO", "name": "Preso"} if name.endswith("edit") else {}
    response = getattr(manager_client, method)(reverse(name, args=[foreign.pk]), data)
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert (foreign.code, foreign.name) == ("CC100", "Loro")


def test_employee_may_neither_see_nor_change_cost_centres(client_as, company):
    centre = CostCentreFactory(company=company)
    client = client_as("employee")
    assert client.get(reverse("costs:cost_centres")).status_code == 403
    assert client.post(reverse("costs:cost_centre_create"), {"code": "X1", "name": "X"}).status_code == 403
    assert client.post(reverse("costs:cost_centre_delete", args=[centre.pk])).status_code == 403
    assert CostCentre.objects.filter(company=company).count() == 1


def test_forms_carry_a_csrf_token(client_as, company):
    from django.test import Client

    centre = CostCentreFactory(company=company)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory(company=company))
    in_english(strict)
    assert strict.post(reverse("costs:cost_centre_create"), {"code": "X1", "name": "X"}).status_code == 403
    assert strict.post(reverse("costs:cost_centre_delete", args=[centre.pk])).status_code == 403
    assert "csrfmiddlewaretoken" in strict.get(reverse("costs:cost_centre_create")).content.decode()
    assert CostCentre.objects.filter(company=company).count() == 1

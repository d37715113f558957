import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from selfcare.accounts.models import SimAssociation
from selfcare.core.models import AuditEvent
from selfcare.core.scope import SESSION_CURRENT_LINE
from selfcare.notifications.models import OutboxMessage
from tests.factories import EmployeeFactory, LineFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
LIST = reverse("accounts:sim_associations")
CONFIRM = reverse("accounts:sim_association_confirm")


@pytest.fixture(autouse=True)
def english_and_fresh_limits(client):
    cache.clear()
    client.cookies["django_language"] = "en"


@pytest.fixture
def employee(client, company):
    user = EmployeeFactory(company=company)
    client.force_login(user)
    return user


def associate(client, line):
    response = client.post(LIST, {"number": line.number})
    assert response["Location"] == CONFIRM
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.filter(recipient=line.number).latest("pk").body).group(1)
    return client.post(CONFIRM, {"code": code})


def test_associate_a_line_of_the_company_with_the_code_sent_to_it(client, employee, company):
    line = LineFactory(company=company)
    assert associate(client, line)["Location"] == LIST
    assert SimAssociation.objects.get().line == line
    assert AuditEvent.objects.filter(action="sim_associated", actor=employee).exists()
    html = client.get(reverse("portal:home")).content.decode()
    assert line.display_number in html  # in the switcher


def test_at_most_two_associated_lines(client, employee, company):
    for _ in range(2):
        associate(client, LineFactory(company=company))
    response = client.post(LIST, {"number": LineFactory(company=company).number})
    assert response.status_code == 400
    assert "two associated SIMs" in response.context["form"].errors["number"][0]


def test_a_line_of_another_company_gets_the_same_answer_and_no_sms(client, employee, other_company):
    foreign = LineFactory(company=other_company)
    response = client.post(LIST, {"number": foreign.number})
    assert response["Location"] == CONFIRM
    assert not OutboxMessage.objects.filter(recipient=foreign.number).exists()
    response = client.post(CONFIRM, {"code": "123456"})
    assert response.status_code == 400
    assert SimAssociation.objects.count() == 0


def test_own_line_cannot_be_associated(client, employee):
    client.post(LIST, {"number": employee.line.number})
    assert not OutboxMessage.objects.filter(recipient=employee.line.number).exists()


def test_a_code_asked_by_another_employee_does_not_associate(client, employee, company):
    line = LineFactory(company=company)
    client.post(LIST, {"number": line.number})
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.get().body).group(1)
    intruder = EmployeeFactory(company=company)
    client.force_login(intruder)
    session = client.session
    session["sim_association_number"] = line.number
    session.save()
    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 400
    assert SimAssociation.objects.count() == 0


def test_disassociate_keeps_the_history_and_resets_the_current_line(client, employee, company):
    line = LineFactory(company=company)
    associate(client, line)
    client.post(reverse("portal:switch_line"), {"line": line.pk})
    assert client.session[SESSION_CURRENT_LINE] == line.pk
    response = client.post(reverse("accounts:sim_disassociate", args=[line.pk]))
    assert response["Location"] == LIST
    association = SimAssociation.objects.get()
    assert association.ended_at is not None
    assert SESSION_CURRENT_LINE not in client.session
    assert client.get(reverse("portal:home")).context["home"].line == employee.line
    # Not associated any more: a second request is a 404.
    assert client.post(reverse("accounts:sim_disassociate", args=[line.pk])).status_code == 404


def test_managers_see_the_log_of_their_company_only(client, employee, company, other_company):
    line = LineFactory(company=company)
    associate(client, line)
    client.post(reverse("accounts:sim_disassociate", args=[line.pk]))
    stranger = EmployeeFactory(company=other_company)
    SimAssociation.objects.create(user=stranger, line=LineFactory(company=other_company))
    client.force_login(UserFactory(company=company))
    response = client.get(reverse("accounts:sim_association_log"))
    rows = list(response.context["page"].object_list)
    assert [a.user for a in rows] == [employee]
    assert rows[0].ended_at is not None


@pytest.mark.parametrize("number", ["", "abc", "3" * 1000, "+44 7911 123456", "０３４７"])
def test_bad_numbers_get_field_errors(client, employee, number):
    response = client.post(LIST, {"number": number})
    assert response.status_code == 400 and "number" in response.context["form"].errors


def test_the_app_associates_and_disassociates_a_sim(client, employee, company):
    line = LineFactory(company=company)
    api = reverse("api:sims")
    assert client.post(api, {"number": line.number}, content_type="application/json").status_code == 202
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.get().body).group(1)
    confirm = client.post(
        reverse("api:sims_confirm"), {"number": line.number, "code": code}, content_type="application/json"
    )
    assert confirm.status_code == 201 and confirm.json()["number"] == line.number
    assert client.get(api).json() == [{"id": line.pk, "number": line.number}]
    assert client.delete(reverse("api:sims_disassociate", args=[line.pk])).status_code == 204
    assert client.get(api).json() == []
    assert client.delete(reverse("api:sims_disassociate", args=[line.pk])).status_code == 404


def test_the_api_log_is_for_managers(client, employee, company):
    SimAssociation.objects.create(user=employee, line=LineFactory(company=company))
    assert client.get(reverse("api:sim_association_log")).status_code == 403
    client.force_login(UserFactory(company=company))
    results = client.get(reverse("api:sim_association_log")).json()["results"]
    assert [r["employee_number"] for r in results] == [employee.line.number]

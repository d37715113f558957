"""'Gestione utente' and the employee's own account deletion (SPEC F-PWD-5, F-ACC-1)."""

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from selfcare.accounts.models import User
from selfcare.core.models import AuditEvent
from selfcare.customers.models import Company
from selfcare.lines.models import Line
from selfcare.notifications.models import OutboxMessage
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db(transaction=True)
ACCOUNT = reverse("accounts:account")
DELETE = reverse("accounts:account_delete")
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def browser(user):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def test_account_page_shows_the_data_and_the_links(client_as, profiles):
    page = client_as("employee").get(ACCOUNT)
    html = page.content.decode()
    assert page.status_code == 200
    assert profiles["employee"].username in html
    assert reverse("accounts:password_change") in html and DELETE in html
    manager_page = client_as("manager").get(ACCOUNT).content.decode()
    assert reverse("accounts:password_change") in manager_page and DELETE not in manager_page


def test_profile_menu_points_to_the_account_page(client_as):
    assert f'href="{ACCOUNT}"' in client_as("admin").get(reverse("portal:home")).content.decode()


def test_managers_cannot_delete_their_account(client_as):
    assert client_as("admin").post(DELETE, {"password": PASSWORD}).status_code == 403
    assert client_as("manager").get(DELETE).status_code == 403


def test_employee_deletes_his_account_line_and_company_stay():
    employee = EmployeeFactory()
    line, company, number = employee.line, employee.company, employee.line.number
    client, other = browser(employee), browser(employee)
    assert other.get(reverse("portal:home")).status_code == 200
    wrong = client.post(DELETE, {"password": "sbagliata"})
    assert wrong.status_code == 400 and "password" in wrong.context["form"].errors
    assert User.objects.filter(pk=employee.pk).exists()
    response = client.post(DELETE, {"password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "register again" in response.content.decode()
    assert not User.objects.filter(pk=employee.pk).exists()
    assert Line.objects.filter(pk=line.pk).exists() and Company.objects.filter(pk=company.pk).exists()
    assert client.get(reverse("portal:home")).status_code == 302
    assert other.get(reverse("portal:home")).status_code == 302
    event = AuditEvent.objects.get(action="account_deleted")
    assert event.object_id == str(employee.pk) and event.company_id == company.pk
    # The number can register again.
    cache.clear()
    registration = Client()
    response = registration.post(reverse("accounts:register_employee"), {"number": number, "email": "n@example.it"})
    assert response.status_code == 302
    assert OutboxMessage.objects.filter(recipient=number, channel="sms").exists()


@pytest.mark.parametrize("password", ["", "x" * 5000, "\u0430dmin"])
def test_malformed_confirmation_is_a_field_error(password):
    client = browser(EmployeeFactory())
    response = client.post(DELETE, {"password": password})
    assert response.status_code == 400 and "password" in response.context["form"].errors


def test_the_app_deletes_the_employee_account_with_the_password(client):
    from django.urls import reverse

    from selfcare.accounts.models import User
    from selfcare.lines.models import Line
    from tests.factories import EmployeeFactory

    employee = EmployeeFactory()
    client.force_login(employee)
    url = reverse("api:account_delete")
    wrong = client.post(url, {"password": "not-the-password"}, content_type="application/json")
    assert wrong.status_code == 400 and "password" in wrong.json()["error"]["fields"]
    response = client.post(url, {"password": "correct-horse-battery"}, content_type="application/json")
    assert response.status_code == 204
    assert not User.objects.filter(pk=employee.pk).exists()
    assert Line.objects.filter(pk=employee.line_id).exists()
    assert client.get(reverse("api:me")).status_code in (401, 403)

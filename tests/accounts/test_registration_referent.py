import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from selfcare.accounts.models import User
from selfcare.core.permissions import Role
from selfcare.customers.models import Heritage
from selfcare.notifications.models import OutboxMessage
from tests.factories import CompanyFactory, LineFactory

pytestmark = pytest.mark.django_db(transaction=True)
START = reverse("accounts:register_referent")
CODE = reverse("accounts:register_referent_code")


@pytest.fixture(autouse=True)
def english_and_fresh_limits(client):
    cache.clear()
    client.cookies["django_language"] = "en"


@pytest.fixture
def tre_company():
    company = CompanyFactory(
        heritage=Heritage.TRE, tre_customer_code="3B00123456", legal_rep_email="info@tre.example.it"
    )
    LineFactory(company=company, number="+393475550001")
    return company


def data(**overrides):
    values = {"customer_code": "3b00123456", "email": "INFO@tre.example.it", "mobile": "347 555 0001", "channel": "sms"}
    return {**values, **overrides}


def test_referent_gets_provisional_credentials_and_must_change_the_password(client, tre_company):
    assert client.post(START, data())["Location"] == CODE
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.get(channel="sms").body).group(1)
    response = client.post(CODE, {"code": code})
    assert response.status_code == 200
    user = User.objects.get()
    assert (user.role, user.company, user.must_change_password) == (Role.REFERENT, tre_company, True)
    mail = OutboxMessage.objects.get(purpose="referent_credentials")
    assert mail.recipient == "info@tre.example.it" and user.username in mail.body
    provisional = re.search(r"Provisional password: (\S+)", mail.body).group(1)
    assert user.check_password(provisional)


def test_code_by_email_when_chosen(client, tre_company):
    client.post(START, data(channel="email"))
    assert OutboxMessage.objects.get().recipient == "info@tre.example.it"


@pytest.mark.parametrize(
    "wrong",
    [
        {"customer_code": "3B00999999"},
        {"email": "other@tre.example.it"},
        {"mobile": "3475550002"},
    ],
)
def test_any_mismatch_looks_the_same_and_sends_nothing(client, tre_company, wrong):
    right = client.post(START, data(channel="email"))
    OutboxMessage.objects.all().delete()
    client.cookies.pop("sessionid", None)
    response = client.post(START, data(channel="email", **wrong))
    assert (response.status_code, response["Location"]) == (right.status_code, right["Location"])
    assert OutboxMessage.objects.count() == 0
    assert client.post(CODE, {"code": "123456"}).status_code == 400
    assert User.objects.count() == 0


def test_a_non_tre_company_cannot_register_a_referent(client):
    company = CompanyFactory(heritage=Heritage.WINDTRE, tre_customer_code="3B00777777")
    LineFactory(company=company, number="+393475550003")
    client.post(START, data(customer_code="3B00777777", email=company.legal_rep_email, mobile="3475550003"))
    assert OutboxMessage.objects.count() == 0


@pytest.mark.parametrize(
    "bad",
    [{"customer_code": "x" * 500}, {"customer_code": "ЗB001"}, {"mobile": "abc"}, {"channel": "fax"}, {"email": "@"}],
)
def test_bad_input_gets_field_errors(client, tre_company, bad):
    response = client.post(START, data(**bad))
    assert response.status_code == 400
    assert set(response.context["form"].errors) <= set(data())


def test_the_app_registers_a_referent(client, tre_company):
    start = reverse("api:register_referent_start")
    response = client.post(start, data(channel="email"), content_type="application/json")
    assert response.status_code == 202
    code = re.search(r"\b(\d{6})\b", OutboxMessage.objects.get().body).group(1)
    response = client.post(reverse("api:register_referent_code"), {"code": code}, content_type="application/json")
    assert response.status_code == 201
    assert User.objects.get().role == Role.REFERENT


def test_the_api_gives_field_errors(client, tre_company):
    response = client.post(
        reverse("api:register_referent_start"), data(mobile="abc", channel="fax"), content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"mobile", "channel"}

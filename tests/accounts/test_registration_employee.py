import re

import pytest
from django.contrib.auth.hashers import check_password
from django.core.cache import cache
from django.urls import reverse

from selfcare.accounts.models import User
from selfcare.catalog.models import Offer
from selfcare.core.permissions import Role
from selfcare.customers.models import Heritage
from selfcare.notifications.models import OutboxMessage
from tests.factories import EmployeeFactory, LineFactory, OfferFactory, SimFactory

pytestmark = pytest.mark.django_db(transaction=True)
START = reverse("accounts:register_employee")
CODE = reverse("accounts:register_employee_code")
SIM = reverse("accounts:register_employee_sim")
PASSWORD = reverse("accounts:register_employee_password")
GOOD_PASSWORD = "orso-bruno-in-montagna"


@pytest.fixture(autouse=True)
def english_and_fresh_limits(client):
    cache.clear()
    client.cookies["django_language"] = "en"


def last_code(recipient):
    message = OutboxMessage.objects.filter(recipient=recipient).latest("pk")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_employee_registers_with_the_sms_code(client):
    line = LineFactory(number="+393471110001")
    response = client.post(START, {"number": "347 111 0001", "email": "Mario.Rossi@Example.it"})
    assert response.status_code == 302 and response["Location"] == CODE
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.recipient == line.number
    response = client.post(CODE, {"code": last_code(line.number)})
    assert response["Location"] == PASSWORD
    response = client.post(PASSWORD, {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    user = User.objects.get()
    assert (user.username, user.role, user.line, user.company) == ("3471110001", Role.EMPLOYEE, line, line.company)
    assert user.email == "mario.rossi@example.it"
    assert client.get(reverse("portal:home")).status_code == 200  # logged in


def test_unknown_number_looks_the_same_and_sends_nothing(client):
    LineFactory(number="+393471110001")
    known = client.post(START, {"number": "3471110001", "email": "a@example.it"})
    client.cookies.pop("sessionid", None)
    unknown = client.post(START, {"number": "3479990001", "email": "a@example.it"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert OutboxMessage.objects.filter(recipient="+393479990001").count() == 0
    page = client.get(CODE)
    assert page.status_code == 200 and "If +39 347 999 0001 is a business line" in page.content.decode()
    response = client.post(CODE, {"code": "123456"})
    assert response.status_code == 400
    assert "code" in response.context["form"].errors


def test_a_line_already_registered_is_refused_clearly(client):
    employee = EmployeeFactory()
    response = client.post(START, {"number": employee.line.number, "email": "x@example.it"})
    assert response.status_code == 400
    assert "already registered" in response.context["form"].errors["number"][0]


def test_ceased_or_fixed_lines_cannot_register(client):
    ceased = LineFactory(number="+393471110002", status="ceased")
    client.post(START, {"number": ceased.number, "email": "x@example.it"})
    assert OutboxMessage.objects.count() == 0


def test_data_only_sim_proves_possession_with_the_puk_then_an_email_code(client):
    data_offer = OfferFactory(code="data-only", name="Data", kind=Offer.Kind.DATA_ONLY)
    sim = SimFactory(line=LineFactory(number="+393471110003", offer=data_offer), puk="11223344")
    response = client.post(START, {"number": sim.line.number, "email": "d@example.it"})
    assert response["Location"] == SIM
    assert OutboxMessage.objects.count() == 0  # no SMS to a data-only SIM
    response = client.post(SIM, {"secret": "99999999"})
    assert response.status_code == 400 and "secret" in response.context["form"].errors
    response = client.post(SIM, {"secret": "11223344"})
    assert response["Location"] == CODE
    response = client.post(CODE, {"code": last_code("d@example.it")})
    assert response["Location"] == PASSWORD


def test_tre_heritage_uses_the_pin_and_asks_a_security_question(client):
    data_offer = OfferFactory(code="data-only", name="Data", kind=Offer.Kind.DATA_ONLY)
    line = LineFactory(number="+393471110004", offer=data_offer)
    line.company.heritage = Heritage.TRE
    line.company.tre_customer_code = "C0000001"
    line.company.save()
    SimFactory(line=line, pin="4321", puk="11223344")
    client.post(START, {"number": line.number, "email": "t@example.it"})
    assert client.post(SIM, {"secret": "11223344"}).status_code == 400  # the PUK is not what TRE asks
    client.post(SIM, {"secret": "4321"})
    client.post(CODE, {"code": last_code("t@example.it")})
    response = client.post(PASSWORD, {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 400 and "security_question" in response.context["form"].errors
    client.post(
        PASSWORD,
        {
            "password": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
            "security_question": "Nome del primo cane",
            "security_answer": "  Fùffi ",
        },
    )
    user = User.objects.get()
    assert user.security_question == "Nome del primo cane"
    assert "uffi" not in user.security_answer_hash.lower()
    assert check_password("fuffi", user.security_answer_hash)


def test_steps_cannot_be_skipped(client):
    LineFactory(number="+393471110005")
    assert client.post(PASSWORD, {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})["Location"] == START
    client.post(START, {"number": "3471110005", "email": "s@example.it"})
    # Still at the code step: the password page sends back to the start.
    assert client.post(PASSWORD, {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})["Location"] == START
    assert User.objects.count() == 0


@pytest.mark.parametrize(
    ("number", "email"),
    [
        ("3" * 5000, "a@example.it"),
        ("347-ABC-0001", "a@example.it"),
        ("+44 7911 123456", "a@example.it"),
        ("02 1234 5678", "a@example.it"),
        ("３４７１１１０００１", "a@example.it"),
        ("3471110001", "not-an-email"),
        ("3471110001", "a" * 300 + "@example.it"),
        ("", ""),
    ],
)
def test_bad_input_gets_field_errors_not_500(client, number, email):
    response = client.post(START, {"number": number, "email": email})
    assert response.status_code == 400
    assert set(response.context["form"].errors) <= {"number", "email"}
    assert OutboxMessage.objects.count() == 0


def test_number_with_and_without_prefix_and_spaces_is_the_same_line(client):
    line = LineFactory(number="+393471110006")
    client.post(START, {"number": "  +39 347 111 0006 ", "email": "p@example.it"})
    assert OutboxMessage.objects.get().recipient == line.number


def test_weak_password_is_refused_on_the_field(client):
    line = LineFactory(number="+393471110007")
    client.post(START, {"number": line.number, "email": "w@example.it"})
    client.post(CODE, {"code": last_code(line.number)})
    response = client.post(PASSWORD, {"password": "password", "password2": "password"})
    assert response.status_code == 400 and "password" in response.context["form"].errors
    response = client.post(PASSWORD, {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"})
    assert "password2" in response.context["form"].errors
    assert User.objects.count() == 0


def test_resend_sends_a_new_code_and_is_throttled(client):
    line = LineFactory(number="+393471110008")
    client.post(START, {"number": line.number, "email": "r@example.it"})
    client.post(CODE, {"resend": "1"})
    client.post(CODE, {"resend": "1"})
    assert OutboxMessage.objects.filter(recipient=line.number).count() == 3
    client.post(CODE, {"resend": "1"})  # the fourth within minutes is refused
    assert OutboxMessage.objects.filter(recipient=line.number).count() == 3


def test_a_profile_opened_by_autologin_registers_to_get_a_password(client):
    line = LineFactory(number="+393471110009")
    autologin_profile = User.objects.create(username="3471110009", role=Role.EMPLOYEE, company=line.company, line=line)
    autologin_profile.set_unusable_password()
    autologin_profile.save()
    client.post(START, {"number": line.number, "email": "a@example.it"})
    client.post(CODE, {"code": last_code(line.number)})
    client.post(PASSWORD, {"password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    user = User.objects.get()
    assert user.pk == autologin_profile.pk and user.check_password(GOOD_PASSWORD)
    assert user.email == "a@example.it"

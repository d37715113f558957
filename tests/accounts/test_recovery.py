"""Password recovery (SPEC F-PWD-1…4): every path end to end, no enumeration, throttles, step order."""

import datetime
import re

import pytest
from allauth.usersessions.models import UserSession
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from selfcare.accounts.models import User
from selfcare.accounts.services import recovery as service
from selfcare.accounts.services.registration_employee import normalise_security_answer
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.customers.models import Heritage
from selfcare.notifications.models import OutboxMessage
from tests.factories import CompanyFactory, EmployeeFactory, LineFactory, UserFactory

WRONG_CODE = "The code is not correct, or it has expired: ask for a new one."
pytestmark = pytest.mark.django_db(transaction=True)
START = reverse("accounts:password_recovery")
QUESTION = reverse("accounts:password_recovery_question")
CODE = reverse("accounts:password_recovery_code")
PASSWORD = reverse("accounts:password_recovery_password")
LOGIN = reverse("accounts:login")
NEW_PASSWORD = "lupo-grigio-sulla-collina"
OLD_PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def english_and_fresh_limits(client):
    cache.clear()
    client.cookies["django_language"] = "en"


def last_code(recipient):
    message = OutboxMessage.objects.filter(recipient=recipient).latest("pk")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def new_password(client, password=NEW_PASSWORD, **extra):
    return client.post(PASSWORD, {"new_password": password, "new_password2": password, **extra})


def page(response) -> str:
    """The page without its CSRF tokens, which differ between any two sessions."""
    html = response.content.decode() if hasattr(response, "content") else response.decode()
    return re.sub(r'(csrfmiddlewaretoken" value="|CSRFToken": ")[^"]+', r"\1", html)


def tre_company():
    return CompanyFactory(
        heritage=Heritage.TRE, tre_customer_code=f"TRE{CompanyFactory._meta.model.objects.count():06d}"
    )


def tre_employee(answer="Fido Primo", **kwargs):
    company = tre_company()
    return EmployeeFactory(
        company=company,
        email="tre@example.it",
        security_question="Nome del primo cane?",
        security_answer_hash=make_password(normalise_security_answer(answer)),
        **kwargs,
    )


def logged_in_elsewhere(user):
    other = Client()
    other.force_login(user)
    assert other.get(reverse("portal:home")).status_code == 200
    return other


def unknown_username(takes_question: bool) -> str:
    """An unknown username whose decoy path is the one asked for (the choice is deterministic)."""
    for n in range(200):
        name = f"nessuno{n}"
        if service._decoy_takes_question(name, None) == takes_question:
            return name
    raise AssertionError("no such username")


def test_user_admin_recovers_by_sms_to_his_mobile(client):
    admin = UserFactory(role=Role.ADMIN, username="AdminRossi", mobile="+393471234567", email="a@example.it")
    other = logged_in_elsewhere(admin)
    response = client.post(START, {"username": "AdminRossi"})
    assert response.status_code == 302 and response["Location"] == CODE
    sms = OutboxMessage.objects.get()
    assert (sms.channel, sms.recipient) == ("sms", "+393471234567")
    response = client.post(CODE, {"code": last_code("+393471234567")})
    assert response["Location"] == PASSWORD
    response = new_password(client)
    assert response.status_code == 302 and response["Location"] == LOGIN
    admin.refresh_from_db()
    assert admin.check_password(NEW_PASSWORD) and not admin.check_password(OLD_PASSWORD)
    assert other.get(reverse("portal:home")).status_code == 302  # his other session ended
    assert not UserSession.objects.filter(user=admin).exists()
    assert AuditEvent.objects.filter(action="password_recovered", object_id=str(admin.pk)).exists()
    # The new password logs in; the session state of the flow is gone.
    assert client.post(LOGIN, {"login": "AdminRossi", "password": NEW_PASSWORD}).status_code == 302
    assert client.get(PASSWORD)["Location"] == START


def test_user_admin_without_mobile_gets_the_code_by_email(client):
    UserFactory(role=Role.ADMIN, username="AdminMail", mobile="", email="Admin@Example.it")
    client.post(START, {"username": "AdminMail"})
    message = OutboxMessage.objects.get()
    assert (message.channel, message.recipient) == ("email", "admin@example.it")
    assert client.post(CODE, {"code": last_code("admin@example.it")})["Location"] == PASSWORD


@pytest.mark.parametrize("typed", ["3471110001", "+393471110001", " 347 111 0001 ", "+39 347 111 0001"])
def test_employee_recovers_with_his_number_by_sms(client, typed):
    employee = EmployeeFactory(line=LineFactory(number="+393471110001"))
    response = client.post(START, {"username": typed})
    assert response["Location"] == CODE
    assert OutboxMessage.objects.get().recipient == "+393471110001"
    client.post(CODE, {"code": last_code("+393471110001")})
    assert new_password(client, "otto-car")["Location"] == LOGIN  # 8 characters are enough for employees
    employee.refresh_from_db()
    assert employee.check_password("otto-car")


def test_telco_manager_gets_the_generic_answer_and_nothing_is_sent(client):
    UserFactory(role=Role.ADMIN, username="AdminVero", mobile="+393471234567")
    UserFactory(role=Role.MANAGER, username="ManagerUno", mobile="+393477654321", email="m@example.it")
    admin = client.post(START, {"username": "AdminVero"})
    admin_page = client.get(CODE)
    cache.clear()
    client.cookies.pop("sessionid", None)
    manager = client.post(START, {"username": "ManagerUno"})
    manager_page = client.get(CODE)
    assert (manager.status_code, manager["Location"]) == (admin.status_code, admin["Location"])
    assert page(manager_page) == page(admin_page)
    assert "ask your company" in manager_page.content.decode()
    assert OutboxMessage.objects.filter(recipient__in=["+393477654321", "m@example.it"]).count() == 0
    wrong = client.post(CODE, {"code": "123456"})
    assert wrong.status_code == 400 and wrong.context["form"].errors["code"] == [
        "The code is not correct, or it has expired: ask for a new one."
    ]


def test_unknown_username_answers_like_a_known_one(client):
    UserFactory(role=Role.ADMIN, username="AdminVero", mobile="+393471234567")
    known = client.post(START, {"username": "AdminVero"})
    known_page = page(client.get(CODE))
    known_wrong = client.post(CODE, {"code": "000000"})
    cache.clear()
    client.cookies.pop("sessionid", None)
    unknown = client.post(START, {"username": unknown_username(takes_question=False)})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert page(client.get(CODE)) == known_page
    unknown_wrong = client.post(CODE, {"code": "000000"})
    assert unknown_wrong.status_code == known_wrong.status_code == 400
    assert unknown_wrong.context["form"].errors == known_wrong.context["form"].errors
    assert OutboxMessage.objects.count() == 1  # only the real admin's code


def test_unknown_number_answers_like_a_known_employee(client):
    EmployeeFactory(line=LineFactory(number="+393471110001"))
    LineFactory(number="+393471110002")  # a business line nobody registered
    known = client.post(START, {"username": "3471110001"})
    cache.clear()
    client.cookies.pop("sessionid", None)
    unknown = client.post(START, {"username": "3471110002"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"]) == (302, CODE)
    assert not OutboxMessage.objects.filter(recipient="+393471110002").exists()


def test_unknown_account_on_the_question_path_sees_a_stable_decoy_question(client):
    name = unknown_username(takes_question=True)
    assert client.post(START, {"username": name})["Location"] == QUESTION
    first = client.get(QUESTION)
    assert first.status_code == 200 and first.context["question"] in service.DECOY_QUESTIONS
    client.post(START, {"username": name})
    assert client.get(QUESTION).context["question"] == first.context["question"]
    wrong = client.post(QUESTION, {"answer": "Fido", "channel": "sms"})
    assert wrong.status_code == 400 and wrong.context["form"].errors["answer"] == ["The answer is not correct."]
    assert OutboxMessage.objects.count() == 0


def test_unregistered_tre_line_gets_a_decoy_question_like_a_tre_employee(client):
    tre = tre_employee()
    LineFactory(company=tre.company, number="+393471110009")
    known = client.post(START, {"username": tre.username})
    client.cookies.pop("sessionid", None)
    unknown = client.post(START, {"username": "3471110009"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"]) == (302, QUESTION)


def test_tre_employee_answers_the_question_gets_a_code_by_email_and_sets_a_new_question(client):
    employee = tre_employee(answer="Fido Primo")
    response = client.post(START, {"username": "+39" + employee.username})
    assert response["Location"] == QUESTION
    page = client.get(QUESTION)
    assert "Nome del primo cane?" in page.content.decode()
    assert OutboxMessage.objects.count() == 0  # nothing before the answer
    # Case, accents and spaces do not count.
    response = client.post(QUESTION, {"answer": "  fìdo   PRIMO ", "channel": "email"})
    assert response.status_code == 302 and response["Location"] == CODE
    assert OutboxMessage.objects.get().recipient == "tre@example.it"
    client.post(CODE, {"code": last_code("tre@example.it")})
    missing = new_password(client)
    assert missing.status_code == 400 and {"security_question", "security_answer"} <= set(
        missing.context["form"].errors
    )
    response = new_password(client, security_question="Città della nonna?", security_answer="Bari")
    assert response["Location"] == LOGIN
    employee.refresh_from_db()
    assert employee.check_password(NEW_PASSWORD)
    assert employee.security_question == "Città della nonna?"
    assert check_password("bari", employee.security_answer_hash)


def test_tre_employee_may_choose_sms(client):
    employee = tre_employee()
    client.post(START, {"username": employee.username})
    client.post(QUESTION, {"answer": "fido primo", "channel": "sms"})
    assert OutboxMessage.objects.get().recipient == employee.line.number


def test_tre_referent_recovers_with_his_username(client):
    company = tre_company()
    referent = UserFactory(
        company=company, role=Role.REFERENT, username="RefTre", mobile="+393475550000", email="r@example.it",
        security_question="Squadra del cuore?", security_answer_hash=make_password("inter"),
    )  # fmt: skip
    assert client.post(START, {"username": "RefTre"})["Location"] == QUESTION
    client.post(QUESTION, {"answer": "Inter", "channel": "sms"})
    client.post(CODE, {"code": last_code("+393475550000")})
    # Referents are managers: 12 characters at least.
    short = new_password(client, "undici-car1", security_question="Q?", security_answer="aa")
    assert short.status_code == 400 and "new_password" in short.context["form"].errors
    new_password(client, security_question="Q?", security_answer="aa")
    referent.refresh_from_db()
    assert referent.check_password(NEW_PASSWORD)


def test_wrong_security_answers_are_throttled_per_account(client):
    employee = tre_employee()
    client.post(START, {"username": employee.username})
    for _ in range(service.ANSWER_FAILURES):
        response = client.post(QUESTION, {"answer": "sbagliata", "channel": "sms"})
        assert response.status_code == 400
    response = client.post(QUESTION, {"answer": "fido primo", "channel": "sms"})
    assert response.status_code == 429 and "answer" in response.context["form"].errors
    assert OutboxMessage.objects.count() == 0
    # Another browser does not get new tries on the same account.
    other = Client()
    other.post(START, {"username": employee.username})
    assert other.post(QUESTION, {"answer": "fido primo", "channel": "sms"}).status_code == 429


def test_wrong_codes_show_the_field_error_and_burn_the_code(client):
    employee = EmployeeFactory(line=LineFactory(number="+393471110001"))
    client.post(START, {"username": employee.username})
    code = last_code("+393471110001")
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 400 and response.context["form"].errors["code"] == [
        "The code is not correct, or it has expired: ask for a new one."
    ]
    for _ in range(4):
        response = client.post(CODE, {"code": wrong})
    assert response.status_code == 429
    assert client.post(CODE, {"code": code}).status_code == 429  # the right code no longer works


def test_skipping_a_step_sends_back_to_the_start(client):
    employee = EmployeeFactory()
    response = new_password(client)
    assert response.status_code == 302 and response["Location"] == START
    client.post(START, {"username": employee.username})
    response = new_password(client)  # step 3 without the code
    assert response["Location"] == START
    employee.refresh_from_db()
    assert employee.check_password(OLD_PASSWORD)
    assert client.get(QUESTION)["Location"] == START  # the question step is not this flow's


def test_a_stale_step_sends_back_to_the_start(client, time_machine):
    employee = EmployeeFactory()
    client.post(START, {"username": employee.username})
    code = last_code(employee.line.number)
    time_machine.move_to(timezone.now() + service.STEP_TTL + datetime.timedelta(seconds=5))
    assert client.post(CODE, {"code": code})["Location"] == START


@pytest.mark.parametrize(
    "value",
    ["", "   ", "x" * 151, "a" * 5000, "３４７１１１０００１", "admin\x00", "<script>", "Аdmin"],
)
def test_malformed_identifiers_never_fail(client, value):
    response = client.post(START, {"username": value})
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert "username" in response.context["form"].errors


@pytest.mark.parametrize("code", ["", "12", "abcdef", "１２３４５６", "1234567" * 100])
def test_malformed_codes_are_field_errors(client, code):
    employee = EmployeeFactory()
    client.post(START, {"username": employee.username})
    response = client.post(CODE, {"code": code})
    assert response.status_code == 400 and "code" in response.context["form"].errors


def test_malformed_answers_and_channels_are_field_errors(client):
    employee = tre_employee()
    client.post(START, {"username": employee.username})
    response = client.post(QUESTION, {"answer": "x" * 1000, "channel": "pigeon"})
    assert response.status_code == 400
    assert {"answer", "channel"} <= set(response.context["form"].errors)


def test_password_rules_apply_to_the_new_password(client):
    admin = UserFactory(role=Role.ADMIN, username="AdminVero", mobile="+393471234567")
    client.post(START, {"username": "AdminVero"})
    client.post(CODE, {"code": last_code("+393471234567")})
    for weak in ("corto-pass", "password1234", "AdminVero123"):
        response = new_password(client, weak)
        assert response.status_code == 400 and "new_password" in response.context["form"].errors, weak
    admin.refresh_from_db()
    assert admin.check_password(OLD_PASSWORD)


def test_api_recovery_end_to_end_and_same_answer_for_unknown(client):
    api = "/api/v1/account/recovery/"
    EmployeeFactory(line=LineFactory(number="+393471110001"))
    known = client.post(api + "start/", {"username": "3471110001"}, content_type="application/json")
    assert known.status_code == 200 and known.json()["next"] == "code"
    code = last_code("+393471110001")
    other = Client()
    LineFactory(number="+393471110002")  # a business line nobody registered
    unknown = other.post(api + "start/", {"username": "3471110002"}, content_type="application/json")
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json())
    assert client.post(api + "code/", {"code": code}, content_type="application/json").json()["next"] == "password"
    bad = client.post(api + "password/", {"password": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "password" in bad.json()["error"]["fields"]
    done = client.post(api + "password/", {"password": NEW_PASSWORD}, content_type="application/json")
    assert done.status_code == 200 and done.json()["next"] == "done"
    assert User.objects.get(username="3471110001").check_password(NEW_PASSWORD)


def test_api_skipping_a_step_is_refused(client):
    response = client.post(
        "/api/v1/account/recovery/password/", {"password": NEW_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["error"]["code"] == "restart"


def test_login_page_links_to_recovery(client):
    assert START in client.get(LOGIN).content.decode()

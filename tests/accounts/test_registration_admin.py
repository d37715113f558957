"""User Admin registration (SPEC F-REG-1) and first access by activation link."""

import datetime
import hashlib
import re

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from stdnum.it import codicefiscale

from selfcare.accounts.models import ActivationToken, User
from selfcare.accounts.services import registration_admin
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.customers.models import Heritage
from selfcare.notifications.models import OutboxMessage
from tests.factories import CompanyFactory, UserFactory, vat_number

JSON = "application/json"
pytestmark = pytest.mark.django_db
REGISTER = reverse("accounts:register_admin")
API_REGISTER = reverse("api:register_admin")
API_ACTIVATE = reverse("api:activate")
GOOD_PASSWORD = "orso-bruno-in-montagna"
LINK = re.compile(r"http://testserver(/account/attivazione/([A-Za-z0-9_-]+)/)")


@pytest.fixture(autouse=True)
def english_and_fresh_limits(client):
    cache.clear()
    client.cookies["django_language"] = "en"


@pytest.fixture
def company(db):
    return CompanyFactory(
        legal_rep_first_name="Nicolò",
        legal_rep_last_name="De Luca",
        legal_rep_fiscal_code="DLCNCL80A01H501" + codicefiscale.calc_check_digit("DLCNCL80A01H501"),
        legal_rep_birth_date=datetime.date(1980, 1, 1),
        legal_rep_email="Nicolo.DeLuca@Example.it",
        legal_rep_mobile="+393471234567",
    )


def form_data(company, **changes):
    data = {
        "vat_number": company.vat_number,
        "first_name": company.legal_rep_first_name,
        "last_name": company.legal_rep_last_name,
        "birth_date": company.legal_rep_birth_date.isoformat(),
        "fiscal_code": company.legal_rep_fiscal_code,
        "email": company.legal_rep_email,
        "mobile": company.legal_rep_mobile,
    }
    return {**data, **changes}


def activation_link(recipient):
    message = OutboxMessage.objects.filter(recipient=recipient, channel="email").latest("pk")
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def generic_answer(client, data):
    response = client.post(REGISTER, data)
    return response.status_code, [str(e) for e in response.context["form"].non_field_errors()]


def test_matching_data_send_an_activation_link_that_works_once(client, company):
    response = client.post(REGISTER, form_data(company))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:register_admin_sent")

    admin = User.objects.get(company=company, role=Role.ADMIN)
    assert not admin.is_active and not admin.has_usable_password()
    assert admin.username.startswith("pending-")
    assert (admin.email, admin.mobile) == (company.legal_rep_email, "+393471234567")
    path, token = activation_link(company.legal_rep_email)
    stored = ActivationToken.objects.get(user=admin)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in stored.token_hash
    assert stored.expires_at - timezone.now() > datetime.timedelta(hours=47)

    assert client.get(path).status_code == 200
    response = client.post(path, {"username": "NicoloDL", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    admin.refresh_from_db()
    assert admin.is_active and admin.username == "NicoloDL" and admin.check_password(GOOD_PASSWORD)
    assert client.session[SESSION_KEY] == str(admin.pk)
    assert AuditEvent.objects.filter(action="account_activated", object_id=str(admin.pk)).exists()
    assert AuditEvent.objects.filter(action="admin_registered", company=company).exists()

    client.logout()
    client.cookies["django_language"] = "en"  # logout() clears the client's cookies
    again = client.post(path, {"username": "Other1", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert again.status_code == 400 and b"not valid" in again.content
    admin.refresh_from_db()
    assert admin.username == "NicoloDL"


def test_the_link_expires_after_48_hours(client, company):
    client.post(REGISTER, form_data(company))
    path, _token = activation_link(company.legal_rep_email)
    unknown = client.get(reverse("accounts:activate", args=["x" * 43]))
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=48, minutes=1)):
        expired = client.get(path)
        posted = client.post(path, {"username": "Nicolo1", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert expired.status_code == unknown.status_code == posted.status_code == 400
    assert expired.context["message"] == unknown.context["message"]
    assert not User.objects.get(company=company, role=Role.ADMIN).is_active


def test_names_email_mobile_and_codice_fiscale_are_compared_as_people_type_them(client, company):
    data = form_data(
        company,
        first_name="  NICOLO' ",
        last_name="de  luca",
        email="nicolo.deluca@example.IT",
        mobile="347 123 4567",
        fiscal_code=company.legal_rep_fiscal_code.lower(),
        vat_number=f"IT{company.vat_number}",
    )
    assert client.post(REGISTER, data).status_code == 302


MISMATCHES = {
    "first_name": "Nicola",
    "last_name": "De Lucas",
    "birth_date": "1980-01-02",
    "fiscal_code": "RSSMRA80A01H501U",
    "email": "altro@example.it",
    "mobile": "+393471234568",
}


@pytest.mark.parametrize("field", sorted(MISMATCHES))
def test_each_mismatched_field_gets_the_same_answer_as_an_unknown_vat_number(client, company, field):
    unknown_vat = CompanyFactory.build().vat_number
    expected = generic_answer(client, form_data(company, vat_number=unknown_vat))
    assert expected[0] == 400 and "1928" in expected[1][0]
    assert generic_answer(client, form_data(company, **{field: MISMATCHES[field]})) == expected
    assert not User.objects.filter(company=company).exists()
    assert not OutboxMessage.objects.exists()


def test_a_tre_company_and_an_inconsistent_codice_fiscale_get_the_generic_answer(client, company):
    expected = generic_answer(client, form_data(company, vat_number=CompanyFactory.build().vat_number))
    tre = CompanyFactory(heritage=Heritage.TRE, tre_customer_code="TRE0001")
    assert generic_answer(client, form_data(tre)) == expected
    # The record says born 2 January while the codice fiscale says 1 January: not the same person.
    odd = CompanyFactory(legal_rep_birth_date=datetime.date(1980, 1, 2))
    assert generic_answer(client, form_data(odd)) == expected
    assert not User.objects.exists()


def test_bad_checksums_are_field_errors(client, company):
    bad_vat = company.vat_number[:-1] + str((int(company.vat_number[-1]) + 1) % 10)
    bad_cf = company.legal_rep_fiscal_code[:-1] + ("A" if company.legal_rep_fiscal_code[-1] != "A" else "B")
    response = client.post(REGISTER, form_data(company, vat_number=bad_vat, fiscal_code=bad_cf))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"vat_number", "fiscal_code"}


@pytest.mark.parametrize(
    "changes",
    [
        {"vat_number": "1" * 5000},
        {"first_name": "M" * 5000},
        {"fiscal_code": "ＲＳＳＭＲＡ８０Ａ０１Ｈ５０１Ｕ"},
        {"mobile": "٣٤٧١٢٣٤٥٦٧"},
        {"birth_date": "31/02/1980"},
        {"birth_date": "2999-01-01"},
        {"email": "x@" + "e" * 300 + ".it"},
    ],
)
def test_odd_input_is_a_field_error_never_a_500(client, company, changes):
    response = client.post(REGISTER, form_data(company, **changes))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == set(changes)


def test_a_company_with_a_user_admin_gets_the_clear_message(client, company):
    UserFactory(company=company, role=Role.ADMIN)
    response = client.post(REGISTER, form_data(company))
    assert response.status_code == 409
    assert "already has a User Admin" in response.context["form"].non_field_errors()[0]
    assert not OutboxMessage.objects.exists()


def test_registering_again_before_activation_sends_a_new_link_and_voids_the_old(client, company):
    client.post(REGISTER, form_data(company))
    old_path, _ = activation_link(company.legal_rep_email)
    cache.clear()
    assert client.post(REGISTER, form_data(company)).status_code == 302
    new_path, _ = activation_link(company.legal_rep_email)
    assert new_path != old_path
    assert User.objects.filter(company=company, role=Role.ADMIN).count() == 1
    assert client.get(old_path).status_code == 400
    assert client.get(new_path).status_code == 200


def test_the_database_constraint_race_gets_the_clear_message(client, company, monkeypatch):
    # Another request created the User Admin after this one looked: the unique constraint stops it.
    UserFactory(company=company, role=Role.ADMIN)
    monkeypatch.setattr(User.objects, "select_for_update", lambda *a, **k: User.objects.none())
    response = client.post(REGISTER, form_data(company))
    assert response.status_code == 409
    assert "already has a User Admin" in response.context["form"].non_field_errors()[0]
    assert User.objects.filter(company=company, role=Role.ADMIN).count() == 1


def test_attempts_are_throttled_per_vat_number(client, company):
    wrong = form_data(company, first_name="Nicola")
    for _ in range(registration_admin.TRIES_PER_VAT):
        assert client.post(REGISTER, wrong).status_code == 400
    assert client.post(REGISTER, form_data(company)).status_code == 429
    assert not User.objects.exists()


def test_attempts_are_throttled_per_ip(client, company):
    for n in range(registration_admin.TRIES_PER_IP):
        assert client.post(REGISTER, form_data(company, vat_number=vat_number(900_000 + n))).status_code == 400
    assert client.post(REGISTER, form_data(company)).status_code == 429


@pytest.fixture
def link(client, company):
    client.post(REGISTER, form_data(company))
    return activation_link(company.legal_rep_email)[0]


@pytest.mark.parametrize(
    "username",
    ["abc", "a" * 31, "mario_1", "mario 1", "Mário1", "Mаrio1", "Ｍario1", "12345678", "mario\u200b1", "<b>x</b>"],
)
def test_usernames_are_4_to_30_ascii_letters_and_digits(client, link, username):
    response = client.post(link, {"username": username, "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["username"]


def test_usernames_are_case_sensitive_and_unique(client, link, company):
    UserFactory(username="mario1")
    response = client.post(link, {"username": "mario1", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 400 and list(response.context["form"].errors) == ["username"]
    response = client.post(link, {"username": "Mario1", "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302
    assert set(User.objects.filter(username__iexact="mario1").values_list("username", flat=True)) == {
        "mario1",
        "Mario1",
    }


@pytest.mark.parametrize("password", ["corto-11car", "password1234", "DeLucaNicolo"])
def test_manager_passwords_need_12_characters_and_not_common(client, link, password):
    response = client.post(link, {"username": "NicoloDL", "password": password, "password2": password})
    assert response.status_code == 400
    assert "password" in response.context["form"].errors
    assert not User.objects.get(role=Role.ADMIN).is_active


def test_api_registration_and_activation(client, company):
    unknown = client.post(
        API_REGISTER, form_data(company, vat_number=CompanyFactory.build().vat_number), content_type=JSON
    )
    mismatch = client.post(API_REGISTER, form_data(company, email="x@example.it"), content_type=JSON)
    assert unknown.status_code == mismatch.status_code == 400
    assert unknown.json() == mismatch.json() and unknown.json()["error"]["code"] == "not_matched"
    bad = client.post(API_REGISTER, form_data(company, vat_number="12345678901"), content_type=JSON)
    assert bad.status_code == 400 and "vat_number" in bad.json()["error"]["fields"]

    assert client.post(API_REGISTER, form_data(company), content_type=JSON).status_code == 202
    _path, token = activation_link(company.legal_rep_email)
    taken = client.post(API_ACTIVATE, {"token": token, "username": "ab", "password": GOOD_PASSWORD}, content_type=JSON)
    assert taken.status_code == 400 and "username" in taken.json()["error"]["fields"]
    response = client.post(
        API_ACTIVATE, {"token": token, "username": "NicoloDL", "password": GOOD_PASSWORD}, content_type=JSON
    )
    assert response.status_code == 200 and response.json() == {"username": "NicoloDL", "role": "admin"}
    assert client.get(reverse("api:me")).status_code == 200
    again = client.post(
        API_ACTIVATE, {"token": token, "username": "Nicolo2", "password": GOOD_PASSWORD}, content_type=JSON
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "link_invalid"
    cache.clear()
    second = client.post(API_REGISTER, form_data(company), content_type=JSON)
    assert second.status_code == 409 and second.json()["error"]["code"] == "admin_exists"

"""Login through allauth (SPEC F-LOG-1, DESIGN §8): exact usernames, no enumeration, throttling."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from selfcare.core.permissions import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _english(client):
    cache.clear()  # rate-limit counters live in the cache
    client.cookies["django_language"] = "en"


@pytest.fixture
def admin(company):
    return UserFactory(company=company, role=Role.ADMIN, username="demoadmin")


def log_in(client, username, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"login": username, "password": password, **extra})


def test_login_page_keeps_its_url_and_labels(client):
    response = client.get("/account/accedi/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'for="id_login">Username<' in html and 'for="id_password">Password<' in html
    assert reverse("accounts:login") == reverse("account_login") == "/account/accedi/"


def test_manager_logs_in_and_gets_a_new_session_id(client, admin):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    response = log_in(client, "demoadmin")
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.session.session_key != before
    assert client.get(reverse("portal:home")).status_code == 200


def test_next_is_honoured(client, admin):
    response = log_in(client, "demoadmin", next="/fai-da-te/")
    assert response["Location"] == "/fai-da-te/"


def test_usernames_are_case_sensitive(client, admin):
    response = log_in(client, "DemoAdmin")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_passwords_are_case_sensitive(client, admin):
    assert log_in(client, "demoadmin", PASSWORD.upper()).status_code == 200
    assert "_auth_user_id" not in client.session


def test_unknown_user_and_wrong_password_answer_the_same(client, admin):
    unknown = log_in(client, "nobody-here")
    wrong = log_in(client, "demoadmin", "wrong-password-1")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].non_field_errors() == wrong.context["form"].non_field_errors()
    assert wrong.context["form"].non_field_errors()


def test_disabled_account_is_not_logged_in(client, admin):
    admin.is_active = False
    admin.save()
    # A wrong password answers like an unknown user; only the right one learns the account is disabled.
    wrong = log_in(client, "demoadmin", "wrong-password-1")
    unknown = log_in(client, "nobody-here")
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    response = log_in(client, "demoadmin")
    assert response.status_code == 302 and response["Location"] == reverse("account_inactive")
    assert client.get(response["Location"]).status_code == 200
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_throttled_per_username(client, admin):
    for _ in range(5):
        log_in(client, "demoadmin", "wrong-password-1")
    response = log_in(client, "demoadmin")  # even the right password now waits
    assert response.status_code == 200
    assert "Too many failed login attempts" in str(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_throttled_per_address(client, company):
    for i in range(20):
        log_in(client, f"someone{i}", "wrong-password-1")
    user = UserFactory(company=company, role=Role.MANAGER)
    response = log_in(client, user.username)
    assert "Too many failed login attempts" in str(response.context["form"].non_field_errors())


def test_operator_staff_log_in_and_go_to_the_back_office(client, profiles):
    profiles["staff"].set_password(PASSWORD)
    profiles["staff"].save()
    assert log_in(client, "operator").status_code == 302
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")


def test_signup_and_password_reset_pages_are_not_exposed(client):
    for path in ("/account/signup/", "/accounts/signup/", "/account/password/reset/", "/accounts/login/"):
        assert client.get(path).status_code == 404


def test_logout_ends_the_session(client, admin):
    log_in(client, "demoadmin")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 302

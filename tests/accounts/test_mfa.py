"""Two-factor authentication for managers (SPEC F-LOG-4): TOTP asked at login, not for employees."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from selfcare.core.permissions import Role
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _english(client):
    cache.clear()
    client.cookies["django_language"] = "en"


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_login_with_totp_asks_the_code(client, company):
    admin = UserFactory(company=company, role=Role.ADMIN)
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    response = client.post(reverse("accounts:login"), {"login": admin.username, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("portal:home")).status_code == 302  # not logged in yet
    assert client.post(reverse("mfa_authenticate"), {"code": "000000"}).status_code == 200
    response = client.post(reverse("mfa_authenticate"), {"code": code_for(secret)})
    assert response.status_code == 302
    assert client.get(reverse("portal:home")).status_code == 200


def test_mfa_pages_are_not_offered_to_employees(client, company):
    client.force_login(EmployeeFactory(company=company))
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:area", args=("profilo",))


def test_managers_can_open_the_totp_setup(client, company):
    referent = UserFactory(company=company, role=Role.REFERENT)
    client.post(reverse("accounts:login"), {"login": referent.username, "password": PASSWORD})
    response = client.get(reverse("mfa_activate_totp"), follow=True)
    if response.redirect_chain and response.redirect_chain[-1][0].startswith(reverse("account_reauthenticate")):
        client.post(response.redirect_chain[-1][0], {"password": PASSWORD})
        response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200 and "totp_svg" in response.context


@override_settings(MFA_REQUIRED_FOR_ADMINS=True)
def test_admin_without_mfa_is_sent_to_the_setup_when_required(client, company):
    client.force_login(UserFactory(company=company, role=Role.ADMIN))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    manager = UserFactory(company=company, role=Role.MANAGER)
    client.force_login(manager)
    assert client.get(reverse("portal:home")).status_code == 200

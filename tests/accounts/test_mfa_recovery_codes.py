"""A manager who lost his authenticator logs in once with each recovery code."""

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache
from django.urls import reverse

from selfcare.core.permissions import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def test_a_recovery_code_logs_in_once(client, company):
    cache.clear()
    manager = UserFactory(company=company, role=Role.MANAGER)
    TOTP.activate(manager, generate_totp_secret())
    code = RecoveryCodes.activate(manager).get_unused_codes()[0]

    def login_with(second_factor):
        client.logout()
        client.post(reverse("accounts:login"), {"login": manager.username, "password": PASSWORD})
        client.post(reverse("mfa_authenticate"), {"code": second_factor})
        return client.get(reverse("portal:home")).status_code

    assert login_with(code) == 200
    assert login_with(code) == 302  # used: back to the login page

"""Session lifetime (SPEC F-LOG-3): idle and absolute timeouts, other sessions, disabled accounts."""

import time

import pytest
import time_machine
from allauth.usersessions.models import UserSession
from django.contrib.sessions.backends.cache import SessionStore as CacheSessionStore
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()


def logged_in(user, user_agent="Browser A"):
    client = Client(HTTP_USER_AGENT=user_agent)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:login"), {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:300]
    return client


def is_logged_in(client) -> bool:
    return client.get(reverse("portal:home")).status_code == 200


@pytest.mark.parametrize(
    ("role", "idle_ok", "idle_expired"),
    [(Role.MANAGER, 14 * 60, 16 * 60), (Role.ADMIN, 14 * 60, 16 * 60), (Role.EMPLOYEE, 29 * 60, 31 * 60)],
)
def test_idle_timeout_is_stricter_for_managers(company, role, idle_ok, idle_expired):
    user = EmployeeFactory(company=company) if role == Role.EMPLOYEE else UserFactory(company=company, role=role)
    with time_machine.travel(time.time(), tick=False) as clock:
        client = logged_in(user)
        clock.shift(idle_ok)
        assert is_logged_in(client)
        clock.shift(idle_expired)
        response = client.get(reverse("portal:home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        page = client.get(response["Location"])
        assert "Your session has expired" in page.content.decode()
        assert not is_logged_in(client)


@pytest.mark.parametrize(("role", "hours"), [(Role.MANAGER, 8), (Role.EMPLOYEE, 24)])
def test_absolute_timeout_even_when_active(company, role, hours):
    user = EmployeeFactory(company=company) if role == Role.EMPLOYEE else UserFactory(company=company, role=role)
    with time_machine.travel(time.time(), tick=False) as clock:
        client = logged_in(user)
        for _ in range(hours * 6 - 1):  # a request every 10 minutes
            clock.shift(600)
            assert is_logged_in(client)
        clock.shift(601)
        assert not is_logged_in(client)


@override_settings(SESSION_IDLE_SECONDS=60)
def test_timeouts_come_from_settings(company):
    user = EmployeeFactory(company=company)
    with time_machine.travel(time.time(), tick=False) as clock:
        client = logged_in(user)
        clock.shift(61)
        assert not is_logged_in(client)


def test_api_call_after_expiry_is_refused_not_redirected(company):
    user = UserFactory(company=company, role=Role.MANAGER)
    with time_machine.travel(time.time(), tick=False) as clock:
        client = logged_in(user)
        clock.shift(16 * 60)
        assert client.get(reverse("api:me")).status_code in (401, 403)


def test_log_out_my_other_sessions(company):
    user = UserFactory(company=company, role=Role.MANAGER)
    first, second = logged_in(user, "Browser A"), logged_in(user, "Browser B")
    page = first.get(reverse("usersessions_list"))
    assert page.status_code == 200 and page.context["session_count"] == 2
    assert first.post(reverse("usersessions_list")).status_code == 302
    assert is_logged_in(first)
    assert not is_logged_in(second)


def test_the_profile_menu_links_to_the_sessions_page(company):
    client = logged_in(UserFactory(company=company, role=Role.MANAGER))
    assert reverse("usersessions_list") in client.get(reverse("portal:home")).content.decode()


def test_disabling_an_account_ends_all_its_sessions(company):
    user = UserFactory(company=company, role=Role.MANAGER)
    first, second = logged_in(user, "Browser A"), logged_in(user, "Browser B")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert UserSession.objects.filter(user=user).count() == 0
    assert not is_logged_in(first) and not is_logged_in(second)
    event = AuditEvent.objects.get(action="sessions_ended")
    assert event.detail == {"reason": "account_disabled", "count": 2} and event.company == company


def test_deleting_an_account_ends_all_its_sessions(company):
    from django.contrib.sessions.models import Session

    user = EmployeeFactory(company=company)
    client = logged_in(user)
    key = client.session.session_key
    user.delete()
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.get(action="sessions_ended").detail["reason"] == "account_deleted"


@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cache")
def test_disabling_ends_cache_backed_sessions(company):
    user = UserFactory(company=company, role=Role.REFERENT)
    client = logged_in(user)
    key = client.session.session_key
    assert CacheSessionStore().exists(key)
    user.is_active = False
    user.save()
    assert not CacheSessionStore().exists(key)
    assert not is_logged_in(client)


def test_saving_an_active_user_keeps_his_sessions(company):
    user = UserFactory(company=company, role=Role.MANAGER)
    client = logged_in(user)
    user.first_name = "Mario"
    user.save()
    assert is_logged_in(client)

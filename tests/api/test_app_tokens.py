"""The app's login (SPEC F-CH-2): allauth headless "app" client, session tokens on our API."""

import time

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse

from selfcare.core.permissions import Role
from tests.factories import EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
BASE = "/api/auth/app/v1"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()  # rate-limit counters live in the cache


@pytest.fixture
def admin(company):
    return UserFactory(company=company, role=Role.ADMIN, username="DemoAdmin")


def app_client() -> Client:
    """A client that never keeps cookies between calls: the app speaks with its token only."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def app_login(username, password=PASSWORD):
    client = app_client()
    response = client.post(f"{BASE}/auth/login", {"username": username, "password": password}, "application/json")
    client.cookies.clear()
    return response


def token_of(response) -> str:
    return response.json()["meta"]["session_token"]


def api_me(token, path=None):
    client = app_client()
    return client.get(path or reverse("api:me"), HTTP_X_SESSION_TOKEN=token)


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_login_routes_are_under_api_auth():
    assert reverse("headless:app:login") == f"{BASE}/auth/login"
    assert reverse("headless:app:current_session") == f"{BASE}/auth/session"


def test_login_gives_a_session_token_that_opens_the_api(admin):
    response = app_login("DemoAdmin")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"]["user"]["username"] == "DemoAdmin"
    token = token_of(response)
    assert token
    me = api_me(token)
    assert me.status_code == 200, me.content
    assert me.json()["username"] == "DemoAdmin" and me.json()["role"] == Role.ADMIN
    assert "sessionid" not in me.cookies  # the token does not turn into a cookie


def test_the_token_builds_the_employee_scope(company):
    employee = EmployeeFactory(company=company)
    token = token_of(app_login(employee.username))
    me = api_me(token).json()
    assert me["role"] == Role.EMPLOYEE and me["current_line"] == employee.line.number


def test_no_token_or_an_unknown_token_is_refused(admin):
    assert app_client().get(reverse("api:me")).status_code in (401, 403)
    response = api_me("not-a-session-token")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "authentication_failed"


def test_wrong_password_gives_no_token(admin):
    response = app_login("DemoAdmin", "wrong-password")
    assert response.status_code in (400, 401)
    assert "session_token" not in response.json().get("meta", {})


def test_usernames_are_case_sensitive(admin):
    response = app_login("demoadmin")
    assert response.status_code in (400, 401)
    assert "session_token" not in response.json().get("meta", {})
    assert app_login("DemoAdmin").status_code == 200


@override_settings(ACCOUNT_RATE_LIMITS={"login_failed": "20/10m/ip,3/5m/key", "login": "60/m/ip"})
def test_failed_logins_are_rate_limited(admin):
    for _ in range(3):
        assert app_login("DemoAdmin", "wrong-password").status_code == 400
    response = app_login("DemoAdmin")  # even the right password, until the window passes
    assert response.status_code in (400, 429)
    assert "session_token" not in response.json().get("meta", {})


def test_logout_ends_the_token(admin):
    token = token_of(app_login("DemoAdmin"))
    assert api_me(token).status_code == 200
    response = app_client().delete(f"{BASE}/auth/session", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 401  # allauth: no longer authenticated
    assert api_me(token).status_code in (401, 403)
    assert app_client().get(f"{BASE}/auth/session", HTTP_X_SESSION_TOKEN=token).status_code == 410


def test_token_expires_with_the_session_timeouts(admin):
    with time_machine.travel(time.time(), tick=False) as clock:
        token = token_of(app_login("DemoAdmin"))
        clock.shift(14 * 60)
        assert api_me(token).status_code == 200
        clock.shift(16 * 60)  # managers: 15 minutes idle
        assert api_me(token).status_code in (401, 403)
        assert app_client().get(f"{BASE}/auth/session", HTTP_X_SESSION_TOKEN=token).status_code == 410


def test_forced_password_change_holds_for_tokens(admin):
    admin.must_change_password = True
    admin.save(update_fields=["must_change_password"])
    token = token_of(app_login("DemoAdmin"))
    response = api_me(token)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "password_change_required"


@override_settings(MFA_REQUIRED_FOR_ADMINS=True)
def test_required_mfa_holds_for_tokens(admin):
    token = token_of(app_login("DemoAdmin"))
    response = api_me(token)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "mfa_required"


def test_signup_is_closed(admin):
    client = app_client()
    config = client.get(f"{BASE}/config")
    assert config.status_code == 200
    assert config.json()["data"]["account"]["is_open_for_signup"] is False
    response = client.post(
        f"{BASE}/auth/signup", {"username": "newcomer", "password": "a-long-passphrase"}, "application/json"
    )
    assert response.status_code in (403, 404)
    login_flows = {flow["id"] for flow in client.get(f"{BASE}/auth/session").json()["data"]["flows"]}
    assert "signup" not in login_flows and "login" in login_flows
    from selfcare.accounts.models import User

    assert not User.objects.filter(username="newcomer").exists()


@pytest.mark.parametrize(
    "path",
    [
        "auth/signup",
        "auth/password/request",
        "auth/password/reset",
        "auth/email/verify",
        "auth/code/request",
        "account/password/change",
        "account/email",
        "account/phone",
        "account/authenticators/totp",
        "auth/sessions",
    ],
)
def test_recovery_and_account_flows_are_not_exposed(admin, path):
    token = token_of(app_login("DemoAdmin"))
    client = app_client()
    for method in (client.get, client.post):
        response = method(f"{BASE}/{path}", HTTP_X_SESSION_TOKEN=token)
        assert response.status_code == 404, (path, response.status_code)


def test_only_the_app_client_is_mounted():
    with pytest.raises(NoReverseMatch):
        reverse("headless:browser:login")
    assert app_client().get("/api/auth/browser/v1/config").status_code == 404


def test_manager_with_totp_completes_the_login_with_the_code(admin):
    secret = generate_totp_secret()
    TOTP.activate(admin, secret)
    response = app_login("DemoAdmin")
    assert response.status_code == 401
    body = response.json()
    pending = [flow for flow in body["data"]["flows"] if flow.get("is_pending")]
    assert [flow["id"] for flow in pending] == ["mfa_authenticate"]
    token = token_of(response)
    assert api_me(token).status_code in (401, 403)  # not logged in before the code

    client = app_client()
    url = f"{BASE}/auth/2fa/authenticate"
    wrong = client.post(url, {"code": "000000"}, "application/json", HTTP_X_SESSION_TOKEN=token)
    assert wrong.status_code == 400
    response = client.post(url, {"code": code_for(secret)}, "application/json", HTTP_X_SESSION_TOKEN=token)
    assert response.status_code == 200, response.content
    token = response.json()["meta"].get("session_token", token)
    me = api_me(token)
    assert me.status_code == 200 and me.json()["username"] == "DemoAdmin"

"""Autologin on the operator's mobile network (SPEC F-LOG-2, DESIGN §8)."""

import hashlib
import hmac
import logging
import time

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from selfcare.accounts import autologin
from selfcare.accounts.models import User
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.lines.models import Line
from tests.factories import EmployeeFactory, LineFactory, UserFactory

pytestmark = pytest.mark.django_db

NUMBER = "+393471234567"
PROXY = "10.1.2.3"
OUTSIDE = "203.0.113.9"
SECRET = "proxy-shared-secret"
trusted = override_settings(AUTOLOGIN_TRUSTED_PROXIES=["10.1.0.0/16"], AUTOLOGIN_HEADER="X-Msisdn")


@pytest.fixture(autouse=True)
def _clean_cache(client):
    cache.clear()  # rate-limit counters live in the cache
    client.cookies["django_language"] = "en"


@pytest.fixture
def line(company):
    return LineFactory(company=company, number=NUMBER)


def get_home(client, remote_addr=PROXY, path="/", **headers):
    headers.setdefault("HTTP_X_MSISDN", NUMBER)
    return client.get(path, REMOTE_ADDR=remote_addr, **headers)


def logged_in_user(response):
    user = response.wsgi_request.user
    return user if user.is_authenticated else None


def signed(number, timestamp, secret=SECRET):
    digest = hmac.new(secret.encode(), f"{number}:{timestamp}".encode(), hashlib.sha256).hexdigest()
    return {"HTTP_X_MSISDN_TIMESTAMP": str(timestamp), "HTTP_X_MSISDN_SIGNATURE": digest}


@trusted
def test_trusted_proxy_logs_in_the_line_employee_created_on_first_use(client, line):
    client.session.save()
    anonymous_key = client.session.session_key

    response = get_home(client)

    assert response.status_code == 200
    user = logged_in_user(response)
    assert user is not None
    assert (user.role, user.line_id, user.company_id) == (Role.EMPLOYEE, line.pk, line.company_id)
    assert user.username == "3471234567" and user.email == ""
    assert not user.has_usable_password()
    assert client.session.session_key != anonymous_key  # the session id was rotated
    assert "_login_at" in client.session  # the timeouts' bookkeeping ran (user_logged_in)
    assert "3471234567" in response.content.decode().replace(" ", "")
    event = AuditEvent.objects.get(action="autologin")
    assert (event.actor, event.company, event.object_id, event.ip_address) == (user, line.company, str(line.pk), PROXY)


@trusted
def test_second_visit_reuses_the_same_employee(client, line):
    first = logged_in_user(get_home(client))
    client.logout()
    client.cookies.pop(autologin.OPT_OUT_COOKIE, None)
    second = logged_in_user(get_home(client, HTTP_X_MSISDN="347 123 4567"))  # national form is accepted
    assert second is not None and second.pk == first.pk
    assert User.objects.filter(role=Role.EMPLOYEE, line=line).count() == 1
    assert AuditEvent.objects.filter(action="autologin").count() == 2


@trusted
def test_registered_employee_is_logged_in_as_himself(client, company):
    employee = EmployeeFactory(company=company, line__number=NUMBER)
    user = logged_in_user(get_home(client))
    assert user.pk == employee.pk
    assert User.objects.count() == 1


@trusted
def test_managers_mobile_yields_only_the_line_employee(client, company, line):
    manager = UserFactory(company=company, role=Role.ADMIN, username="3471234567x", mobile=NUMBER)
    user = logged_in_user(get_home(client))
    assert user is not None and user.pk != manager.pk
    assert user.role == Role.EMPLOYEE and user.line_id == line.pk


@trusted
def test_managers_mobile_without_a_business_line_logs_nobody_in(client, company, caplog):
    manager = UserFactory(company=company, role=Role.MANAGER, mobile=NUMBER)
    with caplog.at_level(logging.WARNING, logger="selfcare.accounts.autologin"):
        response = get_home(client)
    assert response.status_code == 302 and logged_in_user(response) is None
    assert not User.objects.filter(role=Role.EMPLOYEE).exists()
    assert not AuditEvent.objects.filter(action="autologin").exists()
    assert "not an active business mobile line" in caplog.text
    assert User.objects.get(pk=manager.pk).last_login is None


@trusted
def test_username_taken_by_another_account_is_refused(client, company, line, caplog):
    UserFactory(company=company, role=Role.MANAGER, username="3471234567", mobile=NUMBER)
    with caplog.at_level(logging.WARNING, logger="selfcare.accounts.autologin"):
        response = get_home(client)
    assert response.status_code == 302 and logged_in_user(response) is None
    assert not User.objects.filter(role=Role.EMPLOYEE).exists()
    assert "taken" in caplog.text


@trusted
def test_disabled_employee_is_not_logged_in(client, company):
    EmployeeFactory(company=company, line__number=NUMBER, is_active=False)
    assert logged_in_user(get_home(client)) is None


@trusted
def test_untrusted_address_is_refused_logged_and_audited(client, line, caplog):
    with caplog.at_level(logging.WARNING, logger="selfcare.accounts.autologin"):
        response = get_home(client, remote_addr=OUTSIDE)
    assert response.status_code == 302  # the home asks to log in, as for anyone
    assert logged_in_user(response) is None
    assert not User.objects.filter(role=Role.EMPLOYEE).exists()
    event = AuditEvent.objects.get(action="autologin_refused")
    assert event.detail == {"reason": "untrusted_address", "address": OUTSIDE}
    assert event.ip_address == OUTSIDE and event.actor is None
    assert "untrusted address 203.0.113.9" in caplog.text


@trusted
def test_refused_audit_rows_are_throttled_per_address(client, line):
    for _ in range(autologin.REFUSED_AUDIT_LIMIT + 10):
        get_home(client, remote_addr=OUTSIDE)
    get_home(client, remote_addr="198.51.100.7")
    refused = AuditEvent.objects.filter(action="autologin_refused")
    assert refused.filter(ip_address=OUTSIDE).count() == autologin.REFUSED_AUDIT_LIMIT
    assert refused.filter(ip_address="198.51.100.7").count() == 1


def test_no_trusted_proxies_configured_means_no_autologin(client, line):
    with override_settings(AUTOLOGIN_TRUSTED_PROXIES=[]):
        assert logged_in_user(get_home(client, remote_addr="127.0.0.1")) is None


@pytest.mark.parametrize("key", ["HTTP_X_MSISDN_", "HTTP_XMSISDN", "HTTP_X_MSISDN_NUMBER", "HTTP_MSISDN"])
@trusted
def test_variant_header_names_do_nothing_even_from_the_proxy(client, line, key):
    response = client.get("/", REMOTE_ADDR=PROXY, **{key: NUMBER})
    assert logged_in_user(response) is None
    assert not User.objects.filter(role=Role.EMPLOYEE).exists()


@trusted
def test_other_case_from_an_untrusted_address_does_nothing(client, line):
    # "x-msisdn" reaches the application under the same environ key; the address decides.
    response = client.get("/", REMOTE_ADDR=OUTSIDE, headers={"x-msisdn": NUMBER})
    assert response.wsgi_request.META.get("HTTP_X_MSISDN") == NUMBER
    assert logged_in_user(response) is None
    assert AuditEvent.objects.filter(action="autologin_refused").count() == 1


@trusted
@pytest.mark.parametrize(
    "status,kind,number",
    [
        (Line.Status.CEASED, Line.Kind.MOBILE, NUMBER),
        (Line.Status.ACTIVATING, Line.Kind.MOBILE, NUMBER),
        (Line.Status.ACTIVE, Line.Kind.FIXED, "+390212345678"),
    ],
)
def test_lines_that_cannot_autologin(client, company, status, kind, number):
    LineFactory(company=company, number=number, kind=kind, status=status)
    response = get_home(client, HTTP_X_MSISDN=number)
    assert response.status_code == 302 and logged_in_user(response) is None
    assert not User.objects.filter(role=Role.EMPLOYEE).exists()


@trusted
def test_suspended_line_still_logs_in(client, company):
    LineFactory(company=company, number=NUMBER, status=Line.Status.SUSPENDED)
    assert logged_in_user(get_home(client)) is not None


@trusted
def test_unknown_number_logs_nobody_in(client, line):
    assert logged_in_user(get_home(client, HTTP_X_MSISDN="+393479999999")) is None


@trusted
@pytest.mark.parametrize(
    "value",
    ["", "abc", "+1 202 555 0100", "3471234567; DROP TABLE", "+39" + "3" * 200, "9" * 5000, "+39\u0663471234567"],
)
def test_malformed_or_oversized_values_render_the_page(client, line, value):
    response = get_home(client, HTTP_X_MSISDN=value)
    assert response.status_code == 302 and logged_in_user(response) is None


@trusted
def test_logged_in_user_is_never_switched(client, company, line):
    manager = UserFactory(company=company, role=Role.MANAGER)
    client.force_login(manager)
    response = get_home(client)
    assert logged_in_user(response).pk == manager.pk
    assert not User.objects.filter(role=Role.EMPLOYEE).exists()
    assert not AuditEvent.objects.filter(action="autologin").exists()


@trusted
def test_post_and_api_requests_do_not_autologin(client, line):
    assert logged_in_user(client.post("/", REMOTE_ADDR=PROXY, HTTP_X_MSISDN=NUMBER)) is None
    assert logged_in_user(client.get("/api/", REMOTE_ADDR=PROXY, HTTP_X_MSISDN=NUMBER)) is None


@trusted
def test_logout_sticks_until_the_user_asks_to_log_in_directly(client, line):
    assert logged_in_user(get_home(client)) is not None
    client.post(reverse("account_logout"), REMOTE_ADDR=PROXY, HTTP_X_MSISDN=NUMBER)
    assert client.cookies[autologin.OPT_OUT_COOKIE].value == "1"

    response = get_home(client)
    assert logged_in_user(response) is None
    assert response.wsgi_request.autologin_available is True

    response = get_home(client, path="/?autologin=1")
    assert logged_in_user(response) is not None
    assert client.cookies[autologin.OPT_OUT_COOKIE].value == ""  # deleted


@trusted
def test_autologin_available_is_false_without_a_usable_header(client, line):
    client.cookies[autologin.OPT_OUT_COOKIE] = "1"
    assert get_home(client, remote_addr=OUTSIDE).wsgi_request.autologin_available is False
    assert get_home(client, HTTP_X_MSISDN="abc").wsgi_request.autologin_available is False


@override_settings(AUTOLOGIN_TRUSTED_PROXIES=["not-a-network", "10.1.2.0/24", "300.1.1.1/8"])
def test_invalid_networks_are_ignored_with_an_error(client, line, caplog):
    autologin._networks.cache_clear()
    with caplog.at_level(logging.ERROR, logger="selfcare.accounts.autologin"):
        assert logged_in_user(get_home(client)) is not None
    assert "not-a-network" in caplog.text and "300.1.1.1/8" in caplog.text
    assert autologin.address_trusted("10.1.2.200") and not autologin.address_trusted("10.1.3.1")


def test_address_trust_handles_ipv6_and_junk():
    with override_settings(AUTOLOGIN_TRUSTED_PROXIES=["10.1.0.0/16", "2001:db8::/32"]):
        assert autologin.address_trusted("2001:db8::1")
        assert autologin.address_trusted("::ffff:10.1.2.3")
        assert not autologin.address_trusted("2001:db9::1")
        assert not autologin.address_trusted("unknown")
        assert not autologin.address_trusted("")


class TestSignature:
    @pytest.fixture(autouse=True)
    def _signed_proxy(self, settings):
        settings.AUTOLOGIN_TRUSTED_PROXIES = ["10.1.0.0/16"]
        settings.AUTOLOGIN_HMAC_SECRET = SECRET

    def test_missing_signature_is_refused(self, client, line):
        assert logged_in_user(get_home(client)) is None

    def test_good_signature_is_accepted(self, client, line):
        assert logged_in_user(get_home(client, **signed(NUMBER, int(time.time())))) is not None

    def test_upper_case_hex_is_accepted(self, client, line):
        headers = signed(NUMBER, int(time.time()))
        headers["HTTP_X_MSISDN_SIGNATURE"] = headers["HTTP_X_MSISDN_SIGNATURE"].upper()
        assert logged_in_user(get_home(client, **headers)) is not None

    @pytest.mark.parametrize(
        "change",
        [
            {"secret": "another-secret"},
            {"number": "+393470000000"},
            {"timestamp_offset": -180},  # well past the 120 s window, however slow the test runs
            {"timestamp_offset": 180},
        ],
    )
    def test_bad_or_stale_signature_is_refused(self, client, line, change):
        timestamp = int(time.time()) + change.get("timestamp_offset", 0)
        headers = signed(change.get("number", NUMBER), timestamp, change.get("secret", SECRET))
        assert logged_in_user(get_home(client, **headers)) is None

    @pytest.mark.parametrize("timestamp", ["", "abc", "1e9", "-5", "9" * 40, "١٢٣"])
    def test_malformed_timestamp_is_refused(self, client, line, timestamp):
        headers = signed(NUMBER, int(time.time()))
        headers["HTTP_X_MSISDN_TIMESTAMP"] = timestamp
        response = get_home(client, **headers)
        assert response.status_code == 302 and logged_in_user(response) is None

    def test_signature_of_another_timestamp_is_refused(self, client, line):
        now = int(time.time())
        headers = signed(NUMBER, now - 10)
        headers["HTTP_X_MSISDN_TIMESTAMP"] = str(now)
        assert logged_in_user(get_home(client, **headers)) is None


@trusted
def test_an_unexpected_error_leaves_the_page_working(client, line, monkeypatch, caplog):
    def broken(number):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(autologin, "autologin_line", broken)
    with caplog.at_level(logging.ERROR, logger="selfcare.accounts.autologin"):
        response = get_home(client)
    assert response.status_code == 302 and logged_in_user(response) is None
    assert "autologin failed" in caplog.text

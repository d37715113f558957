"""Password rules per role (DESIGN §8), change of password (SPEC F-PWD-5) and the forced change."""

import pytest
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from selfcare.accounts.models import User
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.customers.models import Heritage
from tests.factories import CompanyFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGE = reverse("accounts:password_change")
OLD = "correct-horse-battery"
NEW = "lupo-grigio-sulla-collina"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


def browser(user):
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(user)
    return client


def change(client, old=OLD, new=NEW, **extra):
    return client.post(CHANGE, {"old_password": old, "new_password": new, "new_password2": new, **extra})


@pytest.mark.parametrize(
    ("role", "password", "ok"),
    [
        (Role.EMPLOYEE, "otto-car", True),
        (Role.EMPLOYEE, "sette-c", False),
        (Role.ADMIN, "undici-car1", False),
        (Role.ADMIN, "dodici-carat", True),
        (Role.MANAGER, "undici-car1", False),
        (Role.REFERENT, "undici-car1", False),
        (Role.MANAGER, "dodici-carat", True),
    ],
)
def test_minimum_length_depends_on_the_role(company, role, password, ok):
    user = EmployeeFactory(company=company) if role == Role.EMPLOYEE else UserFactory(company=company, role=role)
    if ok:
        validate_password(password, user)
    else:
        with pytest.raises(ValidationError) as exc:
            validate_password(password, user)
        assert "password_too_short" in [e.code for e in exc.value.error_list]


def test_no_composition_rules_but_common_and_similar_passwords_are_refused(company):
    user = UserFactory(company=company, role=Role.MANAGER, username="giuseppeverdi", first_name="Giuseppe")
    validate_password("tutto minuscolo senza cifre", user)  # no digits, capitals or symbols needed
    for bad in ("password1234", "giuseppeverdi1"):
        with pytest.raises(ValidationError):
            validate_password(bad, user)
    # A password whose owner is not known yet gets the stricter rule.
    with pytest.raises(ValidationError):
        validate_password("undici-car1")


def test_change_keeps_this_session_and_ends_the_others(company):
    user = EmployeeFactory(company=company)
    this, other = browser(user), browser(user)
    assert other.get(reverse("portal:home")).status_code == 200
    response = change(this)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:account")
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert this.get(reverse("portal:home")).status_code == 200
    assert this.session["_auth_user_hash"] == user.get_session_auth_hash()
    assert other.get(reverse("portal:home")).status_code == 302
    assert AuditEvent.objects.filter(action="password_changed", object_id=str(user.pk)).exists()


def test_wrong_old_password_is_a_field_error_and_is_throttled(company):
    user = UserFactory(company=company, role=Role.ADMIN)
    client = browser(user)
    for _ in range(5):
        response = change(client, old="sbagliata")
        assert response.status_code == 400 and "old_password" in response.context["form"].errors
    assert change(client).status_code == 429  # even the right one, for a while
    user.refresh_from_db()
    assert user.check_password(OLD)


@pytest.mark.parametrize("new", ["corta", "password1234", "x" * 500, OLD])
def test_weak_new_passwords_are_field_errors(company, new):
    client = browser(UserFactory(company=company, role=Role.ADMIN))
    response = change(client, new=new)
    assert response.status_code == 400 and "new_password" in response.context["form"].errors


def test_tre_heritage_also_sets_a_new_security_question(company):
    tre = CompanyFactory(heritage=Heritage.TRE, tre_customer_code="TRE000777")
    user = EmployeeFactory(company=tre)
    client = browser(user)
    response = change(client)
    assert response.status_code == 400
    assert {"security_question", "security_answer"} <= set(response.context["form"].errors)
    response = change(client, security_question="Città natale?", security_answer="  Forlì ")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.security_question == "Città natale?" and check_password("forli", user.security_answer_hash)


def test_forced_change_keeps_the_user_on_the_change_page(company):
    user = UserFactory(company=company, role=Role.REFERENT, must_change_password=True)
    client = browser(user)
    for url in (reverse("portal:home"), reverse("accounts:account"), reverse("accounts:managers")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == CHANGE, url
    assert client.get(CHANGE).status_code == 200
    assert client.get("/api/v1/me/").json()["error"]["code"] == "password_change_required"
    assert client.get("/static/vendor/VERSIONS.json").status_code in (200, 404)  # static never redirected
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 302
    response = change(client, security_question="Q?", security_answer="aa")
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get(reverse("portal:home")).status_code == 200


def test_forced_change_allows_logout(company):
    user = UserFactory(company=company, role=Role.ADMIN, must_change_password=True)
    client = browser(user)
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_api_change_password(company):
    user = UserFactory(company=company, role=Role.ADMIN)
    client = browser(user)
    url = "/api/v1/account/password/"
    bad = client.post(url, {"old_password": "no", "new_password": NEW}, content_type="application/json")
    assert bad.status_code == 400 and "old_password" in bad.json()["error"]["fields"]
    ok = client.post(url, {"old_password": OLD, "new_password": NEW}, content_type="application/json")
    assert ok.status_code == 200 and ok.json() == {"changed": True}
    assert User.objects.get(pk=user.pk).check_password(NEW)
    assert client.get("/api/v1/me/").status_code == 200  # still logged in

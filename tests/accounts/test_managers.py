"""Telco Managers (SPEC F-REG-2, F-PWD-2): created, reissued and deleted by the User Admin only."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.urls import reverse

from selfcare.accounts.models import ActivationToken, User
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.notifications.models import OutboxMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "orso-bruno-in-montagna"
LINK = re.compile(r"http://testserver(/account/attivazione/[A-Za-z0-9_-]+/)")
NEW = {"first_name": "Giulia", "last_name": "Bianchi", "email": "Giulia.Bianchi@Example.it", "mobile": "348 765 4321"}


@pytest.fixture(autouse=True)
def english_and_fresh_limits(client):
    cache.clear()
    client.cookies["django_language"] = "en"


@pytest.fixture
def foreign_manager(other_company):
    return UserFactory(company=other_company, role=Role.MANAGER, first_name="Estraneo")


def last_link(recipient):
    message = OutboxMessage.objects.filter(recipient=recipient, channel="email").latest("pk")
    return LINK.search(message.body).group(1)


def activate(client, path, username):
    return client.post(path, {"username": username, "password": GOOD_PASSWORD, "password2": GOOD_PASSWORD})


def test_the_user_admin_lists_only_his_company_managers(client_as, profiles, foreign_manager):
    profiles["manager"].first_name = "Paolo"
    profiles["manager"].save()
    response = client_as("admin").get(reverse("accounts:managers"))
    assert response.status_code == 200
    assert b"Paolo" in response.content and b"Estraneo" not in response.content
    assert b'href="/account/manager/"' in client_as("admin").get(reverse("portal:home")).content
    assert b'href="/account/manager/"' not in client_as("manager").get(reverse("portal:home")).content


@pytest.mark.parametrize("profile", ["manager", "referent", "employee"])
def test_only_the_user_admin_manages_managers(client_as, profiles, profile):
    client = client_as(profile)
    target = profiles["manager"].pk
    assert client.get(reverse("accounts:managers")).status_code == 403
    assert client.post(reverse("accounts:manager_create"), NEW).status_code == 403
    assert client.post(reverse("accounts:manager_reissue", args=[target])).status_code == 403
    assert client.post(reverse("accounts:manager_delete", args=[target])).status_code == 403
    assert client.get(reverse("api:managers")).status_code == 403
    assert client.post(reverse("api:managers"), NEW).status_code == 403
    assert client.post(reverse("api:manager_reissue", args=[target])).status_code == 403
    assert client.delete(reverse("api:manager_detail", args=[target])).status_code == 403
    assert User.objects.filter(pk=target).exists() and not OutboxMessage.objects.exists()


def test_another_company_manager_is_not_found(client_as, foreign_manager):
    client = client_as("admin")
    for name in ("accounts:manager_reissue", "accounts:manager_delete"):
        assert client.get(reverse(name, args=[foreign_manager.pk])).status_code == 404
        assert client.post(reverse(name, args=[foreign_manager.pk])).status_code == 404
    assert client.post(reverse("api:manager_reissue", args=[foreign_manager.pk])).status_code == 404
    assert client.delete(reverse("api:manager_detail", args=[foreign_manager.pk])).status_code == 404
    # The User Admin himself is not a Telco Manager: he cannot delete himself here either.
    admin_pk = client.session[SESSION_KEY]
    assert client.post(reverse("accounts:manager_delete", args=[admin_pk])).status_code == 404
    foreign_manager.refresh_from_db()
    assert foreign_manager.has_usable_password()


def test_a_created_manager_activates_his_access(client_as, company, profiles):
    client = client_as("admin")
    response = client.post(reverse("accounts:manager_create"), NEW)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:managers")
    manager = User.objects.get(email="giulia.bianchi@example.it")
    assert (manager.role, manager.company, manager.mobile) == (Role.MANAGER, company, "+393487654321")
    assert not manager.is_active and not manager.has_usable_password()
    assert AuditEvent.objects.filter(action="manager_created", actor=profiles["admin"]).exists()

    path = last_link("giulia.bianchi@example.it")
    client.logout()
    assert activate(client, path, "GiuliaB").status_code == 302
    manager.refresh_from_db()
    assert manager.is_active and manager.username == "GiuliaB"
    assert client.session[SESSION_KEY] == str(manager.pk)
    # A Telco Manager cannot create managers.
    assert client.post(reverse("accounts:manager_create"), NEW).status_code == 403


def test_create_form_errors_are_on_their_fields(client_as):
    response = client_as("admin").post(
        reverse("accounts:manager_create"), {**NEW, "mobile": "06 1234567", "email": "x"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"mobile", "email"}
    assert not User.objects.filter(first_name="Giulia").exists()


def test_reissue_voids_the_old_link_password_and_sessions(client, client_as, profiles):
    manager = profiles["manager"]
    manager.email = "paolo@example.it"
    manager.save()
    manager_client = client.__class__()
    manager_client.force_login(manager)
    assert manager_client.get(reverse("portal:home")).status_code == 200

    admin = client_as("admin")
    assert admin.get(reverse("accounts:manager_reissue", args=[manager.pk])).status_code == 200
    assert admin.post(reverse("accounts:manager_reissue", args=[manager.pk])).status_code == 302
    first = last_link("paolo@example.it")
    admin.post(reverse("accounts:manager_reissue", args=[manager.pk]))
    second = last_link("paolo@example.it")
    assert first != second

    manager.refresh_from_db()
    assert not manager.has_usable_password() and not manager.is_active
    assert ActivationToken.objects.filter(user=manager, used_at__isnull=True).count() == 1
    home = manager_client.get(reverse("portal:home"))
    assert home.status_code == 302 and "/account/" in home["Location"]
    assert AuditEvent.objects.filter(action="manager_access_reissued", object_id=str(manager.pk)).count() == 2

    anonymous = client.__class__()
    anonymous.cookies["django_language"] = "en"
    assert anonymous.get(first).status_code == 400
    assert activate(anonymous, second, manager.username).status_code == 302  # he may keep his username
    manager.refresh_from_db()
    assert manager.is_active and manager.check_password(GOOD_PASSWORD)


def test_delete_asks_for_confirmation_then_deletes(client_as, profiles):
    manager = profiles["manager"]
    client = client_as("admin")
    url = reverse("accounts:manager_delete", args=[manager.pk])
    assert client.get(url).status_code == 200
    assert User.objects.filter(pk=manager.pk).exists()
    assert client.post(url).status_code == 302
    assert not User.objects.filter(pk=manager.pk).exists()
    event = AuditEvent.objects.get(action="manager_deleted")
    assert event.object_id == str(manager.pk) and event.actor == profiles["admin"]


def test_managers_api(client_as, profiles, foreign_manager):
    client = client_as("admin")
    listed = client.get(reverse("api:managers"))
    assert listed.status_code == 200
    assert [m["id"] for m in listed.json()] == [profiles["manager"].pk]

    bad = client.post(reverse("api:managers"), {**NEW, "mobile": "12"}, content_type="application/json")
    assert bad.status_code == 400 and "mobile" in bad.json()["error"]["fields"]
    created = client.post(reverse("api:managers"), NEW, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["active"] is False and body["username"] is None and body["mobile"] == "+393487654321"
    assert OutboxMessage.objects.filter(recipient="giulia.bianchi@example.it").count() == 1

    reissued = client.post(reverse("api:manager_reissue", args=[body["id"]]))
    assert reissued.status_code == 200
    assert OutboxMessage.objects.filter(recipient="giulia.bianchi@example.it").count() == 2
    assert client.delete(reverse("api:manager_detail", args=[body["id"]])).status_code == 204
    assert not User.objects.filter(pk=body["id"]).exists()


def test_the_endpoints_are_in_the_openapi_schema(client):
    schema = client.get(reverse("api:schema")).content.decode()
    for path in (
        "/api/v1/account/managers/",
        "/api/v1/account/managers/{manager_id}/reissue/",
        "/api/v1/account/registration/admin/",
        "/api/v1/account/activation/",
    ):
        assert path in schema

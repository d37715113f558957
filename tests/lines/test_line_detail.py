"""A line's page (SPEC F-PRD-2): scope, content, and PIN/PUK revealed only to the allowed profiles, audited."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from selfcare.accounts.models import SimAssociation
from selfcare.core.models import AuditEvent
from selfcare.lines.models import Device, Sim
from selfcare.lines.services import REVEALS_PER_HOUR
from selfcare.topups.models import Topup
from tests.factories import EmployeeFactory, LineFactory, SimFactory, fleet

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_manager_sees_every_part_of_a_line(client_as, company):
    line = fleet(company, 1)[0]
    Device.objects.create(
        company=company, line=line, kind="router", model="Router FTTH X1", device_id="RT900000009",
        account_name=company.name, purchased_on=datetime.date(2026, 1, 10),
    )  # fmt: skip
    Topup.objects.create(line=line, amount=Decimal("10.00"), channel="online", method="card", created_at=timezone.now())
    response = client_as("manager").get(reverse("lines:detail", args=[line.pk]))
    html = response.content.decode()
    detail = response.context["detail"]
    assert response.status_code == 200
    assert [c.kind for c in detail.counters] == ["data_mb", "voice_min"]
    assert [o.option.code for o in detail.options] == ["giga-extra"]
    assert detail.sim.iccid in html and "Router FTTH X1" in html
    assert len(detail.topups) == 1
    assert "1234" not in html.replace(detail.sim.iccid, "")  # the PIN is not on the page until asked for
    assert detail.can_reveal


def test_employee_sees_his_and_associated_lines_only(client_as, profiles, company, other_company):
    employee = profiles["employee"]
    associated = LineFactory(company=company)
    colleague = LineFactory(company=company)
    foreign = LineFactory(company=other_company)
    SimAssociation.objects.create(user=employee, line=associated)
    client = client_as("employee")
    assert client.get(reverse("lines:detail", args=[employee.line.pk])).status_code == 200
    assert client.get(reverse("lines:detail", args=[associated.pk])).status_code == 200
    assert client.get(reverse("lines:detail", args=[colleague.pk])).status_code == 404
    assert client.get(reverse("lines:detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("api:line", args=[colleague.pk])).status_code == 404


@pytest.mark.parametrize("profile", ["admin", "manager", "referent", "employee"])
def test_pin_and_puk_revealed_and_audited(client_as, profiles, company, profile):
    line = profiles["employee"].line
    sim = SimFactory(line=line, pin="4321", puk="87654321")
    response = client_as(profile).post(reverse("lines:reveal_secrets", args=[line.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "4321" in html and "87654321" in html and "<html" not in html
    event = AuditEvent.objects.get(action="sim_secrets_revealed")
    assert event.actor == profiles[profile]
    assert event.company == company and event.object_id == str(sim.pk)
    assert event.detail["iccid"] == sim.iccid
    assert event.created_at is not None


def test_reveal_without_htmx_renders_the_page_with_the_codes(client_as, profiles):
    line = profiles["employee"].line
    SimFactory(line=line, pin="4321", puk="87654321")
    response = client_as("manager").post(reverse("lines:reveal_secrets", args=[line.pk]))
    assert response.status_code == 200 and "87654321" in response.content.decode()
    assert "<html" in response.content.decode()


def test_reveal_refused_outside_the_scope_and_nothing_audited(client_as, profiles, company, other_company):
    colleague = LineFactory(company=company)
    SimFactory(line=colleague)
    foreign = LineFactory(company=other_company)
    SimFactory(line=foreign)
    assert client_as("employee").post(reverse("lines:reveal_secrets", args=[colleague.pk])).status_code == 404
    assert client_as("manager").post(reverse("lines:reveal_secrets", args=[foreign.pk])).status_code == 404
    assert client_as("manager").post(reverse("api:line_secrets", args=[foreign.pk])).status_code == 404
    assert client_as("anonymous").post(reverse("api:line_secrets", args=[colleague.pk])).status_code == 401
    assert client_as("staff").post(reverse("lines:reveal_secrets", args=[colleague.pk])).status_code == 302
    assert not AuditEvent.objects.filter(action="sim_secrets_revealed").exists()


def test_reveal_needs_post(client_as, profiles):
    line = profiles["employee"].line
    SimFactory(line=line)
    assert client_as("manager").get(reverse("lines:reveal_secrets", args=[line.pk])).status_code == 405
    assert not AuditEvent.objects.exists()


def test_api_reveal_returns_the_codes_and_audits(client_as, profiles):
    line = profiles["employee"].line
    sim = SimFactory(line=line, pin="1111", puk="22223333")
    data = client_as("employee").post(reverse("api:line_secrets", args=[line.pk])).json()
    assert data == {"iccid": sim.iccid, "pin": "1111", "puk": "22223333"}
    assert AuditEvent.objects.filter(action="sim_secrets_revealed", actor=profiles["employee"]).count() == 1


def test_a_line_without_sim_has_nothing_to_reveal(client_as, profiles):
    line = profiles["employee"].line
    Sim.objects.filter(line=line).delete()
    assert client_as("manager").post(reverse("api:line_secrets", args=[line.pk])).status_code == 404
    assert not client_as("manager").get(reverse("lines:detail", args=[line.pk])).context["detail"].can_reveal


def test_reveals_are_rate_limited(client_as, profiles):
    line = profiles["employee"].line
    SimFactory(line=line)
    client = client_as("manager")
    url = reverse("api:line_secrets", args=[line.pk])
    for _ in range(REVEALS_PER_HOUR):
        assert client.post(url).status_code == 200
    refused = client.post(url)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "rate_limited"
    page = client.post(reverse("lines:reveal_secrets", args=[line.pk]), HTTP_HX_REQUEST="true")
    assert "PIN" in page.content.decode() and "87654321" not in page.content.decode()
    assert AuditEvent.objects.filter(action="sim_secrets_revealed").count() == REVEALS_PER_HOUR


def test_api_line_detail(client_as, company):
    line = fleet(company, 1)[0]
    data = client_as("manager").get(reverse("api:line", args=[line.pk])).json()
    assert data["number"] == line.number
    assert data["sim"]["iccid"].startswith("8939")
    assert "pin" not in data["sim"] and data["can_reveal_secrets"] is True
    assert [c["kind"] for c in data["counters"]] == ["data_mb", "voice_min"]


def test_employee_products_area_opens_his_line(client_as, profiles):
    response = client_as("employee").get(reverse("portal:area", args=["prodotti"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("lines:detail", args=[profiles["employee"].line.pk])


def test_employee_sim_with_colleague_in_same_company_is_not_visible_in_list(client, company):
    employee = EmployeeFactory(company=company)
    client.force_login(employee)
    assert client.get(reverse("api:lines")).status_code == 403


def test_an_option_counter_is_named_after_its_option(client_as, company):
    line = fleet(company, 1)[0]
    today = timezone.localdate()
    from selfcare.lines.models import Counter

    Counter.objects.create(
        line=line, kind="data_mb", bucket="giga-extra", period_start=today.replace(day=1),
        period_end=today + datetime.timedelta(days=5), used=10, allowance=1024,
    )  # fmt: skip
    html = client_as("manager").get(reverse("lines:detail", args=[line.pk])).content.decode()
    assert "Internet · Giga Extra" in html

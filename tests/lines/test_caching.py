"""Cached pages never show data older than the last change: every write gives a new cache key."""

import pytest
from django.urls import reverse

from selfcare.accounts.models import SimAssociation
from selfcare.accounts.services.sim_association import sim_disassociate
from selfcare.billing.models import Invoice
from selfcare.core.scope import build_scope
from selfcare.lines.models import ActiveOption, Counter, Line
from selfcare.notifications.models import Notification
from tests.factories import LineFactory, fleet
from tests.portal.test_homes import make_invoice

pytestmark = pytest.mark.django_db


def test_employee_home_shows_a_counter_change_at_once(client_as, profiles, company):
    line = profiles["employee"].line
    counter = Counter.objects.create(
        line=line, kind="sms", period_start="2000-01-01", period_end="2999-01-01", used=5, allowance=100
    )
    client = client_as("employee")
    assert client.get(reverse("portal:home")).context["home"].counters[0].used == 5
    counter.used = 77
    counter.save()
    response = client.get(reverse("portal:home"))
    assert response.context["home"].counters[0].used == 77
    assert "77 SMS" in response.content.decode()


def test_employee_home_shows_an_option_removed_at_once(client_as, profiles, company):
    line = profiles["employee"].line
    fleet(company, 1)  # creates the option in the catalogue
    option = ActiveOption.objects.filter(line__company=company).first().option
    active = ActiveOption.objects.create(line=line, option=option, activated_at="2026-01-01T00:00:00Z")
    client = client_as("employee")
    assert len(client.get(reverse("portal:home")).context["home"].options) == 1
    active.delete()
    assert client.get(reverse("portal:home")).context["home"].options == []


def test_manager_home_shows_a_new_invoice_and_line_at_once(client_as, company):
    client = client_as("manager")
    before = client.get(reverse("portal:home")).context["home"]
    make_invoice(company, 1, Invoice.Status.OVERDUE)
    LineFactory(company=company)
    after = client.get(reverse("portal:home")).context["home"]
    assert (after.unpaid_count, after.overdue_count) == (before.unpaid_count + 1, before.overdue_count + 1)
    assert after.lines_total == before.lines_total + 1


def test_line_list_and_detail_show_changes_at_once(client_as, company):
    lines = fleet(company, 3)
    client = client_as("manager")
    assert client.get(reverse("lines:mobile")).context["result"].total == 4  # with the employee's line
    LineFactory(company=company)
    assert client.get(reverse("lines:mobile")).context["result"].total == 5
    line = Line.objects.get(pk=lines[0].pk)
    assert client.get(reverse("lines:detail", args=[line.pk])).context["detail"].line.status == "active"
    line.status = Line.Status.SUSPENDED
    line.save()
    page = client.get(reverse("lines:detail", args=[line.pk]))
    assert page.context["detail"].line.status == "suspended"
    status = client.get(reverse("lines:mobile"), {"status": "suspended"})
    assert [row.number for row in status.context["result"].page.rows] == [line.number]


def test_disassociated_line_is_out_of_scope_at_once(client_as, profiles, company):
    employee = profiles["employee"]
    other = LineFactory(company=company)
    SimAssociation.objects.create(user=employee, line=other)
    client = client_as("employee")
    assert client.get(reverse("lines:detail", args=[other.pk])).status_code == 200
    sim_disassociate(scope=build_scope(employee, {}), user=employee, line_id=other.pk)
    assert client.get(reverse("lines:detail", args=[other.pk])).status_code == 404
    assert other.pk not in build_scope(employee, {}).line_ids


def test_bell_count_follows_new_and_read_notifications(client_as, profiles):
    client = client_as("manager")
    assert client.get(reverse("api:home")).json()["unread_notifications"] == 0
    note = Notification.objects.create(user=profiles["manager"], title="Fattura emessa")
    assert client.get(reverse("api:home")).json()["unread_notifications"] == 1
    note.read_at = note.created_at
    note.save()
    assert client.get(reverse("api:home")).json()["unread_notifications"] == 0


def test_line_list_served_from_its_rendered_table_reads_no_rows(client_as, company):
    fleet(company, 3)
    client = client_as("manager")
    first = client.get(reverse("lines:mobile"), {"status": "active"})
    assert first.context["result"].total == 4
    again = client.get(reverse("lines:mobile"), {"status": "active"})
    # Form and table come from the cache: neither the rows nor the filter choices were read.
    assert "_data" not in again.context["result"].__dict__
    assert again.content.count(b'class="line-number"') == 4


def test_employee_home_served_from_its_rendered_parts_reads_no_data(client_as, profiles):
    client = client_as("employee")
    first = client.get(reverse("portal:home"))
    again = client.get(reverse("portal:home"))
    assert "_data" not in again.context["home"].__dict__
    assert profiles["employee"].line.display_number in again.content.decode()
    assert again.content.count(b'class="card') == first.content.count(b'class="card')

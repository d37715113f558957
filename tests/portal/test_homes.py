import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from selfcare.accounts.models import SimAssociation
from selfcare.billing.models import Invoice
from selfcare.lines.models import Counter, FixedActivation, Line
from tests.factories import EmployeeFactory, LineFactory, UserFactory

pytestmark = pytest.mark.django_db


def make_invoice(company, seq, status, total="122.00"):
    total = Decimal(total)
    taxable = (total / Decimal("1.22")).quantize(Decimal("0.01"))
    return Invoice.objects.create(
        company=company,
        year=2026,
        sequence=seq,
        number=f"2026/{seq:07d}",
        issued_on=datetime.date(2026, 10, 1),
        due_on=datetime.date(2026, 10, 31),
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 9, 30),
        taxable_amount=taxable,
        vat_amount=total - taxable,
        total_amount=total,
        status=status,
    )


def test_employee_home_shows_his_current_line_and_counters(client, company, other_company):
    employee = EmployeeFactory(company=company)
    today = timezone.localdate()
    Counter.objects.create(
        line=employee.line,
        kind="data_mb",
        period_start=today.replace(day=1),
        period_end=today.replace(day=1) + datetime.timedelta(days=32),
        used=41_000,
        allowance=51_200,
    )
    client.force_login(employee)
    html = client.get(reverse("portal:home")).content.decode()
    assert employee.line.display_number in html
    assert 'aria-valuenow="80"' in html  # 41,000 of 51,200 MB


def test_employee_switcher_lists_exactly_his_lines(client, company, other_company):
    employee = EmployeeFactory(company=company)
    associated = LineFactory(company=company)
    stranger = LineFactory(company=company)
    foreign = LineFactory(company=other_company)
    SimAssociation.objects.create(user=employee, line=associated)
    client.force_login(employee)
    html = client.get(reverse("portal:home")).content.decode()
    assert associated.display_number in html
    assert stranger.display_number not in html
    assert foreign.display_number not in html


def test_manager_home_counts_only_his_company(client, company, other_company):
    for _ in range(3):
        LineFactory(company=company)
    activating = LineFactory(company=company, kind=Line.Kind.FIXED, number="+390298765432", status="activating")
    FixedActivation.objects.create(
        line=activating, requested_on=datetime.date(2026, 11, 1), expected_on=datetime.date(2026, 11, 30)
    )
    for _ in range(5):
        LineFactory(company=other_company)
    make_invoice(company, 1, Invoice.Status.OVERDUE, "61.00")
    make_invoice(company, 2, Invoice.Status.TO_PAY)
    make_invoice(company, 3, Invoice.Status.PAID)
    make_invoice(other_company, 4, Invoice.Status.OVERDUE)
    client.force_login(UserFactory(company=company))
    home = client.get(reverse("portal:home")).context["home"]
    assert home.lines_total == 4
    assert home.lines_by_kind == {"mobile": {"active": 3}, "fixed": {"activating": 1}}
    assert (home.unpaid_count, home.overdue_count, home.unpaid_amount) == (2, 1, Decimal("183.00"))
    assert home.activating_count == 1 and [line.pk for line in home.activating] == [activating.pk]


def test_empty_company_home_says_so(client, company):
    client.force_login(UserFactory(company=company))
    response = client.get(reverse("portal:home"))
    assert response.context["home"].lines_total == 0
    assert "non ha ancora linee" in response.content.decode()


def test_home_query_counts_do_not_grow_with_lines(client, company):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    employee = EmployeeFactory(company=company)
    for _ in range(2):
        SimAssociation.objects.create(user=employee, line=LineFactory(company=company))
    manager = UserFactory(company=company)

    def queries(user):
        client.force_login(user)
        client.get(reverse("portal:home"))  # fills the cached scope and bell count
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("portal:home")).status_code == 200
        return len(captured)

    small = (queries(manager), queries(employee))
    for _ in range(40):
        LineFactory(company=company)
    assert (queries(manager), queries(employee)) == small


def test_api_me_for_an_employee(client, company):
    employee = EmployeeFactory(company=company)
    other = LineFactory(company=company)
    SimAssociation.objects.create(user=employee, line=other)
    client.force_login(employee)
    data = client.get(reverse("api:me")).json()
    assert data == {
        "username": employee.username,
        "role": "employee",
        "company": company.name,
        "current_line": employee.line.number,
        "lines": [employee.line.number, other.number],
    }


def test_api_errors_have_one_shape(client):
    response = client.get(reverse("api:me"))
    assert response.status_code == 401  # anonymous: authenticate first
    assert "X-Session-Token" in response["WWW-Authenticate"]
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_openapi_schema_lists_the_endpoints(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/v1/me/" in response.content.decode()


def test_employee_switches_to_an_associated_line_but_not_to_others(client, company, other_company):
    employee = EmployeeFactory(company=company)
    associated = LineFactory(company=company)
    stranger = LineFactory(company=company)
    SimAssociation.objects.create(user=employee, line=associated)
    client.force_login(employee)
    url = reverse("portal:switch_line")
    assert client.post(url, {"line": stranger.pk}).status_code == 404
    assert client.post(url, {"line": "x' OR 1=1"}).status_code == 400
    response = client.post(url, {"line": associated.pk, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).context["home"].line == associated


def test_the_line_switcher_is_on_every_page_of_an_employee_with_associated_lines(client, company):
    employee = EmployeeFactory(company=company)
    client.force_login(employee)
    page = client.get(reverse("portal:area", args=["traffico"])).content.decode()
    assert reverse("portal:switch_line") not in page  # one line only: nothing to switch
    associated = LineFactory(company=company)
    SimAssociation.objects.create(user=employee, line=associated)
    page = client.get(reverse("portal:area", args=["traffico"])).content.decode()
    assert reverse("portal:switch_line") in page
    assert employee.line.display_number in page and associated.display_number in page


def test_manager_home_spend_by_month_and_lines_near_allowance(client, company, other_company):
    from tests.factories import fleet

    today = timezone.localdate()
    this_month = today.replace(day=1)
    two_ago = (this_month - datetime.timedelta(days=40)).replace(day=1)
    for seq, (issued, total) in enumerate([(this_month, "122.00"), (two_ago, "61.00"), (two_ago, "12.20")], start=1):
        invoice = make_invoice(company, seq, Invoice.Status.PAID, total)
        Invoice.objects.filter(pk=invoice.pk).update(issued_on=issued, due_on=issued + datetime.timedelta(days=30))
    foreign = make_invoice(other_company, 9, Invoice.Status.PAID, "999.00")
    Invoice.objects.filter(pk=foreign.pk).update(issued_on=this_month, due_on=this_month + datetime.timedelta(days=30))
    lines = fleet(company, 30)
    fleet(other_company, 5, first=100)
    client.force_login(UserFactory(company=company))
    response = client.get(reverse("portal:home"))
    home = response.context["home"]
    assert len(home.spend) == 7 and home.spend[-1].month == this_month
    assert home.spend_this_month == Decimal("122.00")
    assert home.spend[-3].amount == Decimal("73.20") and home.spend[-2].amount == 0
    # fleet() sets line i's data counter at (i * 37 % 100)% of its allowance.
    assert home.near_allowance_count == sum(1 for i in range(30) if i * 37 % 100 >= 80)
    expected_top = sorted(range(30), key=lambda i: (-(i * 37 % 100), lines[i].number))[:5]
    assert [c.line_id for c in home.top_usage] == [lines[i].pk for i in expected_top]
    assert response.context["spend_chart"]["amounts"][-1] == 122.0
    api = client.get(reverse("api:home")).json()
    assert api["profile"] == "manager" and api["spend"][-1]["amount"] == "122.00"
    assert api["near_allowance_count"] == home.near_allowance_count
    assert [t["line_id"] for t in api["top_usage"]] == [c.line_id for c in home.top_usage]


def test_api_home_for_an_employee_is_his_current_line(client, company):
    from selfcare.notifications.models import Notification

    employee = EmployeeFactory(company=company)
    Notification.objects.create(user=employee, title="Soglia dati 80%")
    Notification.objects.create(user=employee, title="Letta", read_at=timezone.now())
    client.force_login(employee)
    data = client.get(reverse("api:home")).json()
    assert data["profile"] == "employee" and data["number"] == employee.line.number
    assert data["unread_notifications"] == 1
    html = client.get(reverse("portal:home")).content.decode()
    assert "1 non letta" in html or "1 unread" in html


def test_employee_home_links_coverage_and_line_detail(client, company):
    employee = EmployeeFactory(company=company)
    client.force_login(employee)
    html = client.get(reverse("portal:home")).content.decode()
    assert reverse("lines:detail", args=[employee.line.pk]) in html
    assert "copertura" in html


def test_products_area_lists_its_pages_for_managers(client, company):
    client.force_login(UserFactory(company=company))
    html = client.get(reverse("portal:area", args=["prodotti"])).content.decode()
    for name in ("lines:mobile", "lines:fixed", "lines:pools", "lines:devices"):
        assert reverse(name) in html
    assert "non è ancora disponibile" not in html and "non sono ancora disponibili" not in html

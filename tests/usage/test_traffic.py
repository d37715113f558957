"""Traffico pages and API: periods of the Rome calendar, totals by type, records, the export range."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfcare.accounts.models import SimAssociation
from selfcare.core.permissions import Role
from selfcare.usage.models import DailyUsage
from selfcare.usage.records import Record
from selfcare.usage.selectors import period_days, traffic_records
from selfcare.usage.services import records_store
from tests.factories import EmployeeFactory, LineFactory, UserFactory

from .conftest import MB, ROME

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("period", "today", "first"),
    [
        ("today", datetime.date(2026, 3, 29), datetime.date(2026, 3, 29)),
        ("week", datetime.date(2026, 3, 29), datetime.date(2026, 3, 23)),  # Sunday → Monday before
        ("week", datetime.date(2026, 3, 23), datetime.date(2026, 3, 23)),
        ("month", datetime.date(2026, 3, 29), datetime.date(2026, 3, 1)),
        ("3months", datetime.date(2026, 1, 15), datetime.date(2025, 11, 1)),
    ],
)
def test_periods_follow_the_calendar(period, today, first):
    assert period_days(period, today) == (first, today + datetime.timedelta(days=1))


def _record(line, rid, when, category="sms", **kw):
    f = {"direction": "out", "other_party": "", "duration_seconds": 0, "volume_bytes": 0, "roaming_zone": ""} | kw
    cost = Decimal(kw.get("cost", 0))
    return Record(line.pk, rid, when, category, f["direction"], f["other_party"], f["duration_seconds"],
                  f["volume_bytes"], f["roaming_zone"], cost)  # fmt: skip


def test_records_of_today_start_at_rome_midnight(line):
    # 29 March 2026 is the day summer time starts in Rome: 23 hours long.
    day = datetime.date(2026, 3, 29)
    midnight = datetime.datetime(2026, 3, 29, tzinfo=ROME)
    records_store(
        [
            _record(line, "before", midnight - datetime.timedelta(seconds=1)),
            _record(line, "first", midnight),
            _record(line, "last", datetime.datetime(2026, 3, 29, 23, 59, 59, tzinfo=ROME)),
            _record(line, "after", datetime.datetime(2026, 3, 30, tzinfo=ROME)),
        ],
        company_of={},
    )
    page = traffic_records(line_id=line.pk, period="today", today=day)
    assert [r.record_id for r in page.rows] == ["last", "first"]
    assert set(DailyUsage.objects.values_list("day", flat=True)) == {
        datetime.date(2026, 3, 28), day, datetime.date(2026, 3, 30),
    }  # fmt: skip


@pytest.fixture
def traffic(line, moment):
    records_store(
        [
            _record(line, "c1", moment, "voice", duration_seconds=125, other_party="+390612345678", cost="0.19"),
            _record(line, "c2", moment, "voice", direction="in", duration_seconds=60),
            _record(line, "s1", moment, "sms"),
            _record(line, "m1", moment, "mms"),
            _record(line, "d1", moment, "data", volume_bytes=1536 * MB),
            _record(line, "o1", moment, "option", cost="5.00"),
            _record(line, "x1", moment, "other", cost="1.50"),
        ],
        company_of={},
    )
    return line


def test_the_manager_sees_totals_by_type_and_the_records(client, company, traffic):
    client.force_login(UserFactory(company=company, role=Role.MANAGER))
    client.cookies["django_language"] = "en"
    response = client.get(reverse("traffic:line", args=[traffic.pk]), {"period": "today"})
    assert response.status_code == 200
    totals = response.context["summary"].totals
    assert (totals.calls, totals.call_seconds, totals.messages, totals.data_bytes) == (2, 185, 2, 1536 * MB)
    assert (totals.options, totals.options_cost, totals.other, totals.other_cost) == (1, Decimal(5), 1, Decimal("1.5"))
    assert totals.cost == Decimal("6.69")
    html = response.content.decode()
    assert "1.50 GB" in html and "3:05 in all" in html
    assert len(response.context["records"].rows) == 7


def test_records_page_through_with_htmx(client, company, line, moment):
    records_store(
        [_record(line, f"r{i:02d}", moment - datetime.timedelta(seconds=i)) for i in range(30)], company_of={}
    )
    client.force_login(UserFactory(company=company, role=Role.MANAGER))
    url = reverse("traffic:line", args=[line.pk])
    first = client.get(url, {"period": "today"})
    cursor = first.context["records"].next_cursor
    second = client.get(url, {"period": "today", "cursor": cursor}, headers={"HX-Request": "true"})
    assert second.status_code == 200
    assert "<html" not in second.content.decode()
    ids = [r.record_id for r in first.context["records"].rows + second.context["records"].rows]
    assert ids == [f"r{i:02d}" for i in range(30)]
    assert client.get(url, {"cursor": "garbage"}).status_code == 200


def test_queries_do_not_grow_with_the_records(client, company, line, moment):
    client.force_login(UserFactory(company=company, role=Role.MANAGER))
    url = reverse("traffic:line", args=[line.pk])

    def count():
        client.get(url)  # warm the session and scope caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"period": "3months"}).status_code == 200
        return len(queries)

    records_store([_record(line, f"a{i}", moment - datetime.timedelta(minutes=i)) for i in range(5)], company_of={})
    few = count()
    many = [_record(line, f"b{i}", moment - datetime.timedelta(minutes=i, seconds=1), "data", volume_bytes=MB)
            for i in range(400)]  # fmt: skip
    records_store(many, company_of={})
    assert count() == few


def test_an_employee_sees_his_lines_only(client, company, line, moment):
    employee = EmployeeFactory(company=company)
    associated = LineFactory(company=company)
    SimAssociation.objects.create(user=employee, line=associated)
    client.force_login(employee)
    assert client.get(reverse("traffic:line", args=[employee.line_id])).status_code == 200
    assert client.get(reverse("traffic:line", args=[associated.pk])).status_code == 200
    assert client.get(reverse("traffic:line", args=[line.pk])).status_code == 404
    # "Traffico → Mobile" takes him to his current line.
    response = client.get(reverse("traffic:mobile"))
    assert response.status_code == 302 and response["Location"] == reverse("traffic:line", args=[employee.line_id])


def test_the_line_picker_searches_number_and_holder(client, company):
    from tests.factories import fleet

    fleet(company, 30)
    client.force_login(UserFactory(company=company, role=Role.MANAGER))
    response = client.get(reverse("traffic:mobile"), {"q": "Cognome00017"})
    assert [line.holder.last_name for line in response.context["page"].rows] == ["Cognome00017"]
    response = client.get(reverse("traffic:mobile"))
    assert len(response.context["page"].rows) == 25 and response.context["page"].has_next
    assert client.get(reverse("traffic:mobile"), {"q": "nobody"}).context["page"].rows == []


@pytest.mark.parametrize(
    ("days", "field", "message"),
    [(91, "date_to", "Choose at most 90 days."), (-1, "date_to", "The end date comes before the start date.")],
)
def test_the_export_range_is_checked(client, company, line, days, field, message):
    client.force_login(UserFactory(company=company, role=Role.MANAGER))
    client.cookies["django_language"] = "en"
    end = datetime.datetime.now(ROME).date()
    start = end - datetime.timedelta(days=days - 1) if days > 0 else end + datetime.timedelta(days=1)
    if days < 0:
        start, end = end, end - datetime.timedelta(days=1)
    url = reverse("traffic:export", args=[line.pk])
    response = client.get(url, {"date_from": start.isoformat(), "date_to": end.isoformat()})
    assert response.status_code == 400
    assert message in response.content.decode()
    api = client.get(
        reverse("api:line_traffic_export", args=[line.pk]), {"date_from": start.isoformat(), "date_to": end.isoformat()}
    )
    assert api.status_code == 400 and api.json()["error"]["fields"][field] == [message]


def test_a_90_day_export_downloads(client, company, traffic):
    client.force_login(UserFactory(company=company, role=Role.MANAGER))
    end = datetime.datetime.now(ROME).date()
    start = end - datetime.timedelta(days=89)
    response = client.get(
        reverse("traffic:export", args=[traffic.pk]), {"date_from": start.isoformat(), "date_to": end.isoformat()}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_api_summary_and_records(client, company, traffic):
    client.force_login(UserFactory(company=company, role=Role.MANAGER))
    summary = client.get(reverse("api:line_traffic", args=[traffic.pk]), {"period": "today"}).json()
    assert summary["totals"]["calls"] == 2 and summary["totals"]["data_bytes"] == 1536 * MB
    assert len(summary["days"]) == 1
    records = client.get(reverse("api:line_traffic_records", args=[traffic.pk]), {"period": "today"}).json()
    assert len(records["results"]) == 7 and records["next_cursor"] is None
    bad = client.get(reverse("api:line_traffic", args=[traffic.pk]), {"period": "year"})
    assert bad.status_code == 400 and "period" in bad.json()["error"]["fields"]
    bad = client.get(reverse("api:line_traffic_records", args=[traffic.pk]), {"cursor": "x"})
    assert bad.status_code == 400 and "cursor" in bad.json()["error"]["fields"]

"""The top-up history (SPEC F-BIL-4): page, API, filters, scope, keyset pages and query counts."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from selfcare.accounts.models import SimAssociation
from selfcare.billing.selectors.topups import TopupFilters, history_start, topup_list
from selfcare.catalog.models import Offer
from selfcare.core.scope import build_scope
from selfcare.topups.models import Topup
from tests.factories import LineFactory, OfferFactory

pytestmark = pytest.mark.django_db

ROME = ZoneInfo("Europe/Rome")
PAGE = reverse("billing:topups")
API = reverse("api:topups")


def rome(day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=ROME)


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def topup(line, when, amount="10.00", **extra) -> Topup:
    fields = {"channel": Topup.Channel.ONLINE, "method": Topup.Method.CARD} | extra
    return Topup.objects.create(line=line, amount=Decimal(amount), created_at=when, **fields)


@pytest.fixture
def lines(profiles, company, other_company):
    """The employee's own line, the line he associated, another line of his company, another company's."""
    prepaid = OfferFactory(code="ricaricabile-10", name="Ricaricabile 10", kind=Offer.Kind.PREPAID, monthly_fee=0)
    own = profiles["employee"].line
    own.offer = prepaid
    own.save()
    associated = LineFactory(company=company, offer=prepaid, number="+393471112222")
    SimAssociation.objects.create(user=profiles["employee"], line=associated)
    colleague = LineFactory(company=company, offer=prepaid, number="+393479998888")
    foreign = LineFactory(company=other_company, offer=prepaid, number="+393475556666")
    return {"own": own, "associated": associated, "colleague": colleague, "foreign": foreign}


@pytest.fixture
def history(lines):
    return {
        name: topup(line, rome(days_ago(10 + i), 9 + i), amount=f"{5 * (i + 1)}.00")
        for i, (name, line) in enumerate(lines.items())
    }


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def ids_on_page(response) -> list[int]:
    return [t.pk for t in response.context["page"].rows]


def test_manager_sees_every_line_of_the_company_newest_first(client_as, history):
    response = client_as("manager").get(PAGE)
    assert response.status_code == 200
    assert ids_on_page(response) == [history[n].pk for n in ("own", "associated", "colleague")]
    body = response.content.decode()
    assert "+39 347 999 8888" in body and "+39 347 555 6666" not in body


def test_employee_sees_his_line_and_the_associated_one(client_as, history):
    response = client_as("employee").get(PAGE)
    assert response.status_code == 200
    assert ids_on_page(response) == [history["own"].pk, history["associated"].pk]
    api = client_as("employee").get(API).json()["results"]
    assert [r["id"] for r in api] == [history["own"].pk, history["associated"].pk]


def test_staff_and_anonymous_are_kept_out(client_as, history):
    assert client_as("staff").get(PAGE)["Location"] == reverse("admin:index")
    assert client_as("anonymous").get(PAGE)["Location"].startswith(reverse(settings.LOGIN_URL))
    assert client_as("anonymous").get(API).status_code == 401


def test_columns_show_rome_time_amount_channel_method_and_status(client_as, lines):
    when = rome(days_ago(3), 23, 30)  # 23:30 in Rome: 21:30 or 22:30 UTC
    topup(lines["own"], when, amount="25.00", channel=Topup.Channel.INVOICE, method=Topup.Method.INVOICE,
          status=Topup.Status.FAILED)  # fmt: skip
    body = in_english(client_as("manager")).get(PAGE).content.decode()
    assert f"{when:%m/%d/%Y} 11:30 p.m." in body
    assert "€ 25.00" in body and "Charged to invoice" in body and "Next invoice" in body and "Failed" in body
    body = client_as("manager").get(PAGE).content.decode()  # Italian: day first, 24 hours, decimal comma
    assert f"{when:%d/%m/%Y} 23:30" in body and "€ 25,00" in body


def test_filter_by_part_of_the_number(client_as, history):
    manager = client_as("manager")
    assert ids_on_page(manager.get(PAGE, {"line": "347 999"})) == [history["colleague"].pk]
    assert ids_on_page(manager.get(PAGE, {"line": "+39 347-111"})) == [history["associated"].pk]
    assert ids_on_page(manager.get(PAGE, {"line": "347 555"})) == []  # another company's line
    employee = client_as("employee")
    assert ids_on_page(employee.get(PAGE, {"line": "9998888"})) == []  # a colleague's line


def test_filter_by_period_uses_the_rome_calendar(client_as, lines):
    day = days_ago(30)
    late = topup(lines["own"], rome(day, 23, 30))
    early = topup(lines["own"], rome(day + datetime.timedelta(days=1), 0, 30))  # still `day` in UTC
    before = topup(lines["own"], rome(day - datetime.timedelta(days=1), 23, 59))
    manager = client_as("manager")
    only_day = {"from": day.isoformat(), "to": day.isoformat()}
    assert ids_on_page(manager.get(PAGE, only_day)) == [late.pk]
    assert ids_on_page(manager.get(PAGE, {"from": (day + datetime.timedelta(days=1)).isoformat()})) == [early.pk]
    assert ids_on_page(manager.get(PAGE, {"to": (day - datetime.timedelta(days=1)).isoformat()})) == [before.pk]


def test_history_goes_back_24_months(client_as, lines):
    start = history_start(timezone.localdate())
    assert start.day == 1 and (timezone.localdate() - start).days in range(730, 762)
    kept = topup(lines["own"], rome(start, 0, 5))
    topup(lines["own"], rome(start - datetime.timedelta(days=1), 23, 55))
    assert ids_on_page(client_as("manager").get(PAGE)) == [kept.pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"from": "2001-01-01"}, "from", "The history goes back to"),
        ({"to": "2001-01-01"}, "to", "The history goes back to"),
        ({"from": "2999-01-01"}, "from", "Choose today or an earlier day."),
        ({"from": "yesterday"}, "from", "Enter a valid date."),
        ({"from": days_ago(20).isoformat(), "to": days_ago(30).isoformat()}, "to", "before its start"),
        ({"line": "abc"}, "line", "Enter digits only"),
        ({"line": "3" * 21}, "line", "at most 20 characters"),
    ],
)
def test_bad_filters_are_field_errors(client_as, history, params, field, message):
    page = in_english(client_as("manager")).get(PAGE, params)
    assert page.status_code == 200
    assert message in " ".join(page.context["form"].errors[field])
    body = page.content.decode()
    assert 'aria-invalid="true"' in body and 'id="topups-errors"' in body
    # The other filters still apply; the bad one is left out.
    assert len(ids_on_page(page)) == 3
    api = client_as("manager").get(API, params, HTTP_ACCEPT_LANGUAGE="en")
    assert api.status_code == 400
    assert message in " ".join(api.json()["error"]["fields"][field])


def test_a_bad_cursor(client_as, history):
    assert ids_on_page(client_as("manager").get(PAGE, {"cursor": "nonsense"}))  # the first page instead
    response = client_as("manager").get(API, {"cursor": "nonsense"})
    assert response.status_code == 400 and set(response.json()["error"]["fields"]) == {"cursor"}


def test_empty_state(client_as, lines):
    body = in_english(client_as("employee")).get(PAGE).content.decode()
    assert 'id="topups-empty"' in body and "No top-ups in the last 24 months." in body
    body = in_english(client_as("manager")).get(PAGE, {"line": "000"}).content.decode()
    assert "No top-up matches these filters." in body


def test_keyset_pages_cover_every_topup_once(client_as, lines):
    base = timezone.now() - datetime.timedelta(days=1)
    same_instant = base - datetime.timedelta(hours=5)
    made = [topup(lines["own"], base - datetime.timedelta(minutes=i)) for i in range(55)]
    made += [topup(lines["associated"], same_instant) for _ in range(5)]  # ties broken by id
    manager = client_as("manager")
    seen, params = [], {}
    for _ in range(5):
        response = manager.get(PAGE, params)
        seen += ids_on_page(response)
        page = response.context["page"]
        if not page.has_next:
            break
        params = {"cursor": page.next_cursor}
    assert sorted(seen) == sorted(t.pk for t in made) and len(seen) == 60
    # The API walks the same pages.
    api_seen, params = [], {}
    while True:
        body = manager.get(API, params).json()
        api_seen += [r["id"] for r in body["results"]]
        if not body["next_cursor"]:
            break
        params = {"cursor": body["next_cursor"]}
    assert api_seen == seen


def test_htmx_gets_the_table_only(client_as, history):
    response = client_as("manager").get(PAGE, {"line": "347"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and 'id="topups"' in body
    assert "HX-Request" in response["Vary"]


def test_api_rows(client_as, history):
    row = client_as("manager").get(API, {"line": "3479998888"}).json()["results"][0]
    assert row == {
        "id": history["colleague"].pk,
        "created_at": row["created_at"],
        "line_id": history["colleague"].line_id,
        "number": "+393479998888",
        "amount": "15.00",
        "channel": "online",
        "channel_label": row["channel_label"],
        "method": "card",
        "method_label": row["method_label"],
        "status": "done",
        "status_label": row["status_label"],
    }


def test_selector_keeps_to_the_scope(profiles, history):
    employee = build_scope(profiles["employee"], {})
    rows = topup_list(scope=employee, filters=TopupFilters()).rows
    assert {t.line_id for t in rows} == {history["own"].line_id, history["associated"].line_id}


# --- Query counts ---------------------------------------------------------------------------------

CASES = {
    "manager page": ("manager", PAGE, {}, {}),
    "manager filtered": ("manager", PAGE, {"line": "347", "from": days_ago(200).isoformat()}, {}),
    "manager htmx": ("manager", PAGE, {}, {"HTTP_HX_REQUEST": "true"}),
    "employee page": ("employee", PAGE, {}, {}),
    "manager api": ("manager", API, {}, {}),
    "employee api": ("employee", API, {}, {}),
}


def grow(lines, total: int) -> None:
    """`total` top-ups spread over the four lines and the last months."""
    now = timezone.now()
    names = list(lines)
    Topup.objects.bulk_create(
        Topup(line=lines[names[i % 4]], amount=Decimal(5 + i % 20), channel=Topup.Channel.values[i % 4],
              method=Topup.Method.values[i % 4], created_at=now - datetime.timedelta(hours=7 * i + 1))
        for i in range(total)
    )  # fmt: skip


def queries(client, url, params, headers=None) -> int:
    headers = headers or {}
    client.get(url, params, **headers)  # fills the cached scope and bell count, as any earlier page would
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params, **headers).status_code == 200
    return len(captured)


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_query_count_is_the_same_at_10_and_100_topups(client_as, lines, django_assert_num_queries, case):
    profile, url, params, headers = CASES[case]
    client = client_as(profile)
    grow(lines, 10)
    small = queries(client, url, params, headers)
    assert small <= 8, small
    grow(lines, 90)
    client.get(url, params, **headers)
    with django_assert_num_queries(small):
        assert client.get(url, params, **headers).status_code == 200


def test_a_later_page_costs_the_same(client_as, lines, django_assert_num_queries):
    client = client_as("manager")
    grow(lines, 100)
    first = queries(client, PAGE, {})
    cursor = client.get(PAGE).context["page"].next_cursor
    with django_assert_num_queries(first):
        assert client.get(PAGE, {"cursor": cursor}).status_code == 200

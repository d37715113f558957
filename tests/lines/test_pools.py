"""Giga Smart Share (SPEC F-PRD-4): the pool list, a pool with its SIMs, one SIM of a pool, and their API."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from selfcare.core.scope import build_scope
from selfcare.customers.models import Holder
from selfcare.lines.models import Counter, Device, Line, Pool
from selfcare.lines.selectors import pools as selectors
from tests.factories import CostCentreFactory, LineFactory, UserFactory, imei

pytestmark = pytest.mark.django_db


def make_pool(company, code, *, total_gb=100, extra_gb=0, referent="+393471234567", kind="Giga Smart Share 100"):
    return Pool.objects.create(
        company=company, pool_code=code, kind=kind, total_gb=total_gb, extra_gb=extra_gb, referent_number=referent
    )


def data_counter(line, used, *, kind="data_mb", bucket="plan", days_ago=3, length=30):
    start = timezone.localdate() - datetime.timedelta(days=days_ago)
    return Counter.objects.create(
        line=line,
        kind=kind,
        bucket=bucket,
        period_start=start,
        period_end=start + datetime.timedelta(days=length),
        used=used,
        allowance=None,
    )


def make_device(company, line, n, **extra):
    fields = {
        "kind": Device.Kind.SMARTPHONE,
        "model": "Galaxy S25",
        "device_id": imei(n),
        "account_name": company.name,
        "purchased_on": datetime.date(2026, 1, 15),
    }
    return Device.objects.create(company=company, line=line, **(fields | extra))


@pytest.fixture
def pool_world(company, other_company):
    """Company A: pool P1 (3 SIMs, 2 with devices, data used 1,024 + 2,560 MB) and pool P2 (1 SIM); B: one pool."""
    p1 = make_pool(company, "GSS10000001", total_gb=100, extra_gb=20, kind="Giga Smart Share 100")
    p2 = make_pool(company, "GSS10000002", total_gb=500, referent="", kind="Giga Smart Share 500")
    foreign = make_pool(other_company, "GSS90000001")
    holder = Holder.objects.create(company=company, first_name="Giulia", last_name="Bianchi")
    a = LineFactory(company=company, pool=p1, number="+393450000001", holder=holder)
    b = LineFactory(company=company, pool=p1, number="+393450000002", credit=Decimal("12.50"))
    c = LineFactory(company=company, pool=p1, number="+393450000003")
    d = LineFactory(company=company, pool=p2, number="+393450000004")
    outside = LineFactory(company=company, number="+393450000005")  # in no pool
    foreign_line = LineFactory(company=other_company, pool=foreign, number="+393450000009")
    data_counter(a, 1024)
    data_counter(a, 1536, bucket="giga-extra-50")  # an option's data counter counts too
    data_counter(b, 1024)
    data_counter(a, 999_999, days_ago=40)  # last period: not counted
    data_counter(b, 500, kind="voice_min")  # minutes: not counted
    data_counter(d, 2048)
    data_counter(outside, 4096)
    data_counter(foreign_line, 8192)
    make_device(company, a, 1)
    make_device(company, b, 2)
    make_device(company, outside, 3)
    make_device(company, None, 4, kind=Device.Kind.ROUTER, device_id="ZTE0001", model="ZTE MF289")
    make_device(other_company, foreign_line, 5)
    return {"p1": p1, "p2": p2, "foreign": foreign, "a": a, "b": b, "c": c, "d": d, "outside": outside}


# --- Pool list ------------------------------------------------------------------------------------


def test_pool_list_shows_each_pool_of_the_company_with_its_figures(client, manager, pool_world):
    client.force_login(manager)
    response = client.get(reverse("lines:pools"))
    assert response.status_code == 200
    assert response.context["active_area"] == "prodotti"
    rows = {
        p.pool.pool_code: (p.sim_count, p.device_count, p.used_mb, p.capacity_gb, p.percent_used)
        for p in response.context["pools"]
    }
    # P1: 1,024 + 1,536 + 1,024 MB of 120 GB (122,880 MB) = 2.9% → 3.
    assert rows == {"GSS10000001": (3, 2, 3584, 120, 3), "GSS10000002": (1, 0, 2048, 500, 0)}
    html = response.content.decode()
    assert "GSS90000001" not in html
    assert "+39 347 123 4567" in html  # the referent's phone, grouped
    assert 'aria-valuenow="3"' in html
    assert reverse("lines:pool", args=[pool_world["p1"].pk]) in html


def test_pool_list_empty_state(english, manager):
    english.force_login(manager)
    html = english.get(reverse("lines:pools")).content.decode()
    assert "Your company has no Giga Smart Share pool" in html
    assert "progressbar" not in html


def test_pool_pages_refuse_employees(client, profiles, pool_world):
    client.force_login(profiles["employee"])
    assert client.get(reverse("lines:pools")).status_code == 403
    assert client.get(reverse("lines:pool", args=[pool_world["p1"].pk])).status_code == 403
    assert client.get(reverse("api:pools")).status_code == 403


def test_pool_list_query_count_does_not_grow_with_pools(client, manager, company, django_assert_num_queries):
    scope = build_scope(manager)

    def queries():
        client.get(reverse("portal:home"))  # the session's first request records it (usersessions)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("lines:pools")).status_code == 200
            assert client.get(reverse("api:pools")).status_code == 200
        return len(captured)

    def add_pools(first, count):
        for n in range(first, first + count):
            pool = make_pool(company, f"GSS2{n:07d}")
            for m in range(2):
                line = LineFactory(company=company, pool=pool)
                data_counter(line, 100)
                make_device(company, line, 1000 + 2 * n + m)

    client.force_login(manager)
    add_pools(0, 3)
    small = queries()
    with django_assert_num_queries(1):
        assert len(selectors.pool_list(scope=scope)) == 3
    add_pools(3, 27)
    assert queries() == small
    with django_assert_num_queries(1):
        pools = selectors.pool_list(scope=scope)
    assert len(pools) == 30 and {(p.sim_count, p.device_count, p.used_mb) for p in pools} == {(2, 2, 200)}


# --- Pool detail ----------------------------------------------------------------------------------


def test_pool_detail_lists_the_pool_sims_with_data_used(english, manager, pool_world):
    english.force_login(manager)
    p1 = pool_world["p1"]
    response = english.get(reverse("lines:pool", args=[p1.pk]))
    assert response.status_code == 200
    detail = response.context["detail"]
    assert [(line.number, line.used_mb) for line in detail.members.rows] == [
        ("+393450000001", 2560),
        ("+393450000002", 1024),
        ("+393450000003", 0),
    ]
    assert not detail.members.has_next
    html = response.content.decode()
    assert "Giulia Bianchi" in html
    assert "+39 345 000 0004" not in html  # P2's SIM
    assert "+39 345 000 0005" not in html  # in no pool
    for line in (pool_world["a"], pool_world["b"], pool_world["c"]):
        assert f'hx-get="{reverse("lines:pool_sim", args=[p1.pk, line.pk])}"' in html
    assert ">View<" in html


def test_pool_detail_pages_through_members_by_number(client, manager, company):
    pool = make_pool(company, "GSS30000001")
    numbers = [f"+39341{n:07d}" for n in range(30)]
    for number in reversed(numbers):
        LineFactory(company=company, pool=pool, number=number)
    client.force_login(manager)
    url = reverse("lines:pool", args=[pool.pk])
    first = client.get(url).context["detail"].members
    assert [line.number for line in first.rows] == numbers[:25]
    second = client.get(url, {"cursor": first.next_cursor}).context["detail"].members
    assert [line.number for line in second.rows] == numbers[25:]
    assert not second.has_next
    back = client.get(url, {"cursor": second.previous_cursor}).context["detail"].members
    assert [line.number for line in back.rows] == numbers[:25]
    # A cursor that does not decode: the first page, not an error.
    broken = client.get(url, {"cursor": "not-a-cursor!"})
    assert broken.status_code == 200
    assert [line.number for line in broken.context["detail"].members.rows] == numbers[:25]


def test_pool_of_another_company_is_404(client, manager, pool_world):
    client.force_login(manager)
    foreign = pool_world["foreign"]
    assert client.get(reverse("lines:pool", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("api:pool", args=[foreign.pk])).status_code == 404
    line = Line.objects.get(pool=foreign)
    assert client.get(reverse("lines:pool_sim", args=[foreign.pk, line.pk])).status_code == 404
    assert client.get(reverse("api:pool_sim", args=[foreign.pk, line.pk])).status_code == 404
    # Own pool, another company's line.
    p1 = pool_world["p1"]
    assert client.get(reverse("lines:pool_sim", args=[p1.pk, line.pk])).status_code == 404


def test_pool_detail_query_count_does_not_grow_with_members(client, manager, company, django_assert_num_queries):
    pool = make_pool(company, "GSS40000001")
    holder = Holder.objects.create(company=company, first_name="Anna", last_name="Verdi")

    def add_members(count):
        for _ in range(count):
            line = LineFactory(company=company, pool=pool, holder=holder)
            data_counter(line, 300)
            make_device(company, line, 2000 + line.pk)

    def queries():
        client.get(reverse("portal:home"))  # the session's first request records it (usersessions)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("lines:pool", args=[pool.pk])).status_code == 200
            assert client.get(reverse("api:pool", args=[pool.pk])).status_code == 200
            line = Line.objects.filter(pool=pool).last()
            assert client.get(reverse("lines:pool_sim", args=[pool.pk, line.pk])).status_code == 200
        return len(captured)

    scope = build_scope(manager)
    client.force_login(manager)
    add_members(3)
    small = queries()
    with django_assert_num_queries(2):  # the pool with its figures, one page of members
        selectors.pool_detail(scope=scope, pool_id=pool.pk)
    add_members(27)
    assert queries() == small
    with django_assert_num_queries(2):
        detail = selectors.pool_detail(scope=scope, pool_id=pool.pk)
    assert len(detail.members.rows) == 25 and detail.summary.sim_count == 30
    with django_assert_num_queries(3):  # the pool, the line, its data counters
        selectors.pool_sim(scope=scope, pool_id=pool.pk, line_id=detail.members.rows[0].pk)


def test_restricted_manager_sees_only_the_sims_of_his_cost_centres(client, company, pool_world):
    centre = CostCentreFactory(company=company)
    Line.objects.filter(pk=pool_world["a"].pk).update(cost_centre=centre)
    restricted = UserFactory(company=company)
    restricted.cost_centres.add(centre)
    client.force_login(restricted)
    p1 = pool_world["p1"]
    summary = {p.pool.pool_code: p for p in client.get(reverse("lines:pools")).context["pools"]}["GSS10000001"]
    # His SIMs and their devices; the data used is the whole pool's.
    assert (summary.sim_count, summary.device_count, summary.used_mb) == (1, 1, 3584)
    rows = client.get(reverse("lines:pool", args=[p1.pk])).context["detail"].members.rows
    assert [line.number for line in rows] == ["+393450000001"]
    assert client.get(reverse("lines:pool_sim", args=[p1.pk, pool_world["a"].pk])).status_code == 200
    assert client.get(reverse("lines:pool_sim", args=[p1.pk, pool_world["b"].pk])).status_code == 404
    assert client.get(reverse("api:pool_sim", args=[p1.pk, pool_world["b"].pk])).status_code == 404


# --- One SIM of a pool ----------------------------------------------------------------------------


def test_pool_sim_full_page_and_htmx_fragment(english, manager, pool_world):
    english.force_login(manager)
    p1, a = pool_world["p1"], pool_world["a"]
    url = reverse("lines:pool_sim", args=[p1.pk, a.pk])
    page = english.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "<html" in html and "GSS10000001" in html
    assert "2.5 GB" in html  # 2,560 MB this period
    assert "Not applicable: postpaid line" in html
    fragment = english.get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert "<html" not in body
    assert "2.5 GB" in body
    assert "HX-Request" in fragment["Vary"]
    # htmx restoring its history asks for the whole page.
    restore = english.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_pool_sim_shows_residual_credit_of_a_prepaid_line(english, manager, pool_world):
    english.force_login(manager)
    html = english.get(reverse("lines:pool_sim", args=[pool_world["p1"].pk, pool_world["b"].pk])).content.decode()
    assert "€ 12.50" in html
    assert "Not applicable" not in html


def test_pool_sim_of_a_line_outside_the_pool_is_404(client, manager, pool_world):
    client.force_login(manager)
    p1 = pool_world["p1"]
    for line in (pool_world["d"], pool_world["outside"]):  # another pool's SIM, a SIM in no pool
        assert client.get(reverse("lines:pool_sim", args=[p1.pk, line.pk])).status_code == 404
        assert client.get(reverse("api:pool_sim", args=[p1.pk, line.pk])).status_code == 404


# --- API ------------------------------------------------------------------------------------------


def test_api_pool_list(client, manager, pool_world):
    client.force_login(manager)
    data = client.get(reverse("api:pools")).json()
    assert data == [
        {
            "id": pool_world["p1"].pk,
            "pool_code": "GSS10000001",
            "kind": "Giga Smart Share 100",
            "total_gb": 100,
            "extra_gb": 20,
            "capacity_gb": 120,
            "used_mb": 3584,
            "percent_used": 3,
            "sims": 3,
            "devices": 2,
            "referent_number": "+393471234567",
        },
        {
            "id": pool_world["p2"].pk,
            "pool_code": "GSS10000002",
            "kind": "Giga Smart Share 500",
            "total_gb": 500,
            "extra_gb": 0,
            "capacity_gb": 500,
            "used_mb": 2048,
            "percent_used": 0,
            "sims": 1,
            "devices": 0,
            "referent_number": "",
        },
    ]


def test_api_pool_list_is_empty_for_a_company_without_pools(client, manager):
    client.force_login(manager)
    assert client.get(reverse("api:pools")).json() == []


def test_api_pool_detail_with_its_sims_and_pages(client, manager, pool_world):
    client.force_login(manager)
    p1 = pool_world["p1"]
    url = reverse("api:pool", args=[p1.pk])
    data = client.get(url).json()
    assert data["pool"]["pool_code"] == "GSS10000001"
    assert data["results"][0] == {
        "id": pool_world["a"].pk,
        "number": "+393450000001",
        "holder": "Giulia Bianchi",
        "offer": "Business 100",
        "status": "active",
        "used_mb": 2560,
    }
    assert [r["number"] for r in data["results"]] == ["+393450000001", "+393450000002", "+393450000003"]
    assert data["next_cursor"] is None and data["previous_cursor"] is None


def test_api_pool_detail_cursor(client, manager, company):
    pool = make_pool(company, "GSS50000001")
    numbers = [f"+39342{n:07d}" for n in range(27)]
    for number in numbers:
        LineFactory(company=company, pool=pool, number=number)
    client.force_login(manager)
    url = reverse("api:pool", args=[pool.pk])
    first = client.get(url).json()
    assert [r["number"] for r in first["results"]] == numbers[:25]
    second = client.get(url, {"cursor": first["next_cursor"]}).json()
    assert [r["number"] for r in second["results"]] == numbers[25:]
    assert second["next_cursor"] is None and second["previous_cursor"]
    bad = client.get(url, {"cursor": "garbage"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["cursor"]


def test_api_pool_sim(client, manager, pool_world):
    client.force_login(manager)
    p1, a, b = pool_world["p1"], pool_world["a"], pool_world["b"]
    data = client.get(reverse("api:pool_sim", args=[p1.pk, a.pk])).json()
    assert data["pool_code"] == "GSS10000001"
    assert data["line"]["number"] == "+393450000001"
    assert data["used_mb"] == 2560
    assert data["credit"] is None
    assert data["resets_on"] == (timezone.localdate() + datetime.timedelta(days=27)).isoformat()
    prepaid = client.get(reverse("api:pool_sim", args=[p1.pk, b.pk])).json()
    assert prepaid["credit"] == "12.50"


def test_selector_counts_only_the_current_period(manager, pool_world):
    scope = build_scope(manager)
    sim = selectors.pool_sim(scope=scope, pool_id=pool_world["p1"].pk, line_id=pool_world["a"].pk)
    assert sim.used_mb == 2560
    assert [c.bucket for c in sim.counters] == ["giga-extra-50", "plan"]

"""Dispositivi (SPEC F-PRD-5): the company's devices, searched, filtered and paginated; page and API."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from selfcare.core.scope import build_scope
from selfcare.lines.models import Device, Line
from selfcare.lines.selectors import devices as selectors
from tests.factories import CostCentreFactory, LineFactory, UserFactory, imei

pytestmark = pytest.mark.django_db


def make_device(company, model, device_id, *, line=None, kind=Device.Kind.SMARTPHONE, **extra):
    fields = {"account_name": company.name, "purchased_on": datetime.date(2026, 3, 1)}
    return Device.objects.create(
        company=company, line=line, kind=kind, model=model, device_id=device_id, **(fields | extra)
    )


@pytest.fixture
def devices(company, other_company):
    """Four devices of company A (one without a line), one of company B."""
    line = LineFactory(company=company, number="+393461112233")
    fixed = LineFactory(company=company, number="+390212345678", kind=Line.Kind.FIXED)
    return {
        "galaxy": make_device(
            company,
            "Galaxy S25",
            imei(1),
            line=line,
            instalments_total=30,
            instalments_paid=12,
            instalment_amount=Decimal("29.90"),
            maintenance=Device.Maintenance.PREMIUM,
            interventions_left=2,
        ),
        "iphone": make_device(company, "iPhone 16", imei(2), maintenance=Device.Maintenance.STANDARD),
        "ipad": make_device(
            company,
            "iPad Air",
            imei(3),
            kind=Device.Kind.TABLET,
            instalments_total=24,
            instalments_paid=24,
            instalment_amount=Decimal("25.00"),
        ),
        "router": make_device(company, "ZTE MF289", "ZTE7788990011", line=fixed, kind=Device.Kind.ROUTER),
        "foreign": make_device(other_company, "Galaxy S25", imei(9)),
    }


def listed(response) -> list[str]:
    return [d.device_id for d in response.context["devices"].page.rows]


# --- Page -----------------------------------------------------------------------------------------


def test_device_list_shows_the_company_devices_by_model(english, manager, devices):
    english.force_login(manager)
    response = english.get(reverse("lines:devices"))
    assert response.status_code == 200
    assert response.context["active_area"] == "prodotti"
    assert listed(response) == [imei(1), imei(3), imei(2), "ZTE7788990011"]  # Galaxy, iPad, iPhone, ZTE: any case
    html = response.content.decode()
    assert imei(9) not in html
    assert "Paid 12 of 30, € 29.90 per month" in html
    # iPad (24 of 24), iPhone and router (no instalments), in the phone cards and in the table.
    assert html.count("Paid in full") == 3 * 2
    assert "Premium, replacement in 24 hours" in html
    line = devices["galaxy"].line
    assert f'href="{reverse("lines:detail", kwargs={"line_id": line.pk})}"' in html
    assert "+39 346 111 2233" in html
    assert "4 devices" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "galaxy"}, ["galaxy"]),  # model, any case
        ({"q": imei(3)[-6:]}, ["ipad"]),  # part of the IMEI
        ({"q": "zte77"}, ["router"]),  # part of a serial number
        ({"q": "346 111"}, ["galaxy"]),  # part of the line's number, spaces ignored
        ({"q": "+39 02 1234"}, ["router"]),
        ({"kind": "tablet"}, ["ipad"]),
        ({"kind": "router"}, ["router"]),
        ({"maintenance": "standard"}, ["iphone"]),
        ({"maintenance": "none"}, ["ipad", "router"]),
        ({"instalments_left": "on"}, ["galaxy"]),  # the iPad's 24 of 24 are paid
        ({"kind": "smartphone", "maintenance": "premium", "instalments_left": "on"}, ["galaxy"]),
        ({"q": "iphone", "kind": "tablet"}, []),
    ],
)
def test_device_search_and_filters(client, manager, devices, params, expected):
    client.force_login(manager)
    response = client.get(reverse("lines:devices"), params)
    assert response.status_code == 200
    assert listed(response) == [devices[name].device_id for name in expected]


def test_api_search_and_filters_match_the_page(client, manager, devices):
    client.force_login(manager)
    for params, expected in [
        ({"q": "galaxy"}, ["galaxy"]),
        ({"q": "346111"}, ["galaxy"]),
        ({"kind": "router"}, ["router"]),
        ({"maintenance": "standard"}, ["iphone"]),
        ({"instalments_left": "true"}, ["galaxy"]),
    ]:
        data = client.get(reverse("api:devices"), params).json()
        assert [d["device_id"] for d in data["results"]] == [devices[n].device_id for n in expected], params


def test_no_match_is_not_the_empty_company(english, manager, devices):
    english.force_login(manager)
    html = english.get(reverse("lines:devices"), {"q": "nokia"}).content.decode()
    assert "No device matches these filters" in html
    assert "has no devices" not in html
    assert 'id="id_q"' in html  # the form stays, to change the search


def test_company_without_devices_says_so(english, manager, other_company):
    make_device(other_company, "Galaxy S25", imei(9))
    english.force_login(manager)
    response = english.get(reverse("lines:devices"))
    html = response.content.decode()
    assert "Your company has no devices from us yet" in html
    assert "No device matches" not in html
    assert 'id="id_q"' not in html  # nothing to search
    assert response.context["devices"].company_has_devices is False


def test_invalid_filter_value_is_shown_and_ignored(english, manager, devices):
    english.force_login(manager)
    response = english.get(reverse("lines:devices"), {"kind": "toaster", "q": "galaxy"})
    assert response.status_code == 200
    assert listed(response) == [imei(1)]
    assert response.context["form"].errors["kind"]


def test_htmx_request_gets_only_the_table(client, manager, devices):
    client.force_login(manager)
    response = client.get(reverse("lines:devices"), {"q": "galaxy"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and "<form" not in html
    assert 'id="devices-table"' in html and 'id="devices-count"' in html
    assert imei(1) in html and imei(2) not in html
    assert "HX-Request" in response["Vary"]
    page = client.get(reverse("lines:devices")).content.decode()
    assert 'hx-get="/prodotti/dispositivi/"' in page
    assert 'hx-target="#devices-table"' in page
    assert 'hx-push-url="true"' in page


def test_device_list_pages_by_model_then_device_id(client, manager, company):
    ids = [f"SN{n:06d}" for n in range(30)]
    for device_id in reversed(ids):
        make_device(company, "Router 5G", device_id, kind=Device.Kind.ROUTER)
    client.force_login(manager)
    url = reverse("lines:devices")
    first = client.get(url, {"kind": "router"})
    page = first.context["devices"].page
    assert listed(first) == ids[:25]
    assert first.context["devices"].total == 30
    # The next link keeps the filters.
    assert f"kind=router&amp;cursor={page.next_cursor}" in first.content.decode()
    second = client.get(url, {"kind": "router", "cursor": page.next_cursor})
    assert listed(second) == ids[25:]
    assert not second.context["devices"].page.has_next
    back = client.get(url, {"kind": "router", "cursor": second.context["devices"].page.previous_cursor})
    assert listed(back) == ids[:25]
    broken = client.get(url, {"cursor": "%%%"})
    assert broken.status_code == 200
    assert listed(broken) == ids[:25]


def test_restricted_manager_does_not_see_devices_of_other_cost_centres(client, company, devices):
    centre = CostCentreFactory(company=company)
    restricted = UserFactory(company=company)
    restricted.cost_centres.add(centre)
    Line.objects.filter(pk=devices["router"].line_id).update(cost_centre=centre)
    client.force_login(restricted)
    # His line's router, and the devices given to no line; not the Galaxy of a line outside his centre.
    assert sorted(listed(client.get(reverse("lines:devices")))) == sorted([imei(2), imei(3), "ZTE7788990011"])


def test_employee_gets_403(client, profiles, devices):
    client.force_login(profiles["employee"])
    assert client.get(reverse("lines:devices")).status_code == 403
    assert client.get(reverse("api:devices")).status_code == 403


def test_device_list_query_count_does_not_grow_with_devices(client, manager, company, django_assert_num_queries):
    scope = build_scope(manager)

    def add(first, count):
        for n in range(first, first + count):
            line = LineFactory(company=company)
            make_device(company, "Galaxy S25", imei(100 + n), line=line, maintenance=Device.Maintenance.STANDARD)

    def queries():
        client.get(reverse("portal:home"))  # the session's first request records it (usersessions)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("lines:devices")).status_code == 200
            assert client.get(reverse("lines:devices"), {"q": "galaxy"}, headers={"HX-Request": "true"}).status_code
            assert client.get(reverse("api:devices")).status_code == 200
        return len(captured)

    client.force_login(manager)
    add(0, 3)
    small = queries()
    with django_assert_num_queries(2):  # one page, the count
        selectors.device_list(scope=scope, filters=selectors.DeviceFilters())
    add(3, 27)
    assert queries() == small
    with django_assert_num_queries(2):
        result = selectors.device_list(scope=scope, filters=selectors.DeviceFilters(maintenance="standard"))
    assert (len(result.page.rows), result.total) == (25, 30)


# --- API ------------------------------------------------------------------------------------------


def test_api_device_list_payload(client, manager, devices):
    client.force_login(manager)
    data = client.get(reverse("api:devices"), {"q": "galaxy"}).json()
    galaxy = devices["galaxy"]
    assert data == {
        "results": [
            {
                "id": galaxy.pk,
                "kind": "smartphone",
                "model": "Galaxy S25",
                "device_id": imei(1),
                "account_name": galaxy.account_name,
                "line": {"id": galaxy.line_id, "number": "+393461112233"},
                "purchased_on": "2026-03-01",
                "instalments_total": 30,
                "instalments_paid": 12,
                "instalments_left": 18,
                "instalment_amount": "29.90",
                "maintenance": "premium",
                "interventions_left": 2,
            }
        ],
        "next_cursor": None,
        "previous_cursor": None,
    }
    iphone = client.get(reverse("api:devices"), {"q": "iphone"}).json()["results"][0]
    assert iphone["line"] is None


def test_api_device_list_is_scoped_and_empty_for_a_company_without_devices(client, other_company, devices):
    from tests.factories import CompanyFactory

    client.force_login(UserFactory(company=CompanyFactory()))
    assert client.get(reverse("api:devices")).json() == {"results": [], "next_cursor": None, "previous_cursor": None}


def test_api_device_list_cursor_and_bad_input(client, manager, company):
    ids = [f"SN{n:06d}" for n in range(27)]
    for device_id in ids:
        make_device(company, "Router 5G", device_id, kind=Device.Kind.ROUTER)
    client.force_login(manager)
    url = reverse("api:devices")
    first = client.get(url).json()
    assert [d["device_id"] for d in first["results"]] == ids[:25]
    second = client.get(url, {"cursor": first["next_cursor"]}).json()
    assert [d["device_id"] for d in second["results"]] == ids[25:]
    assert second["next_cursor"] is None and second["previous_cursor"]
    bad = client.get(url, {"cursor": "bm9wZQ"})
    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]) == ["cursor"]
    wrong_kind = client.get(url, {"kind": "toaster"})
    assert wrong_kind.status_code == 400
    assert list(wrong_kind.json()["error"]["fields"]) == ["kind"]

"""The Fatture page and API: the list with its filters, pages and summary, an invoice's page, overdue invoices."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from selfcare.billing.models import Invoice
from selfcare.billing.selectors.invoices import history_start
from selfcare.billing.services.overdue import invoices_mark_overdue
from selfcare.notifications.models import Notification, OutboxMessage
from tests.factories import CostCentreFactory, LineFactory, issue_invoice

pytestmark = pytest.mark.django_db


def months_ago(n: int) -> datetime.date:
    today = timezone.localdate()
    index = today.year * 12 + today.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def numbers(response) -> list[str]:
    return [invoice.number for invoice in response.context["invoices"].page.rows]


def test_the_list_shows_the_invoices_newest_first_with_what_is_left_to_pay(client_in_english, company, other_company):
    old = issue_invoice(company, issued_on=months_ago(3), status="paid")
    overdue = issue_invoice(company, issued_on=months_ago(2), status="overdue", amounts=[Decimal("100")])
    latest = issue_invoice(company, issued_on=months_ago(1), amounts=[Decimal("10")])
    foreign = issue_invoice(other_company, issued_on=months_ago(1))
    response = client_in_english("manager").get(reverse("billing:invoices"))
    assert response.status_code == 200
    assert numbers(response) == [latest.number, overdue.number, old.number]
    assert foreign.number not in response.content.decode()
    summary = response.context["invoices"].summary
    assert summary.to_pay == Decimal("134.20") and summary.overdue == Decimal("122.00")
    page = response.content.decode()
    assert "€ 134,20" in page or "€ 134.20" in page
    assert 'class="badge invoice-overdue"' in page


def test_invoices_older_than_24_months_are_not_listed(client_in_english, company):
    issue_invoice(company, issued_on=months_ago(24))
    recent = issue_invoice(company, issued_on=months_ago(23))
    response = client_in_english("manager").get(reverse("billing:invoices"))
    assert numbers(response) == [recent.number]
    assert history_start() == months_ago(23)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "devices"}, ["device"]),
        ({"status": "unpaid"}, ["device", "partial", "overdue"]),
        ({"status": "paid"}, ["paid"]),
        ({"date_from": "FROM", "date_to": "TO"}, ["partial"]),
    ],
)
def test_filters(client_in_english, company, params, expected):
    made = {
        "paid": issue_invoice(company, issued_on=months_ago(4), status="paid"),
        "overdue": issue_invoice(company, issued_on=months_ago(3), status="overdue"),
        "partial": issue_invoice(company, issued_on=months_ago(2), status="partial"),
        "device": issue_invoice(company, issued_on=months_ago(1), kind="devices"),
    }
    dates = {"FROM": months_ago(2).isoformat(), "TO": months_ago(2).isoformat()}
    params = {k: dates.get(v, v) for k, v in params.items()}
    response = client_in_english("manager").get(reverse("billing:invoices"), params)
    by_number = {invoice.number: name for name, invoice in made.items()}
    assert [by_number[n] for n in numbers(response)] == expected


def test_bad_filters_get_a_message_on_their_field(client_in_english, company):
    issue_invoice(company, issued_on=months_ago(1))
    client = client_in_english("manager")
    response = client.get(reverse("billing:invoices"), {"date_from": "2026-10-10", "date_to": "2026-10-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"] == ["The end of the period must not be before its start."]
    response = client.get(reverse("billing:invoices"), {"date_from": "2020-01-01"})
    assert "last 24 months" in response.context["form"].errors["date_from"][0]
    response = client.get(reverse("billing:invoices"), {"date_from": "ieri", "status": "nonsense"})
    assert set(response.context["form"].errors) == {"date_from", "status"}
    assert len(numbers(response)) == 1  # invalid filters are ignored, not a 500


def test_pages_follow_each_other_and_a_bad_cursor_starts_over(client_in_english, company):
    for n in range(30):
        issue_invoice(company, issued_on=months_ago(1 + n % 20) + datetime.timedelta(days=n // 20))
    client = client_in_english("manager")
    first = client.get(reverse("billing:invoices"))
    second = client.get(reverse("billing:invoices"), {"cursor": first.context["invoices"].page.next_cursor})
    assert len(numbers(first)) == 25 and len(numbers(second)) == 5
    assert set(numbers(first)).isdisjoint(numbers(second))
    listed = numbers(first) + numbers(second)
    expected = list(Invoice.objects.order_by("-issued_on", "-number").values_list("number", flat=True))
    assert listed == expected
    assert numbers(client.get(reverse("billing:invoices"), {"cursor": "garbage"})) == numbers(first)
    # htmx asks for the table only.
    fragment = client.get(reverse("billing:invoices"), {"kind": "services"}, HTTP_HX_REQUEST="true")
    assert fragment.content.decode().lstrip().startswith('<div id="invoices-table">')


def test_empty_states(client_in_english, company):
    response = client_in_english("manager").get(reverse("billing:invoices"))
    assert "No invoices yet" in response.content.decode()
    issue_invoice(company, issued_on=months_ago(1))
    response = client_in_english("manager").get(reverse("billing:invoices"), {"kind": "devices"})
    assert "No invoice matches these filters" in response.content.decode()


def count(client, url, params=None) -> int:
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_invoices(client_in_english, company):
    client = client_in_english("manager")
    line = LineFactory(company=company, cost_centre=CostCentreFactory(company=company))
    first = issue_invoice(company, issued_on=months_ago(1), line=line, amounts=[Decimal(1)] * 3)
    small = count(client, reverse("billing:invoices")), count(client, reverse("billing:invoice", args=[first.pk]))
    for n in range(40):
        issue_invoice(company, issued_on=months_ago(1 + n % 20), line=LineFactory(company=company))
    first.lines.all().delete()
    issue_invoice(company, issued_on=months_ago(2), line=line, amounts=[Decimal(1)] * 60)
    big = max(Invoice.objects.all(), key=lambda i: i.lines.count())
    large = count(client, reverse("billing:invoices")), count(client, reverse("billing:invoice", args=[big.pk]))
    assert large == small


def test_an_invoice_page_groups_its_charges_by_cost_centre_and_line(client_in_english, company, other_company):
    sales = CostCentreFactory(company=company, code="VEN", name="Vendite")
    one = LineFactory(company=company, cost_centre=sales)
    two = LineFactory(company=company)
    invoice = issue_invoice(company, line=one, amounts=[Decimal("10"), Decimal("2.50")])
    invoice.lines.create(line=two, kind="recurring", description="Canone due", unit_price=Decimal(5), amount=Decimal(5))
    response = client_in_english("admin").get(reverse("billing:invoice", args=[invoice.pk]))
    charges = response.context["charges"]
    assert [(c.name, c.lines, c.subtotal) for c in charges.centres] == [("VEN · Vendite", 1, Decimal("12.50")),
                                                                          ("", 1, Decimal(5))]  # fmt: skip
    groups = charges.groups
    assert [g.name for g in groups] == ["VEN · Vendite", ""]
    assert [(line.number, line.subtotal) for line in groups[0].lines] == [(one.display_number, Decimal("12.50"))]
    assert "Copy not valid for tax purposes" in response.content.decode()
    foreign = issue_invoice(other_company)
    assert client_in_english("admin").get(reverse("billing:invoice", args=[foreign.pk])).status_code == 404


def test_a_large_invoice_is_shown_a_page_of_charges_at_a_time(client_in_english, company, settings):
    from selfcare.billing.selectors import invoices as selectors

    centres = [CostCentreFactory(company=company, code=code, name=code.title()) for code in ("AAA", "BBB")]
    lines = [LineFactory(company=company, cost_centre=centres[n % 2] if n % 3 else None) for n in range(9)]
    invoice = issue_invoice(company, amounts=[Decimal(1)])
    for n, line in enumerate(lines):
        for k in range(3):
            invoice.lines.create(line=line, cost_centre=line.cost_centre, kind="usage", description=f"c{n}-{k}",
                                 unit_price=Decimal(1), amount=Decimal(n))  # fmt: skip
    seen, cursor = [], None
    while True:
        page = selectors.invoice_charges(invoice, cursor=cursor, size=4)
        seen += [row.description for group in page.groups for line in group.lines for row in line.rows]
        # A line cut by the page's end still shows the subtotal of all its charges.
        for group in page.groups:
            for line in group.lines:
                if line.number:
                    assert line.subtotal == 3 * Decimal(int(line.rows[0].description[1:].split("-")[0]))
        if not page.page.has_next:
            break
        cursor = page.page.next_cursor
    expected = list(
        invoice.lines.order_by(
            F("cost_centre__code").asc(nulls_last=True), F("line__number").asc(nulls_first=True), "pk"
        ).values_list("description", flat=True)
    )
    assert seen == expected and len(seen) == 28
    client = client_in_english("manager")
    body = client.get(reverse("api:invoice_charges", args=[invoice.pk])).json()
    assert len(body["results"]) == 28 and body["next_cursor"] is None
    assert client.get(reverse("api:invoice_charges", args=[invoice.pk]), {"cursor": "x"}).status_code == 400
    detail = client.get(reverse("api:invoice", args=[invoice.pk])).json()
    assert [c["cost_centre"] for c in detail["cost_centres"]] == ["AAA · Aaa", "BBB · Bbb", ""]


def test_overdue_invoices_are_marked_and_managers_told_once(company, profiles):
    today = timezone.localdate()
    due = issue_invoice(company, issued_on=today - datetime.timedelta(days=45))
    not_yet = issue_invoice(company, issued_on=today - datetime.timedelta(days=10))
    paid = issue_invoice(company, issued_on=today - datetime.timedelta(days=45), status="paid")
    profiles["admin"].email = "admin@example.com"
    profiles["admin"].save()
    assert invoices_mark_overdue(today=today) == 1
    assert invoices_mark_overdue(today=today) == 0
    due.refresh_from_db(), not_yet.refresh_from_db(), paid.refresh_from_db()
    assert (due.status, not_yet.status, paid.status) == ("overdue", "to_pay", "paid")
    told = Notification.objects.filter(title__contains=due.number)
    assert sorted(n.user.role for n in told) == ["admin", "manager", "referent"]
    assert not Notification.objects.filter(user=profiles["employee"]).exists()
    emails = OutboxMessage.objects.filter(purpose="invoice_overdue")
    assert [m.recipient for m in emails] == ["admin@example.com"]


def test_the_api_lists_and_shows_invoices(client_in_english, company, other_company):
    invoice = issue_invoice(company, issued_on=months_ago(1), status="overdue")
    issue_invoice(company, issued_on=months_ago(2), status="paid")
    foreign = issue_invoice(other_company)
    client = client_in_english("manager")
    body = client.get(reverse("api:invoices"), {"status": "unpaid"}).json()
    assert [r["number"] for r in body["results"]] == [invoice.number]
    assert body["summary"]["overdue"] == str(invoice.total_amount)
    detail = client.get(reverse("api:invoice", args=[invoice.pk])).json()
    assert detail["total_amount"] == str(invoice.total_amount)
    assert detail["cost_centres"] == [{"cost_centre": "", "lines": 0, "subtotal": str(invoice.taxable_amount)}]
    assert client.get(reverse("api:invoice", args=[foreign.pk])).status_code == 404
    bad = client.get(reverse("api:invoices"), {"date_from": "2026-10-10", "date_to": "2026-01-01"})
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"date_to"}
    bad = client.get(reverse("api:invoices"), {"kind": "x", "date_from": "ieri"})
    assert bad.status_code == 400 and set(bad.json()["error"]["fields"]) == {"kind", "date_from"}
    assert client.get(reverse("api:invoices"), {"cursor": "garbage"}).status_code == 400
    assert mail.outbox == []


def test_a_large_invoice_pdf_is_prepared_by_a_job(client_in_english, company, monkeypatch):
    from selfcare.billing.documents import pdf

    monkeypatch.setattr(pdf, "INLINE_MAX_CHARGES", 2)
    small = issue_invoice(company, amounts=[Decimal(1)])
    large = issue_invoice(company, amounts=[Decimal(1)] * 3)
    client = client_in_english("manager")
    response = client.get(reverse("billing:invoice_pdf", args=[small.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    waiting = client.get(reverse("billing:invoice_pdf", args=[large.pk]))
    assert waiting.status_code == 202 and "preparing its PDF copy" in waiting.content.decode()
    # Jobs run inline in tests: the copy is stored now, and the page's next look downloads it.
    large.refresh_from_db()
    assert large.pdf
    response = client.get(reverse("billing:invoice_pdf", args=[large.pk]))
    name = large.number.replace("/", "-")
    assert response.status_code == 200 and response["Content-Disposition"].endswith(f'fattura-{name}.pdf"')
    api = client.get(reverse("api:invoice_pdf", args=[issue_invoice(company, amounts=[Decimal(1)] * 3).pk]))
    assert api.status_code == 202 and api["Retry-After"] == "30"


def test_an_xml_that_cannot_be_made_is_explained(client_in_english, company):
    invoice = issue_invoice(company)
    type(company).objects.filter(pk=company.pk).update(address="")
    client = client_in_english("manager")
    response = client.get(reverse("billing:invoice_xml", args=[invoice.pk]))
    assert response.status_code == 409 and "alert" in response.content.decode()
    api = client.get(reverse("api:invoice_xml", args=[invoice.pk]))
    assert api.status_code >= 400 and api.status_code < 500 and api.json()["error"]["message"]
    type(company).objects.filter(pk=company.pk).update(address="Via Roma 1")
    response = client.get(reverse("billing:invoice_xml", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xml"')

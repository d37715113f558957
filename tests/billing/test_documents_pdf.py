"""The PDF copy of an invoice (SPEC F-BIL-1): content, Italian formats, grouping, rendered once."""

import datetime
import io
import re
import threading
import time
from decimal import Decimal

import pypdf
import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from selfcare.billing.documents import pdf
from selfcare.billing.models import Invoice
from selfcare.billing.services.invoices import Charge, invoice_issue
from selfcare.customers.models import Holder
from tests.factories import CompanyFactory, CostCentreFactory, LineFactory

ISSUED = datetime.date(2026, 11, 1)


def issue(company, charges) -> Invoice:
    return invoice_issue(
        company_id=company.pk,
        kind=Invoice.Kind.SERVICES,
        charges=charges,
        issued_on=ISSUED,
        due_on=ISSUED + datetime.timedelta(days=30),
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
    )


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def italian(message: str) -> str:
    with translation.override("it"):
        return translation.gettext(message)


@pytest.fixture
def invoice(company):
    """Two cost centres with two lines each, a line without a cost centre, and company charges."""
    company.address, company.postcode, company.city, company.province = "Via Torino 5", "20123", "Milano", "MI"
    company.save()
    sales, admin = (
        CostCentreFactory(company=company, code="VEN", name="Vendite"),
        CostCentreFactory(company=company, code="AMM", name="Amministrazione"),
    )
    holder = Holder.objects.create(company=company, first_name="Giulia", last_name="Bianchi")
    lines = {
        "+393400000011": (sales, holder),
        "+393400000012": (sales, None),
        "+393400000021": (admin, None),
        "+393400000022": (admin, None),
        "+393400000031": (None, None),
    }
    charges = []
    for number, (centre, person) in lines.items():
        line = LineFactory(company=company, number=number, cost_centre=centre, holder=person)
        centre_id = centre.pk if centre else None
        charges += [
            Charge("recurring", "Canone Business 100", Decimal("15.00"), line_id=line.pk, cost_centre_id=centre_id),
            Charge("option", "Giga Extra", Decimal("5.00"), line_id=line.pk, cost_centre_id=centre_id),
        ]
    charges += [
        Charge("one_off", "Contributo attivazione", Decimal("900.00")),
        Charge("discount", "Sconto fedeltà", Decimal("-12.00")),
        Charge("one_off", "Manuale", Decimal("10.00"), vat_rate=Decimal("4.00")),
    ]
    # Taxable 100 + 888 at 22% and 10 at 4%: VAT 217.36 + 0.40, total 1,215.76.
    return issue(company, charges)


def test_the_copy_shows_the_invoice_in_italian_with_its_mark(invoice):
    pages, text = pdf_text(pdf.invoice_pdf_render(invoice))
    assert invoice.total_amount == Decimal("1215.76")
    assert invoice.number in text
    assert "1.215,76" in text  # Italian grouping and decimal comma
    assert "988,00" in text and "217,76" in text  # taxable and VAT
    assert italian("Copy not valid for tax purposes") in text
    assert invoice.company.name in text and invoice.company.vat_number in text
    assert "Nexo Telecom S.p.A." in text and "08123450150" in text
    assert "01/11/2026" in text and "01/10/2026" in text and "31/10/2026" in text and "01/12/2026" in text
    assert "Giulia Bianchi" in text
    with translation.override("it"):
        assert str(Invoice.Status.TO_PAY.label) in text
    # A page number on every page, out of the total.
    assert re.search(rf"{italian('Page')} {pages} {italian('of')} {pages}", text)


def test_charges_are_grouped_by_cost_centre_then_line_with_subtotals(invoice):
    _pages, text = pdf_text(pdf.invoice_pdf_render(invoice))
    detail = text[text.index(italian("Charges by cost centre and line")) :]
    # Cost centres by code, each with its lines by number, the lines without one last.
    order = [
        "AMM · Amministrazione",
        "+39 340 000 0021",
        "+39 340 000 0022",
        "VEN · Vendite",
        "+39 340 000 0011",
        "+39 340 000 0012",
        italian("Lines without a cost centre"),
        "+39 340 000 0031",
    ]
    positions = [detail.index(item) for item in order]
    assert positions == sorted(positions)
    assert detail.count(f"{italian('Line total')} € 20,00") == 5
    assert detail.count("€ 40,00") >= 2  # each cost centre's total
    # The company's own charges apart, with their total.
    company_part = text[text.index(italian("Company charges")) :]
    assert "Contributo attivazione" in company_part and "-12,00" in company_part and "898,00" in company_part


def test_queries_do_not_grow_with_the_lines(company):
    company.address, company.postcode, company.city = "Via Torino 5", "20123", "Milano"
    company.save()

    def invoice_of(lines: int) -> Invoice:
        charges = []
        for _n in range(lines):
            line = LineFactory(company=company, cost_centre=CostCentreFactory(company=company))
            charges.append(
                Charge("recurring", "Canone", Decimal("15.00"), line_id=line.pk, cost_centre_id=line.cost_centre_id)
            )
        return Invoice.objects.select_related("company").get(pk=issue(company, charges).pk)

    small, large = invoice_of(2), invoice_of(25)
    with CaptureQueriesContext(connection) as few:
        pdf.invoice_pdf_render(small)
    with CaptureQueriesContext(connection) as many:
        pdf.invoice_pdf_render(large)
    assert len(many) == len(few) <= 3


def test_the_pdf_is_rendered_once_and_stored(invoice, monkeypatch):
    stored = pdf.invoice_pdf_ensure(invoice_id=invoice.pk)
    assert stored.pdf.name.endswith(f"invoice_2026_{invoice.sequence:06d}.pdf")
    first = stored.pdf.read()
    assert first.startswith(b"%PDF")

    def must_not_render(invoice):
        raise AssertionError("rendered again")

    monkeypatch.setattr(pdf, "invoice_pdf_render", must_not_render)
    again = pdf.invoice_pdf_ensure(invoice_id=invoice.pk)
    assert again.pdf.name == stored.pdf.name
    assert again.pdf.read() == first
    assert Invoice.objects.get(pk=invoice.pk).pdf.storage.exists(stored.pdf.name)


@pytest.mark.django_db(transaction=True)
def test_two_racing_requests_render_once(monkeypatch, settings, tmp_path):
    if not connection.features.has_select_for_update:
        pytest.skip("the row lock needs PostgreSQL")
    company = CompanyFactory(address="Via Torino 5", postcode="20123", city="Milano")
    invoice = issue(company, [Charge("recurring", "Canone", Decimal("15.00"))])
    render = pdf.invoice_pdf_render
    renders = []

    def slow_render(invoice):
        renders.append(invoice.pk)
        time.sleep(0.5)  # long enough for the other request to arrive meanwhile
        return render(invoice)

    monkeypatch.setattr(pdf, "invoice_pdf_render", slow_render)
    names, errors = [], []

    def request():
        try:
            names.append(pdf.invoice_pdf_ensure(invoice_id=invoice.pk).pdf.name)
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert renders == [invoice.pk]
    assert len(set(names)) == 1 and names[0]


def test_texts_for_the_page_margins_are_escaped_for_css():
    assert pdf.css_string('Fattura "2026/1" \\ n°1') == '"Fattura \\22 2026/1\\22  \\5c  n\\b0 1"'

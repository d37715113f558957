"""The call detail of an invoice (SPEC F-BIL-1): its lines' records of the billing period, xlsx and PDF."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pypdf
import pytest
from django.utils import translation

from selfcare.billing.documents import call_detail
from selfcare.billing.models import Invoice
from selfcare.billing.services.invoices import Charge, invoice_issue
from selfcare.core.errors import ApplicationError
from selfcare.usage.export import COLUMNS
from selfcare.usage.models import Category, UsageRecord
from tests.factories import LineFactory

ROME = ZoneInfo("Europe/Rome")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=ROME)


def record(line, record_id, started_at, **fields):
    defaults = {"category": "voice", "duration_seconds": 125, "other_party": "+390212345678", "cost": Decimal("0.1")}
    return UsageRecord.objects.create(line=line, record_id=record_id, started_at=started_at, **{**defaults, **fields})


@pytest.fixture
def billed(company, other_company):
    """An invoice of October 2026 on two lines, their records in and around the month, and records
    of a line not on the invoice and of another company, which must never appear."""
    company.call_detail_enabled = True
    company.save()
    first = LineFactory(company=company, number="+393401111111")
    second = LineFactory(company=company, number="+393400000002")
    not_billed = LineFactory(company=company, number="+393409999999")
    stranger = LineFactory(company=other_company, number="+393405555555")
    invoice = invoice_issue(
        company_id=company.pk,
        kind=Invoice.Kind.SERVICES,
        charges=[
            Charge("recurring", "Canone", Decimal("15.00"), line_id=first.pk),
            Charge("option", "Giga", Decimal("5.00"), line_id=first.pk),
            Charge("recurring", "Canone", Decimal("15.00"), line_id=second.pk),
            Charge("one_off", "Contributo", Decimal("10.00")),
        ],
        issued_on=datetime.date(2026, 11, 1),
        due_on=datetime.date(2026, 11, 30),
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
    )
    # Rome days: 1 October 00:05 Rome is still 30 September in UTC; 31 October 23:30 Rome (after
    # the change to winter time) is in; 1 November 00:10 Rome is out.
    record(first, "A3", at(2026, 10, 31, 23, 30), category="sms", duration_seconds=0, other_party="+393331234567")
    record(first, "A1", at(2026, 10, 1, 0, 5))
    record(first, "A2", at(2026, 10, 15, 9, 0), category="data", duration_seconds=0, other_party="",
           volume_bytes=3 * 1024 * 1024, roaming_zone="EU", cost=Decimal("0.25"))  # fmt: skip
    record(first, "OUT1", at(2026, 11, 1, 0, 10))
    record(first, "OUT2", at(2026, 9, 30, 23, 55))
    record(second, "B1", at(2026, 10, 2, 12, 0), duration_seconds=61)
    record(not_billed, "N1", at(2026, 10, 3, 12, 0))
    record(stranger, "S1", at(2026, 10, 3, 12, 0))
    return invoice


def test_the_xlsx_has_the_invoice_lines_records_of_the_period_in_italian(billed):
    name, content = call_detail.call_detail_xlsx(billed)
    assert name.endswith(f"_2026_{billed.sequence:06d}.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    with translation.override("it"):
        assert list(rows[0]) == [str(column.header) for column in COLUMNS]
        assert sheet.title == translation.gettext("Call detail")[:31]
        data_label = str(Category.DATA.label)
    # By line number, then by time: the second line (…0002) before the first (…1111).
    assert [(row[1], row[9]) for row in rows[1:]] == [
        ("+393400000002", "B1"),
        ("+393401111111", "A1"),
        ("+393401111111", "A2"),
        ("+393401111111", "A3"),
    ]
    assert rows[1][0] == at(2026, 10, 2, 12, 0).replace(tzinfo=None)  # Rome wall-clock time
    assert rows[1][5] == 61
    data = rows[3]
    assert (data[2], data[6], data[7], data[8]) == (data_label, 3, "EU", 0.25)


def test_the_pdf_has_each_lines_totals_and_records(billed):
    name, content = call_detail.call_detail_pdf(billed)
    assert name.endswith(".pdf")
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert billed.number in text
    for number in ("+39 340 111 1111", "+39 340 000 0002"):
        assert number in text
    for moment in ("01/10/2026 00:05:00", "15/10/2026 09:00:00", "31/10/2026 23:30:00", "02/10/2026 12:00:00"):
        assert moment in text
    assert "01/11/2026 00:10:00" not in text and "30/09/2026 23:55:00" not in text
    assert "+39 340 999 9999" not in text and "+39 340 555 5555" not in text
    assert "2:05" in text and "1:01" in text  # call durations
    assert "0,4500" in text  # the first line's cost: 0.10 + 0.25 + 0.10
    with translation.override("it"):
        assert translation.gettext("Copy not valid for tax purposes") in text


def test_refused_when_the_company_has_not_enabled_it(billed):
    billed.company.call_detail_enabled = False
    for make in (call_detail.call_detail_xlsx, call_detail.call_detail_pdf):
        with pytest.raises(ApplicationError) as caught:
            make(billed)
        assert caught.value.code == "call_detail_disabled"


def test_too_many_records_for_a_pdf_point_to_the_spreadsheet(billed, monkeypatch):
    monkeypatch.setattr(call_detail, "PDF_MAX_RECORDS", 3)
    with pytest.raises(ApplicationError) as caught:
        call_detail.call_detail_pdf(billed)
    assert caught.value.code == "call_detail_too_long" and "xlsx" in caught.value.message
    monkeypatch.setattr(call_detail, "PDF_MAX_RECORDS", 4)
    call_detail.call_detail_pdf(billed)  # exactly at the limit
    monkeypatch.setattr(call_detail, "XLSX_MAX_RECORDS", 3)
    with pytest.raises(ApplicationError):
        call_detail.call_detail_xlsx(billed)


def test_an_invoice_without_records_gives_empty_documents(billed):
    UsageRecord.objects.all().delete()
    sheet = openpyxl.load_workbook(io.BytesIO(call_detail.call_detail_xlsx(billed)[1])).active
    assert sheet.max_row == 1
    reader = pypdf.PdfReader(io.BytesIO(call_detail.call_detail_pdf(billed)[1]))
    with translation.override("it"):
        assert translation.gettext("No records in this period.") in reader.pages[0].extract_text()


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("pdf", "application/pdf")],
)
def test_the_download_response(billed, fmt, content_type):
    response = call_detail.call_detail_response(billed, fmt=fmt)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;") and f".{fmt}" in response["Content-Disposition"]
    assert len(response.content) > 1000

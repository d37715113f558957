"""The call detail of an invoice (SPEC F-BIL-1): the usage records of the invoice's lines in its
billing period, for the companies that asked for it (`Company.call_detail_enabled`).

Two forms, both in Italian like the invoice:
- .xlsx: the "Download traffico" spreadsheet (selfcare.usage.export: same columns, same writers,
  records streamed from a server-side cursor), every line of the invoice in one sheet, by line
  number then time; at most XLSX_MAX_RECORDS records (Excel's rows);
- PDF: each line's totals, then its records; at most PDF_MAX_RECORDS records, past which the
  spreadsheet is the form to download (hundreds of pages help nobody and take minutes to render).
"""

import datetime
import io
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from selfcare.billing.models import Invoice, InvoiceLine
from selfcare.core.errors import ApplicationError
from selfcare.core.templatetags.units import call_duration, data_volume
from selfcare.core.validators import format_phone_number
from selfcare.usage.export import COLUMNS, record_rows, rome_midnight, write_xlsx
from selfcare.usage.models import UsageRecord

from .pdf import css_string, operator_context, pdf_render

TEMPLATE = "billing/documents/call_detail_pdf.html"
PDF_MAX_RECORDS = 20_000
XLSX_MAX_RECORDS = 1_048_575  # an Excel sheet's rows, less the header
# The records in the PDF, as monospaced text in these columns (characters); see pdf.DETAIL_COLUMNS.
RECORD_COLUMNS = (
    ("started_at", 21, "<"),
    ("category", 12, "<"),
    ("direction", 11, "<"),
    ("other_party", 20, "<"),
    ("duration", 10, ">"),
    ("volume", 13, ">"),
    ("zone", 8, ">"),
    ("cost", 11, ">"),
)


def _require_enabled(invoice: Invoice) -> None:
    if not invoice.company.call_detail_enabled:
        raise ApplicationError(
            _("The call detail is not enabled for your company: a manager can turn it on in the e-invoicing page."),
            code="call_detail_disabled",
            status=409,
        )


def call_detail_records(invoice: Invoice) -> QuerySet:
    """The usage records of the invoice's lines that started in its billing period (Rome days)."""
    start = rome_midnight(invoice.period_start)
    end = rome_midnight(invoice.period_end + datetime.timedelta(days=1))
    lines = InvoiceLine.objects.filter(invoice_id=invoice.pk, line__isnull=False).values("line_id")
    return UsageRecord.objects.filter(line_id__in=lines, started_at__gte=start, started_at__lt=end)


def _line_numbers(invoice: Invoice) -> dict[int, str]:
    rows = InvoiceLine.objects.filter(invoice_id=invoice.pk, line__isnull=False).values_list("line_id", "line__number")
    return dict(rows.distinct())


def _refuse_over(records: QuerySet, limit: int, message: str) -> None:
    # Counting stops at limit + 1: a company's whole month is never counted in full.
    if records.order_by()[: limit + 1].count() > limit:
        raise ApplicationError(message, code="call_detail_too_long")


def _ordered(records: QuerySet) -> QuerySet:
    # By line number, then as the traffic export orders a line's records.
    return records.order_by("line__number", "started_at", "record_id")


def call_detail_file_name(invoice: Invoice, extension: str) -> str:
    return f"{_('call_detail')}_{invoice.year}_{invoice.sequence:06d}.{extension}"


def call_detail_xlsx(invoice: Invoice) -> tuple[str, bytes]:
    """The invoice's call detail as .xlsx: (file name, content). ApplicationError when the company
    has not enabled it, or when it has more records than a sheet holds."""
    _require_enabled(invoice)
    with translation.override("it"):
        records = call_detail_records(invoice)
        _refuse_over(
            records,
            XLSX_MAX_RECORDS,
            _("The call detail has more records than a spreadsheet can hold: download each line's traffic."),
        )
        buffer = io.BytesIO()
        write_xlsx(record_rows(_ordered(records), _line_numbers(invoice)), COLUMNS, buffer, title=_("Call detail"))
        return call_detail_file_name(invoice, "xlsx"), buffer.getvalue()


@dataclass
class LineDetail:
    number: str
    holder: str = ""
    records: int = 0
    duration: str = ""
    volume: str = ""
    cost: str = ""
    block: str = ""


def _record_row(values: dict[str, str]) -> str:
    cells = []
    for name, width, align in RECORD_COLUMNS:
        value = values.get(name, "")[: width - 1]
        cells.append(value.ljust(width) if align == "<" else value.rjust(width))
    return "".join(cells).rstrip()


def _record_text(row: tuple) -> str:
    started_at, _number, category, direction, other, seconds, volume_mb, zone, cost, _record_id = row
    return _record_row(
        {
            "started_at": started_at.strftime("%d/%m/%Y %H:%M:%S"),
            "category": category,
            "direction": direction,
            "other_party": other,
            "duration": call_duration(seconds) if seconds else "",
            "volume": formats.number_format(volume_mb, 3, use_l10n=True, force_grouping=True) if volume_mb else "",
            "zone": zone,
            "cost": formats.number_format(cost, 4, use_l10n=True),
        }
    )


def _header() -> str:
    return _record_row(
        {
            "started_at": _("Start"),
            "category": _("Type"),
            "direction": _("Direction"),
            "other_party": _("Other party"),
            "duration": _("Duration"),
            "volume": _("Volume (MB)"),
            "zone": _("Roaming"),
            "cost": _("Cost (€)"),
        }
    )


def _line_details(invoice: Invoice, records: QuerySet) -> list[LineDetail]:
    """Every line of the invoice with its totals (one query) and its records as text (one more)."""
    numbers = _line_numbers(invoice)
    holders = {
        line_id: f"{first_name} {last_name}"
        for line_id, first_name, last_name in InvoiceLine.objects.filter(
            invoice_id=invoice.pk, line__holder__isnull=False
        )
        .values_list("line_id", "line__holder__first_name", "line__holder__last_name")
        .distinct()
    }
    details = {
        line_id: LineDetail(number=format_phone_number(number), holder=holders.get(line_id, ""))
        for line_id, number in sorted(numbers.items(), key=lambda item: item[1])
    }
    totals = (
        records.order_by()
        .values("line_id")
        .annotate(n=Count("pk"), seconds=Sum("duration_seconds"), volume=Sum("volume_bytes"), cost=Sum("cost"))
    )
    for total in totals:
        detail = details[total["line_id"]]
        detail.records = total["n"]
        detail.duration = call_duration(total["seconds"] or 0)
        detail.volume = data_volume(total["volume"] or 0)
        detail.cost = formats.number_format(total["cost"] or 0, 4, use_l10n=True, force_grouping=True)
    by_number = {number: details[line_id] for line_id, number in numbers.items()}
    texts: dict[str, list[str]] = {}
    for row in record_rows(_ordered(records), numbers):
        texts.setdefault(row[1], []).append(_record_text(row))
    for number, rows in texts.items():
        by_number[number].block = "\n".join(rows)
    return list(details.values())


def call_detail_pdf(invoice: Invoice) -> tuple[str, bytes]:
    """The invoice's call detail as PDF: (file name, content). ApplicationError when the company has
    not enabled it, or past PDF_MAX_RECORDS records (the .xlsx has them all)."""
    _require_enabled(invoice)
    with translation.override("it"):
        records = call_detail_records(invoice)
        _refuse_over(
            records,
            PDF_MAX_RECORDS,
            _("The call detail has more than %(count)s records: download it as a spreadsheet (xlsx).")
            % {"count": formats.number_format(PDF_MAX_RECORDS, force_grouping=True)},
        )
        title = _("Call detail of invoice %(number)s") % {"number": invoice.number}
        lines = _line_details(invoice, records)
        context = {
            "invoice": invoice,
            "company": invoice.company,
            "operator": operator_context(),
            "title": title,
            "lines": lines,
            "has_records": any(line.block for line in lines),
            "header": _header(),
            "margin": {
                "mark": css_string(_("Copy not valid for tax purposes")),
                "number": css_string(title),
                "page": css_string(_("Page")),
                "of": css_string(_("of")),
                "operator": css_string(operator_context()["name"]),
            },
        }
        html = render_to_string(TEMPLATE, context)
        return call_detail_file_name(invoice, "pdf"), pdf_render(html)


def call_detail_response(invoice: Invoice, *, fmt: str) -> HttpResponse:
    """The call detail as a download, `fmt` "xlsx" or "pdf" (ApplicationError as the functions above)."""
    if fmt == "xlsx":
        name, content = call_detail_xlsx(invoice)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        name, content = call_detail_pdf(invoice)
        content_type = "application/pdf"
    else:
        raise ValueError(f"unknown call detail format {fmt!r}")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response

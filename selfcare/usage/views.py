"""Traffico pages (F-TRF-1, F-TRF-2): pick a line, see its traffic of a period, download the detail."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError
from selfcare.core.htmx import render_page_or_fragment
from selfcare.core.pagination import first_page_if_invalid
from selfcare.core.permissions import Cap
from selfcare.lines.models import Line

from . import export, selectors
from .forms import PERIOD_CHOICES, TrafficExportForm, TrafficPeriodForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _lines_page(request, kind: str):
    scope = request.scope
    if scope.is_employee and Line.objects.filter(pk=scope.current_line_id, kind=kind).exists():
        # An employee's traffic is his current line's; the list below is for his other lines.
        return redirect("traffic:line", line_id=scope.current_line_id)
    q = request.GET.get("q", "")[:100]
    cursor = request.GET.get("cursor")
    page = first_page_if_invalid(selectors.traffic_line_choices, scope=scope, kind=kind, q=q, cursor=cursor)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"kind": kind, "page": page, "q": q, "query": query.urlencode(), "active_area": "traffico"}
    return render_page_or_fragment(request, "usage/traffic_lines.html", "usage/_traffic_lines_table.html", context)


@capability_required(Cap.TRAFFIC_VIEW)
def mobile(request):
    return _lines_page(request, Line.Kind.MOBILE)


@capability_required(Cap.TRAFFIC_VIEW)
def fixed(request):
    return _lines_page(request, Line.Kind.FIXED)


@capability_required(Cap.TRAFFIC_VIEW)
def line_traffic(request, line_id):
    line = selectors.traffic_line(scope=request.scope, line_id=line_id)
    form = TrafficPeriodForm(request.GET)
    period = form.chosen_period()
    cursor = form.cleaned_data.get("cursor") or None
    records = first_page_if_invalid(selectors.traffic_records, line_id=line.pk, period=period, cursor=cursor)
    export_form = TrafficExportForm(initial=TrafficExportForm.initial_range())
    context = _context(request, line, period, records, export_form)
    return render_page_or_fragment(request, "usage/line_traffic.html", "usage/_records_table.html", context)


def _context(request, line, period, records, export_form) -> dict:
    summary = selectors.traffic_summary(line_id=line.pk, period=period)
    chart = {
        "labels": [d["day"].strftime("%d/%m") for d in summary.days],
        "data_mb": [round(d["data_bytes"] / 1_048_576, 1) for d in summary.days],
        "call_minutes": [round(d["call_seconds"] / 60, 1) for d in summary.days],
        "data_label": _("Internet (MB)"),
        "calls_label": _("Calls (minutes)"),
    }
    return {
        "line": line,
        "summary": summary,
        "records": records,
        "chart": chart,
        "periods": PERIOD_CHOICES,
        "period": period,
        "query": f"period={period}",
        "export_form": export_form,
        "can_export": request.scope.can(Cap.TRAFFIC_EXPORT),
        "active_area": "traffico",
    }


@capability_required(Cap.TRAFFIC_EXPORT)
def line_traffic_export(request, line_id):
    """The .xlsx of the line's records in a date range; a bad range shows the page with the message."""
    line = selectors.traffic_line(scope=request.scope, line_id=line_id)
    form = TrafficExportForm(request.GET)
    if form.is_valid():
        try:
            name, content = export.traffic_export(line, form.cleaned_data["date_from"], form.cleaned_data["date_to"])
        except ApplicationError as error:
            form.add_error("date_to", str(error))
        else:
            response = HttpResponse(content, content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    period = selectors.Period.MONTH
    records = selectors.traffic_records(line_id=line.pk, period=period)
    context = _context(request, line, period, records, form)
    return render(request, "usage/line_traffic.html", context, status=400)

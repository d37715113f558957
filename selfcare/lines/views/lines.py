"""Pages of the mobile and fixed line lists, their CSV export, a line's detail and its PIN/PUK."""

from functools import partial

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from selfcare.core.csv_export import csv_response
from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError
from selfcare.core.htmx import is_fragment_request, render_page_or_fragment
from selfcare.core.pagination import first_page_if_invalid
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip
from selfcare.core.templatetags.units import allowance_amount
from selfcare.lines import services
from selfcare.lines.forms import SORT_CHOICES, LineFilterForm
from selfcare.lines.models import Line
from selfcare.lines.selectors import lines as selectors


def _line_list(request, kind: str):
    form = LineFilterForm(request.GET or None, scope=request.scope, kind=kind)
    form.is_valid()
    filters = form.filters()
    cursor = form.cleaned_data.get("cursor") if form.is_bound else None
    result = first_page_if_invalid(selectors.line_list, scope=request.scope, filters=filters, cursor=cursor)
    context = {
        "form": form,
        "result": result,
        "kind": kind,
        "query": _query_without(request, "cursor"),
        # Callables, called by the template only when the table and form are not in the cache.
        "sort_columns": partial(_sort_columns, request, filters),
        "sort_options": _sort_options,
        "active_area": "prodotti",
    }
    return render_page_or_fragment(request, "lines/line_list.html", "lines/_lines_table.html", context)


def _sort_columns(request, filters) -> list[dict]:
    """The sortable column headers: a click sorts by the column, a second click reverses it."""
    columns = []
    for key, label in SORT_CHOICES:
        current = filters.sort == key
        query = request.GET.copy()
        query.pop("cursor", None)
        query["sort"] = f"-{key}" if current and not filters.descending else key
        aria = ("descending" if filters.descending else "ascending") if current else ""
        columns.append({"label": label, "url": f"?{query.urlencode()}", "aria": aria})
    return columns


def _sort_options() -> list[tuple[str, str]]:
    """The sort menu shown on phones, where the column headers are hidden."""
    options = []
    for key, label in SORT_CHOICES:
        options += [(key, f"{label} ↑"), (f"-{key}", f"{label} ↓")]
    return options


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@capability_required(Cap.COMPANY_LINES_VIEW)
def mobile_list(request):
    return _line_list(request, Line.Kind.MOBILE)


@capability_required(Cap.COMPANY_LINES_VIEW)
def fixed_list(request):
    return _line_list(request, Line.Kind.FIXED)


def _export(request, kind: str):
    form = LineFilterForm(request.GET or None, scope=request.scope, kind=kind)
    form.is_valid()
    rows = selectors.line_export_rows(scope=request.scope, filters=form.filters())
    header = [
        _("Number"),
        _("Holder"),
        _("Cost centre"),
        _("Offer"),
        _("Status"),
        _("Counters"),
        _("Active options"),
        _("Nearest expiry"),
    ]
    name = f"{'linee-mobili' if kind == Line.Kind.MOBILE else 'linee-fisse'}-{timezone.localdate():%Y%m%d}.csv"
    return csv_response(name, header, (_export_row(line) for line in rows))


def _export_row(line: Line) -> list:
    counters = " | ".join(
        f"{c.get_kind_display()}: {allowance_amount(c.used, c.kind)}"
        + (f" / {allowance_amount(c.allowance, c.kind)}" if c.allowance else "")
        for c in line.current_counters
    )
    expiries = [o.expires_at for o in line.current_options if o.expires_at]
    return [
        line.display_number,
        str(line.holder) if line.holder else "",
        line.cost_centre.code if line.cost_centre else "",
        line.offer.name,
        line.get_status_display(),
        counters,
        ", ".join(o.option.name for o in line.current_options),
        timezone.localtime(min(expiries)).date().isoformat() if expiries else "",
    ]


@capability_required(Cap.COMPANY_LINES_VIEW)
def mobile_export(request):
    return _export(request, Line.Kind.MOBILE)


@capability_required(Cap.COMPANY_LINES_VIEW)
def fixed_export(request):
    return _export(request, Line.Kind.FIXED)


@capability_required(Cap.LINES_VIEW)
def line_detail(request, line_id: int):
    detail = selectors.line_detail(scope=request.scope, line_id=line_id)
    return render(request, "lines/line_detail.html", {"detail": detail, "active_area": "prodotti"})


@require_POST
@capability_required(Cap.SIM_SECRETS_REVEAL)
def reveal_secrets(request, line_id: int):
    """Show the SIM's PIN and PUK (audited); a fragment for HTMX, the whole page otherwise."""
    secrets, error = None, None
    try:
        secrets = services.sim_secrets_reveal(scope=request.scope, line_id=line_id, ip=client_ip(request))
    except ApplicationError as exc:
        error = exc.message
    status = 429 if error else 200
    if is_fragment_request(request):
        # HTMX swaps only 2xx answers by default: the refusal is a 200 carrying the message.
        return render(request, "lines/_secrets.html", {"secrets": secrets, "error": error, "line_id": line_id})
    detail = selectors.line_detail(scope=request.scope, line_id=line_id)
    context = {"detail": detail, "secrets": secrets, "error": error, "active_area": "prodotti"}
    return render(request, "lines/line_detail.html", context, status=status)

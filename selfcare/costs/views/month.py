"""The month's traffic costs per cost centre, holder and line, and their CSV downloads."""

from django.utils.formats import date_format, get_format
from django.utils.translation import gettext as _

from selfcare.core.csv_export import csv_response
from selfcare.core.decorators import capability_required
from selfcare.core.htmx import render_page_or_fragment
from selfcare.core.money import quantize_money
from selfcare.core.permissions import Cap
from selfcare.costs.forms import MonthForm
from selfcare.costs.selectors import month as selectors
from selfcare.costs.selectors import registry

from . import AREA, paged, query_without

view_required = capability_required(Cap.COSTS_VIEW)


def _month_form(request) -> MonthForm:
    # The company's cost centres are read only when the lines tab is filtered by one.
    centres = (
        [pk for pk, _label in registry.cost_centre_choices(scope=request.scope)] if request.GET.get("centre") else []
    )
    form = MonthForm(request.GET, centre_ids=centres)
    form.is_valid()
    return form


def _chart(summary) -> dict:
    """What the bar chart draws: the cost centres that cost something (floats: it only draws; the
    table shows exact euros and every cost centre)."""
    rows = [row for row in summary.centres if quantize_money(row.costs.total)]  # bars of 0 only take room
    return {
        "label": _("Cost"),
        "labels": [row.code or _("No cost centre") for row in rows],
        "amounts": [float(quantize_money(row.costs.total)) for row in rows],
    }


@view_required
def month_costs(request):
    """The month's total and one table: per cost centre (with the chart), per holder or per line.
    The month form and the tabs swap only the part below the form (htmx)."""
    form = _month_form(request)
    values = form.values()
    month, by, centre = values["month"], values["by"], values["centre"]
    scope = request.scope
    summary = selectors.month_summary(scope=scope, month=month)
    context = {
        "form": form,
        "summary": summary,
        "month": month,
        "month_key": selectors.month_key(month),
        "by": by,
        "centre": centre,
        "query": query_without(request, "cursor"),
        "active_area": AREA,
    }
    if by == "holder":
        context["result"] = paged(selectors.month_holders, scope=scope, month=month, cursor=values["cursor"])
    elif by == "line":
        context["result"] = paged(
            selectors.month_lines, scope=scope, month=month, centre=centre, cursor=values["cursor"]
        )
        context["centre_row"] = next((r for r in summary.centres if centre and _is_row_of(r, centre)), None)
    else:
        context["chart"] = _chart(summary)
    return render_page_or_fragment(request, "costs/month.html", "costs/_month_body.html", context)


def _is_row_of(row, centre) -> bool:
    """Whether a row of the summary is the cost centre the lines are filtered by (or "none")."""
    return row.cost_centre_id == centre or (row.cost_centre_id is None and centre == selectors.NO_CENTRE)


def _euro_formatter():
    """Amounts for a spreadsheet: 2 decimals, the page language's decimal mark, no grouping. The
    mark is read now: the rows of a streamed download are written after the view has returned."""
    mark = get_format("DECIMAL_SEPARATOR")
    return lambda amount: f"{quantize_money(amount):.2f}".replace(".", mark)


def _cost_headers() -> list[str]:
    return [_("Calls (€)"), _("Messages (€)"), _("Internet (€)"), _("Other (€)"), _("Total (€)")]


@view_required
def month_export_centres(request):
    month = _month_form(request).values()["month"]
    summary = selectors.month_summary(scope=request.scope, month=month)
    header = [_("Month"), _("Cost centre code"), _("Cost centre"), _("Lines with traffic"), *_cost_headers()]
    label, euro, no_centre = date_format(month, "Y-m"), _euro_formatter(), _("No cost centre")
    rows = [
        [label, row.code, row.name or no_centre, row.lines, *(euro(v) for v in row.costs.values())]
        for row in summary.centres
    ]
    return csv_response(f"costi-centri-di-costo-{label}.csv", header, rows)


@view_required
def month_export_lines(request):
    month = _month_form(request).values()["month"]
    lines = selectors.month_line_export_rows(scope=request.scope, month=month)
    header = [
        _("Month"), _("Number"), _("Holder"), _("Employee code"), _("Cost centre code"), _("Cost centre"),
        *_cost_headers(),
    ]  # fmt: skip
    label, euro, no_centre = date_format(month, "Y-m"), _euro_formatter(), _("No cost centre")

    def rows():
        for line in lines:
            holder, centre = line.holder, line.cost_centre
            costs = selectors.Costs.of(line)
            yield [
                label,
                line.number,
                str(holder) if holder else "",
                holder.employee_code if holder else "",
                centre.code if centre else "",
                centre.name if centre else no_centre,
                *(euro(v) for v in costs.values()),
            ]

    return csv_response(f"costi-linee-{label}.csv", header, rows())

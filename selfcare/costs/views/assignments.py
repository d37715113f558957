"""Assigning lines: one line (its holder and cost centre), or many from a CSV file, and that file's
current contents to download, edit and upload again."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.core.csv_export import csv_response
from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.htmx import is_fragment_request
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip
from selfcare.costs import assignment_csv
from selfcare.costs.forms import AssignmentUploadForm, HolderSearchForm, LineAssignmentForm
from selfcare.costs.selectors import registry as selectors
from selfcare.costs.services import assignments as services

from . import AREA, posted

manage_required = capability_required(Cap.COSTS_MANAGE)
# Problems listed on the page after an upload; the counts always cover every row.
PROBLEMS_SHOWN = 500


def _holder_choices(request, line, form) -> tuple[list, HolderSearchForm, list]:
    """The radios of the holder field: the line's holder, the holders the search found, and on a
    refused submission the one that was chosen (when it is the company's); with the search form
    and what it found."""
    search = HolderSearchForm({"q": request.GET.get("holder_q", "")})
    found = selectors.holder_search(scope=request.scope, q=search.cleaned_data["q"]) if search.is_valid() else []
    holders = [line.holder] if line.holder else []
    chosen = form.data.get("holder") if form.is_bound else None
    if chosen and str(chosen).isdigit() and int(chosen) not in {h.pk for h in holders + found}:
        holders += selectors.holder_search_ids(scope=request.scope, ids=[int(chosen)])
    return holders + [h for h in found if h.pk not in {x.pk for x in holders}], search, found


@manage_required
def line_assign(request, line_id: int):
    """A line's holder and cost centre. The holder search swaps only its results (htmx)."""
    line = selectors.line_for_assignment(scope=request.scope, line_id=line_id)
    initial = {"holder": line.holder_id, "cost_centre": line.cost_centre_id}
    form = LineAssignmentForm(
        posted(request),
        initial=initial,
        cost_centres=selectors.cost_centre_choices(scope=request.scope),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.line_assign(
                scope=request.scope,
                line_id=line.pk,
                holder_id=form.cleaned_data["holder"],
                cost_centre_id=form.cleaned_data["cost_centre"],
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(
                request, _("Holder and cost centre of %(number)s saved.") % {"number": line.display_number}
            )
            return redirect("lines:detail", line_id=line.pk)
    holders, search, found = _holder_choices(request, line, form)
    selected = form.data.get("holder", "") if form.is_bound else (line.holder_id or "")
    context = {
        "line": line,
        "form": form,
        "holders": holders,
        "search": search,
        "searched": bool(search.is_valid() and search.cleaned_data["q"].strip()),
        "found": found,
        "selected": str(selected),
        "active_area": AREA,
    }
    if is_fragment_request(request) and request.method == "GET":
        return render(request, "costs/_holder_choices.html", context)
    return render(request, "costs/line_assign.html", context, status=400 if form.errors else 200)


@manage_required
def assignment_upload(request):
    """The assignment file: its format, the upload, and the report of what each row did."""
    form = AssignmentUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = assignment_csv.parse_assignment_csv(form.cleaned_data["file"].read())
            report = services.assignments_import(
                scope=request.scope, rows=rows, apply=not form.cleaned_data["check_only"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
    context = {
        "form": form,
        "report": report,
        "problems": report.problems[:PROBLEMS_SHOWN] if report else [],
        "active_area": AREA,
    }
    return render(request, "costs/assignment_upload.html", context, status=400 if form.errors else 200)


@manage_required
def assignment_export(request):
    """Every line with its holder's employee code and its cost centre's code: the file to edit."""
    header = [_("Number"), _("Employee code"), _("Cost centre code")]
    rows = selectors.assignment_export_rows(scope=request.scope)
    return csv_response(f"assegnazioni-linee-{timezone.localdate():%Y%m%d}.csv", header, rows)

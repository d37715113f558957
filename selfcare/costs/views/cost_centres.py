"""Cost centre pages: the list, create, edit, delete (with what deleting leaves without one)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.htmx import render_page_or_fragment
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip
from selfcare.costs.forms import CostCentreForm
from selfcare.costs.selectors import registry as selectors
from selfcare.costs.services import cost_centres as services

from . import AREA, paged, posted, query_without

manage_required = capability_required(Cap.COSTS_MANAGE)


@capability_required(Cap.COSTS_VIEW)
def cost_centre_list(request):
    result = paged(selectors.cost_centre_list, scope=request.scope, cursor=request.GET.get("cursor") or None)
    context = {"result": result, "query": query_without(request, "cursor"), "active_area": AREA}
    return render_page_or_fragment(request, "costs/cost_centres.html", "costs/_cost_centres_table.html", context)


def _form_page(request, form, centre=None):
    context = {"form": form, "centre": centre, "active_area": AREA}
    return render(request, "costs/cost_centre_form.html", context, status=400 if form.errors else 200)


@manage_required
def cost_centre_create(request):
    form = CostCentreForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            centre = services.cost_centre_create(scope=request.scope, ip=client_ip(request), **form.cleaned_data)
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Cost centre %(code)s created.") % {"code": centre.code})
            return redirect("costs:cost_centres")
    return _form_page(request, form)


@manage_required
def cost_centre_edit(request, cost_centre_id: int):
    centre = selectors.cost_centre_get(scope=request.scope, cost_centre_id=cost_centre_id)
    form = CostCentreForm(posted(request), initial={"code": centre.code, "name": centre.name})
    if request.method == "POST" and form.is_valid():
        try:
            centre = services.cost_centre_update(
                scope=request.scope, cost_centre_id=centre.pk, ip=client_ip(request), **form.cleaned_data
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Cost centre %(code)s saved.") % {"code": centre.code})
            return redirect("costs:cost_centres")
    return _form_page(request, form, centre)


@manage_required
def cost_centre_delete(request, cost_centre_id: int):
    centre = selectors.cost_centre_get(scope=request.scope, cost_centre_id=cost_centre_id)
    error = None
    if request.method == "POST":
        try:
            use = services.cost_centre_delete(scope=request.scope, cost_centre_id=centre.pk, ip=client_ip(request))
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _deleted_message(centre.code, use))
            return redirect("costs:cost_centres")
    context = {"centre": centre, "error": error, "active_area": AREA}
    return render(request, "costs/cost_centre_delete.html", context, status=409 if error else 200)


def _deleted_message(code: str, use: services.CostCentreUse) -> str:
    text = _("Cost centre %(code)s deleted.") % {"code": code}
    if use.lines:
        text += " " + ngettext(
            "%(n)d line is now without a cost centre.", "%(n)d lines are now without a cost centre.", use.lines
        ) % {"n": use.lines}
    return text

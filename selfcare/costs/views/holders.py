"""Holder pages (anagrafiche): the list with its search, create, edit, delete."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.htmx import render_page_or_fragment
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip
from selfcare.costs.forms import HolderForm, HolderSearchForm
from selfcare.costs.selectors import registry as selectors
from selfcare.costs.services import holders as services

from . import AREA, paged, posted, query_without

manage_required = capability_required(Cap.COSTS_MANAGE)


@capability_required(Cap.COSTS_VIEW)
def holder_list(request):
    """The page, or only its table when the search asks through htmx."""
    search = HolderSearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    result = paged(selectors.holder_list, scope=request.scope, q=q, cursor=request.GET.get("cursor") or None)
    context = {
        "search": search,
        "q": q,
        "result": result,
        "query": query_without(request, "cursor"),
        "active_area": AREA,
    }
    return render_page_or_fragment(request, "costs/holders.html", "costs/_holders_table.html", context)


def _service_arguments(form) -> dict:
    data = dict(form.cleaned_data)
    data["cost_centre_id"] = data.pop("cost_centre")
    return data


def _form_page(request, form, holder=None):
    context = {"form": form, "holder": holder, "active_area": AREA}
    return render(request, "costs/holder_form.html", context, status=400 if form.errors else 200)


@manage_required
def holder_create(request):
    form = HolderForm(
        posted(request),
        cost_centres=selectors.cost_centre_choices(scope=request.scope),
    )
    if request.method == "POST" and form.is_valid():
        try:
            holder = services.holder_create(scope=request.scope, ip=client_ip(request), **_service_arguments(form))
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Holder %(name)s created.") % {"name": holder})
            return redirect("costs:holders")
    return _form_page(request, form)


@manage_required
def holder_edit(request, holder_id: int):
    holder = selectors.holder_get(scope=request.scope, holder_id=holder_id)
    initial = {
        "first_name": holder.first_name,
        "last_name": holder.last_name,
        "email": holder.email,
        "employee_code": holder.employee_code,
        "cost_centre": holder.cost_centre_id,
    }
    form = HolderForm(
        posted(request),
        initial=initial,
        cost_centres=selectors.cost_centre_choices(scope=request.scope),
    )
    if request.method == "POST" and form.is_valid():
        try:
            holder = services.holder_update(
                scope=request.scope, holder_id=holder.pk, ip=client_ip(request), **_service_arguments(form)
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Holder %(name)s saved.") % {"name": holder})
            return redirect("costs:holders")
    return _form_page(request, form, holder)


@manage_required
def holder_delete(request, holder_id: int):
    holder = selectors.holder_get(scope=request.scope, holder_id=holder_id)
    if request.method == "POST":
        lines = services.holder_delete(scope=request.scope, holder_id=holder.pk, ip=client_ip(request))
        text = _("Holder %(name)s deleted.") % {"name": holder}
        if lines:
            text += " " + ngettext(
                "%(n)d line is now without a holder.", "%(n)d lines are now without a holder.", lines
            ) % {"n": lines}
        messages.success(request, text)
        return redirect("costs:holders")
    return render(request, "costs/holder_delete.html", {"holder": holder, "active_area": AREA})

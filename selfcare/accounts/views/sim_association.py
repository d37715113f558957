"""Associa SIM pages (SPEC F-ACC-2) and the managers' association log (F-ACC-3)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from selfcare.accounts import selectors
from selfcare.accounts.forms.sim_association import AddSimForm, ConfirmSimForm
from selfcare.accounts.services import sim_association as service
from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip

PENDING = "sim_association_number"


@capability_required(Cap.SIM_ASSOCIATE)
def associations(request):
    form = AddSimForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            number = form.cleaned_data["number"]
            try:
                service.sim_association_start(
                    scope=request.scope, user=request.user, number=number, ip=client_ip(request)
                )
            except ApplicationError as exc:
                add_error_to_form(form, exc)
                status = exc.status
            else:
                request.session[PENDING] = number
                return redirect("accounts:sim_association_confirm")
        else:
            status = 400
    context = {"form": form, "lines": selectors.associated_lines(scope=request.scope), "max": service.MAX_ASSOCIATED}
    return render(request, "accounts/sim_associations.html", context, status=status)


@capability_required(Cap.SIM_ASSOCIATE)
def confirm(request):
    number = request.session.get(PENDING)
    if not number:
        return redirect("accounts:sim_associations")
    form = ConfirmSimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.sim_association_confirm(
                scope=request.scope, user=request.user, number=number, code=form.cleaned_data["code"],
                ip=client_ip(request),
            )  # fmt: skip
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            request.session.pop(PENDING, None)
            messages.success(request, _("The SIM is now associated with your account."))
            return redirect("accounts:sim_associations")
    status = 400 if form.errors else 200
    return render(request, "accounts/sim_association_confirm.html", {"form": form, "number": number}, status=status)


@require_POST
@capability_required(Cap.SIM_ASSOCIATE)
def disassociate(request, line_id):
    try:
        service.sim_disassociate(
            scope=request.scope, user=request.user, line_id=line_id, session=request.session, ip=client_ip(request)
        )
    except ApplicationError:
        raise Http404 from None
    messages.success(request, _("The SIM is no longer associated with your account."))
    return redirect("accounts:sim_associations")


@capability_required(Cap.ASSOCIATION_LOG_VIEW)
def association_log(request):
    page = Paginator(selectors.association_log(scope=request.scope), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/sim_association_log.html", {"page": page, "active_area": "fai-da-te"})

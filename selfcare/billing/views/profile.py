"""The billing profile pages of the Conto area: where e-invoices go (SPEC F-BIL-3) and the payment
method (SPEC F-BIL-5). Managers see them (invoices.view) and change them (billing_profile.edit)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from selfcare.billing.forms import EinvoiceProfileForm, PaymentMethodForm
from selfcare.billing.models import PaymentMethod
from selfcare.billing.selectors import profile as selectors
from selfcare.billing.services import profile as services
from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip

AREA = "conto"


def _posted(request):
    """The submitted data of a POST by somebody who may change the profile; None for a GET."""
    if request.method != "POST":
        return None
    if not request.scope.can(Cap.BILLING_PROFILE_EDIT):
        raise PermissionDenied
    return request.POST


@capability_required(Cap.INVOICES_VIEW)
def einvoice_profile(request):
    profile = selectors.billing_profile_get(scope=request.scope)
    initial = {"pec": profile.pec, "sdi_code": profile.sdi_code, "call_detail_enabled": profile.call_detail_enabled}
    form = EinvoiceProfileForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.billing_profile_update(
                scope=request.scope,
                company_id=profile.company_id,
                pec=form.cleaned_data["pec"],
                sdi_code=form.cleaned_data["sdi_code"],
                call_detail_enabled=form.cleaned_data["call_detail_enabled"],
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Your e-invoice data has been saved."))
            return redirect("billing:einvoice_profile")
    context = {
        "profile": profile,
        "form": form,
        "can_edit": request.scope.can(Cap.BILLING_PROFILE_EDIT),
        "payment_method": selectors.payment_method_current(scope=request.scope),
        "conto_title": profile.conto_title,
        "active_area": AREA,
    }
    return render(request, "billing/profile/einvoice.html", context, status=400 if form.errors else 200)


@capability_required(Cap.INVOICES_VIEW)
def payment_method(request):
    current = selectors.payment_method_current(scope=request.scope)
    kind = current.kind if current and current.kind != PaymentMethod.Kind.CARD else PaymentMethod.Kind.DIRECT_DEBIT
    form = PaymentMethodForm(_posted(request), initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            method = services.payment_method_set(
                actor=request.scope, company_id=request.scope.company_id, ip=client_ip(request), **form.service_fields()
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            if method.kind == PaymentMethod.Kind.DIRECT_DEBIT:
                text = _("From now on your invoices are paid by direct debit (mandate %(reference)s).") % {
                    "reference": method.mandate_reference
                }
            else:
                text = _("From now on you pay your invoices by bank transfer.")
            messages.success(request, text)
            return redirect("billing:payment_method")
    context = {
        "current": current,
        "form": form,
        "can_edit": request.scope.can(Cap.BILLING_PROFILE_EDIT),
        "operator_bank": selectors.operator_bank(),
        "conto_title": selectors.conto_title(request.scope),
        "active_area": AREA,
    }
    return render(request, "billing/profile/payment_method.html", context, status=400 if form.errors else 200)

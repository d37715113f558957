"""Pages of the Referente Aziendale registration (SPEC F-REG-4)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from selfcare.accounts.forms import registration_referent as forms
from selfcare.accounts.services import registration_referent as service
from selfcare.core.decorators import public
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.ratelimit import client_ip

TEMPLATE = "accounts/registration_referent.html"


@public
def start(request):
    form = forms.StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.referent_registration_start(session=request.session, ip=client_ip(request), **form.cleaned_data)
        except ApplicationError as exc:
            add_error_to_form(form, exc)
            return render(request, TEMPLATE, {"form": form, "step": "start"}, status=exc.status)
        return redirect("accounts:register_referent_code")
    return render(request, TEMPLATE, {"form": form, "step": "start"}, status=400 if form.errors else 200)


@public
def code(request):
    if service.SESSION_KEY not in request.session:
        return redirect("accounts:register_referent")
    form = forms.CodeForm(request.POST or None)
    channel = request.session[service.SESSION_KEY]["channel"]
    if request.method == "POST" and form.is_valid():
        try:
            service.referent_registration_confirm(
                session=request.session, code=form.cleaned_data["code"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            if exc.code == "restart":
                messages.warning(request, exc.message)
                return redirect("accounts:register_referent")
            add_error_to_form(form, exc)
        else:
            return render(request, TEMPLATE, {"step": "done"})
    context = {"form": form, "step": "code", "channel": channel}
    return render(request, TEMPLATE, context, status=400 if form.errors else 200)

"""Pages of the employee registration (SPEC F-REG-3). Each step reads the state from the session."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from selfcare.accounts.forms import registration_employee as forms
from selfcare.accounts.services import activation
from selfcare.accounts.services import registration_employee as service
from selfcare.core.decorators import public
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.ratelimit import client_ip

TEMPLATE = "accounts/registration_employee.html"
STEP_URLS = {
    service.Step.SMS_CODE: "accounts:register_employee_code",
    service.Step.EMAIL_CODE: "accounts:register_employee_code",
    service.Step.SIM_SECRET: "accounts:register_employee_sim",
    service.Step.PASSWORD: "accounts:register_employee_password",
}


def _page(request, form, step, *, registration=None, status=200):
    context = {"form": form, "step": step, "registration": registration}
    return render(request, TEMPLATE, context, status=status)


def _restart(request, exc):
    messages.warning(request, exc.message)
    return redirect("accounts:register_employee")


@public
def start(request):
    form = forms.StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = service.registration_start(
                session=request.session, ip=client_ip(request), **form.cleaned_data
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
            return _page(request, form, "start", status=exc.status)
        return redirect(STEP_URLS[registration.step])
    return _page(request, form, "start", status=400 if form.errors else 200)


@public
def code(request):
    try:
        registration = service.Registration.load(
            request.session, expected=(service.Step.SMS_CODE, service.Step.EMAIL_CODE)
        )
    except ApplicationError as exc:
        return _restart(request, exc)
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and "resend" in request.POST:
        form = forms.CodeForm()
        try:
            service.registration_resend(session=request.session, ip=client_ip(request))
            messages.success(request, _("We sent you a new code."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("accounts:register_employee_code")
    if request.method == "POST" and form.is_valid():
        try:
            registration = service.registration_verify_code(session=request.session, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            if exc.code == "restart":
                return _restart(request, exc)
            add_error_to_form(form, exc)
            return _page(request, form, registration.step, registration=registration, status=exc.status)
        return redirect(STEP_URLS[registration.step])
    return _page(request, form, registration.step, registration=registration, status=400 if form.errors else 200)


@public
def sim_secret(request):
    try:
        registration = service.Registration.load(request.session, expected=service.Step.SIM_SECRET)
    except ApplicationError as exc:
        return _restart(request, exc)
    form = forms.SimSecretForm(request.POST or None, tre=registration.tre)
    if request.method == "POST" and form.is_valid():
        try:
            registration = service.registration_verify_sim_secret(
                session=request.session, secret=form.cleaned_data["secret"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
            return _page(request, form, service.Step.SIM_SECRET, registration=registration, status=exc.status)
        return redirect(STEP_URLS[registration.step])
    return _page(request, form, service.Step.SIM_SECRET, registration=registration, status=400 if form.errors else 200)


@public
def password(request):
    try:
        registration = service.Registration.load(request.session, expected=service.Step.PASSWORD)
    except ApplicationError as exc:
        return _restart(request, exc)
    form = forms.PasswordForm(request.POST or None, tre=registration.tre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = service.registration_complete(
                session=request.session,
                password=data["password"],
                security_question=data.get("security_question", ""),
                security_answer=data.get("security_answer", ""),
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            if exc.code in ("restart", "already_registered"):
                return _restart(request, exc)
            add_error_to_form(form, exc)
            return _page(request, form, service.Step.PASSWORD, registration=registration, status=exc.status)
        login(request, user, backend=activation.login_backend())
        messages.success(request, _("Welcome! Your account is ready: your username is your mobile number."))
        return redirect("portal:home")
    return _page(request, form, service.Step.PASSWORD, registration=registration, status=400 if form.errors else 200)

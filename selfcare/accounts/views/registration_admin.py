"""Pages of the User Admin registration (SPEC F-REG-1) and of the first access by activation link."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from selfcare.accounts.forms import registration_admin as forms
from selfcare.accounts.services import activation, registration_admin
from selfcare.core.decorators import public
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.ratelimit import client_ip


@public
def register(request):
    form = forms.AdminRegistrationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                registration_admin.admin_registration_request(
                    link_builder=activation.link_builder_for(request), ip=client_ip(request), **form.cleaned_data
                )
            except ApplicationError as exc:
                add_error_to_form(form, exc)
                status = exc.status
            else:
                return redirect("accounts:register_admin_sent")
        else:
            status = 400
    return render(request, "accounts/registration_admin.html", {"form": form}, status=status)


@public
def sent(request):
    return render(request, "accounts/registration_admin_sent.html")


@public
def activate(request, token):
    try:
        record = activation.activation_token_get(token=token)
    except ApplicationError as exc:
        return render(request, "accounts/activation_invalid.html", {"message": exc.message}, status=exc.status)
    user = record.user
    initial = {} if user.username.startswith(activation.PENDING_PREFIX) else {"username": user.username}
    form = forms.ActivationForm(
        request.POST or None, initial=initial, password_help=activation.password_help_text(user)
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                user = activation.activation_complete(
                    token=token,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    ip=client_ip(request),
                )
            except ApplicationError as exc:
                if exc.code == "link_invalid":
                    return render(
                        request, "accounts/activation_invalid.html", {"message": exc.message}, status=exc.status
                    )
                add_error_to_form(form, exc)
                status = exc.status
            else:
                login(request, user, backend=activation.login_backend())
                messages.success(
                    request,
                    _("Welcome! Your access is active: from now on log in with %(username)s.")
                    % {"username": user.username},
                )
                return redirect("portal:home")
        else:
            status = 400
    return render(request, "accounts/activation.html", {"form": form, "account": user}, status=status)

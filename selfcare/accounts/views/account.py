"""'Gestione utente' (SPEC F-PWD-5, F-ACC-1): the user's data, links, and the employee's account deletion."""

from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from selfcare.accounts.forms.password import DeleteAccountForm
from selfcare.accounts.services import account as service
from selfcare.accounts.services.password import security_question_required
from selfcare.core.decorators import capability_required, portal_login_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip


@portal_login_required
def account(request):
    context = {
        "account": request.user,
        "can_delete": request.scope.can(Cap.OWN_ACCOUNT_DELETE),
        "can_associate": request.scope.can(Cap.SIM_ASSOCIATE),
        "has_security_question": security_question_required(request.user),
    }
    return render(request, "accounts/account.html", context)


@capability_required(Cap.OWN_ACCOUNT_DELETE)
def delete(request):
    form = DeleteAccountForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                service.account_delete(user=request.user, password=form.cleaned_data["password"], ip=client_ip(request))
            except ApplicationError as exc:
                add_error_to_form(form, exc)
                status = exc.status
            else:
                logout(request)
                messages.success(
                    request,
                    _("Your account has been deleted. Your line is unchanged; to come back, register again."),
                )
                return redirect("accounts:login")
    return render(request, "accounts/account_delete.html", {"form": form}, status=status)

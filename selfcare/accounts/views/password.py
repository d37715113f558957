"""Change of password when logged in (SPEC F-PWD-5), also the page a forced change leads to."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from selfcare.accounts.forms.password import ChangePasswordForm
from selfcare.accounts.services import password as service
from selfcare.core.decorators import portal_login_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.ratelimit import client_ip


@portal_login_required
def change(request):
    user = request.user
    tre = service.security_question_required(user)
    form = ChangePasswordForm(request.POST or None, user=user, tre=tre)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = service.password_change(
                    user=user,
                    old_password=data["old_password"],
                    new_password=data["new_password"],
                    security_question=data.get("security_question", ""),
                    security_answer=data.get("security_answer", ""),
                    keep_session_key=request.session.session_key,
                    ip=client_ip(request),
                )
            except ApplicationError as exc:
                add_error_to_form(form, exc)
                status = exc.status
            else:
                update_session_auth_hash(request, user)
                messages.success(request, _("Your password has been changed. Your other sessions have been closed."))
                return redirect("accounts:account")
    context = {"form": form, "forced": user.must_change_password, "tre": tre}
    return render(request, "accounts/password_change.html", context, status=status)

"""Pages of the password recovery (SPEC F-PWD-1…4). Each step reads the state from the session."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from selfcare.accounts.forms import recovery as forms
from selfcare.accounts.models import User
from selfcare.accounts.services import recovery as service
from selfcare.core.decorators import public
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.ratelimit import client_ip

TEMPLATE = "accounts/recovery.html"
STEP_URLS = {
    service.Step.QUESTION: "accounts:password_recovery_question",
    service.Step.CODE: "accounts:password_recovery_code",
    service.Step.PASSWORD: "accounts:password_recovery_password",
}


def _page(request, form, step, *, question="", status=200):
    return render(request, TEMPLATE, {"form": form, "step": step, "question": question}, status=status)


def _restart(request, exc):
    messages.warning(request, exc.message)
    return redirect("accounts:password_recovery")


def _load(request, step):
    try:
        return service.Recovery.load(request.session, expected=step), None
    except ApplicationError as exc:
        return None, _restart(request, exc)


@public
def start(request):
    form = forms.StartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery = service.recovery_start(
                session=request.session, identifier=form.cleaned_data["username"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
            return _page(request, form, "start", status=exc.status)
        return redirect(STEP_URLS[recovery.step])
    return _page(request, form, "start", status=400 if form.errors else 200)


@public
def question(request):
    recovery, restart = _load(request, service.Step.QUESTION)
    if restart:
        return restart
    form = forms.AnswerForm(request.POST or None)
    text = service.recovery_question_text(recovery)
    if request.method == "POST" and form.is_valid():
        try:
            recovery = service.recovery_answer(session=request.session, ip=client_ip(request), **form.cleaned_data)
        except ApplicationError as exc:
            if exc.code == "restart":
                return _restart(request, exc)
            add_error_to_form(form, exc)
            return _page(request, form, service.Step.QUESTION, question=text, status=exc.status)
        return redirect(STEP_URLS[recovery.step])
    return _page(request, form, service.Step.QUESTION, question=text, status=400 if form.errors else 200)


@public
def code(request):
    recovery, restart = _load(request, service.Step.CODE)
    if restart:
        return restart
    if request.method == "POST" and "resend" in request.POST:
        try:
            service.recovery_resend(session=request.session, ip=client_ip(request))
            messages.success(request, _("If the account can recover its password, we sent a new code."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("accounts:password_recovery_code")
    form = forms.CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recovery = service.recovery_verify_code(session=request.session, code=form.cleaned_data["code"])
        except ApplicationError as exc:
            if exc.code == "restart":
                return _restart(request, exc)
            add_error_to_form(form, exc)
            return _page(request, form, service.Step.CODE, status=exc.status)
        return redirect(STEP_URLS[recovery.step])
    return _page(request, form, service.Step.CODE, status=400 if form.errors else 200)


@public
def password(request):
    recovery, restart = _load(request, service.Step.PASSWORD)
    if restart:
        return restart
    # The code has been checked at this step: the rules shown are those of the account's role.
    user = User.objects.filter(pk=recovery.user_id).first() if recovery.user_id else None
    form = forms.NewPasswordForm(request.POST or None, user=user, tre=recovery.tre)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            service.recovery_complete(
                session=request.session,
                password=data["new_password"],
                security_question=data.get("security_question", ""),
                security_answer=data.get("security_answer", ""),
                ip=client_ip(request),
            )
        except ApplicationError as exc:
            if exc.code == "restart":
                return _restart(request, exc)
            if exc.field == "password":
                exc.field = "new_password"
            add_error_to_form(form, exc)
            return _page(request, form, service.Step.PASSWORD, status=exc.status)
        messages.success(request, _("Your password has been changed. Log in with the new one."))
        return redirect("accounts:login")
    return _page(request, form, service.Step.PASSWORD, status=400 if form.errors else 200)

"""Telco Managers pages (SPEC F-REG-2, F-PWD-2): for the User Admin only."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from selfcare.accounts.forms.managers import ManagerForm
from selfcare.accounts.services import activation
from selfcare.accounts.services import managers as service
from selfcare.core.decorators import capability_required
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip

manage_required = capability_required(Cap.MANAGERS_MANAGE)


@manage_required
def manager_list(request):
    managers = service.manager_list(scope=request.scope)
    return render(request, "accounts/managers.html", {"managers": managers})


@manage_required
def manager_create(request):
    form = ManagerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        manager = service.manager_create(
            scope=request.scope,
            link_builder=activation.link_builder_for(request),
            ip=client_ip(request),
            **form.cleaned_data,
        )
        messages.success(
            request,
            _("%(name)s is a Telco Manager: we emailed him the activation link at %(email)s.")
            % {"name": manager.get_full_name(), "email": manager.email},
        )
        return redirect("accounts:managers")
    return render(request, "accounts/managers_form.html", {"form": form}, status=400 if form.errors else 200)


@manage_required
def manager_reissue(request, manager_id):
    manager = service.manager_get(scope=request.scope, manager_id=manager_id)
    if request.method == "POST":
        service.manager_access_reissue(
            scope=request.scope,
            manager_id=manager.pk,
            link_builder=activation.link_builder_for(request),
            ip=client_ip(request),
        )
        messages.success(
            request,
            _("Access reissued: we emailed a new activation link to %(email)s.") % {"email": manager.email},
        )
        return redirect("accounts:managers")
    return render(request, "accounts/managers_confirm.html", {"manager": manager, "action": "reissue"})


@manage_required
def manager_delete(request, manager_id):
    manager = service.manager_get(scope=request.scope, manager_id=manager_id)
    if request.method == "POST":
        service.manager_delete(scope=request.scope, manager_id=manager.pk, ip=client_ip(request))
        messages.success(request, _("%(name)s is no longer a Telco Manager.") % {"name": manager.get_full_name()})
        return redirect("accounts:managers")
    return render(request, "accounts/managers_confirm.html", {"manager": manager, "action": "delete"})

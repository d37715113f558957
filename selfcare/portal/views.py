from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from selfcare.core.decorators import portal_login_required

from . import selectors
from .navigation import AREAS

# Pages reachable from the menu and the profile icon that belong to later features.
PENDING_AREAS = dict(AREAS[1:]) | {"notifiche": _("Notifications"), "profilo": _("User management")}


@portal_login_required
def home(request):
    scope = request.scope
    if scope.is_employee:
        data = selectors.employee_home(scope=scope)
        return render(request, "portal/home_employee.html", {"home": data, "active_area": "home"})
    data = selectors.manager_home(scope=scope)
    return render(request, "portal/home_manager.html", {"home": data, "active_area": "home"})


@portal_login_required
def area(request, slug):
    if slug not in PENDING_AREAS:
        raise Http404
    return render(request, "portal/area_pending.html", {"title": PENDING_AREAS[slug], "active_area": slug})

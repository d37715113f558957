from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from . import selectors
from .navigation import AREAS

# Pages reachable from the menu and the profile icon that belong to later features.
PENDING_AREAS = dict(AREAS[1:]) | {"notifiche": _("Notifications"), "profilo": _("User management")}


@login_required
def home(request):
    scope = request.scope
    if not scope.is_authenticated:
        # Operator staff have no portal home: their place is the back office.
        return redirect("admin:index")
    if scope.is_employee:
        data = selectors.employee_home(scope=scope)
        return render(request, "portal/home_employee.html", {"home": data, "active_area": "home"})
    data = selectors.manager_home(scope=scope)
    return render(request, "portal/home_manager.html", {"home": data, "active_area": "home"})


@login_required
def area(request, slug):
    if slug not in PENDING_AREAS:
        raise Http404
    return render(request, "portal/area_pending.html", {"title": PENDING_AREAS[slug], "active_area": slug})

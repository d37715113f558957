from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from selfcare.billing.selectors.profile import conto_title
from selfcare.core.decorators import portal_login_required
from selfcare.core.permissions import Cap
from selfcare.core.scope import SESSION_CURRENT_LINE

from . import selectors
from .navigation import AREAS

# Pages reachable from the menu and the profile icon that belong to later features.
PENDING_AREAS = dict(AREAS[1:]) | {"notifiche": _("Notifications"), "profilo": _("User management")}
# Areas whose every service is in place: their page lists them without the "not available yet" note.
COMPLETE_AREAS = {"prodotti", "traffico", "conto"}


@portal_login_required
def home(request):
    scope = request.scope
    if scope.is_employee:
        data = selectors.employee_home(scope=scope)
        return render(request, "portal/home_employee.html", {"home": data, "active_area": "home"})
    data = selectors.manager_home(scope=scope)
    chart = {
        "label": str(_("Invoiced")),
        "labels": [date_format(m.month, "M Y") for m in data.spend],
        "amounts": [float(m.amount) for m in data.spend],  # the chart only draws; the table shows exact euros
    }
    return render(request, "portal/home_manager.html", {"home": data, "spend_chart": chart, "active_area": "home"})


# Pages of an area that exist already, shown on the area's page: (area, URL name, label, capability).
AREA_LINKS = [
    ("prodotti", "lines:mobile", _("Mobile lines"), Cap.COMPANY_LINES_VIEW),
    ("prodotti", "lines:fixed", _("Fixed lines"), Cap.COMPANY_LINES_VIEW),
    ("prodotti", "lines:pools", _("Giga Smart Share"), Cap.COMPANY_LINES_VIEW),
    ("prodotti", "lines:devices", _("Devices"), Cap.DEVICES_VIEW),
    ("traffico", "traffic:mobile", _("Mobile traffic"), Cap.TRAFFIC_VIEW),
    ("traffico", "traffic:fixed", _("Fixed-line traffic"), Cap.TRAFFIC_VIEW),
    ("traffico", "costs:month", _("Costs by cost centre, holder and line"), Cap.COSTS_VIEW),
    ("traffico", "costs:cost_centres", _("Cost centres"), Cap.COSTS_VIEW),
    ("traffico", "costs:holders", _("Holders"), Cap.COSTS_VIEW),
    ("traffico", "costs:assignment_upload", _("Assign lines from a file"), Cap.COSTS_MANAGE),
    ("conto", "billing:invoices", _("Invoices"), Cap.INVOICES_VIEW),
    ("conto", "billing:einvoice_profile", _("E-invoicing"), Cap.INVOICES_VIEW),
    ("conto", "billing:payment_method", _("Payment method"), Cap.INVOICES_VIEW),
    ("conto", "billing:topups", _("Top-up history"), Cap.TOPUPS_VIEW),
    ("fai-da-te", "tickets:list", _("Tickets"), Cap.TICKETS_CREATE),
    ("fai-da-te", "accounts:sim_associations", _("Associate SIMs"), Cap.SIM_ASSOCIATE),
    ("fai-da-te", "accounts:sim_association_log", _("SIM associations"), Cap.ASSOCIATION_LOG_VIEW),
]


@portal_login_required
def area(request, slug):
    if slug not in PENDING_AREAS:
        raise Http404
    if slug == "prodotti" and request.scope.is_employee:
        # An employee's products are his current line.
        return redirect("lines:detail", line_id=request.scope.current_line_id)
    links = [(name, label) for area, name, label, cap in AREA_LINKS if area == slug and request.scope.can(cap)]
    title = PENDING_AREAS[slug]
    if slug == "conto":  # "Conto 3" for a TRE heritage company (SPEC F-TRE-1)
        title = conto_title(request.scope)
    context = {"title": title, "active_area": slug, "links": links, "complete": slug in COMPLETE_AREAS}
    return render(request, "portal/area_pending.html", context)


@require_POST
@portal_login_required
def switch_line(request):
    """Make one of the employee's lines (his own or an associated one) the current line."""
    try:
        line_id = int(request.POST.get("line", ""))
    except ValueError:
        return HttpResponseBadRequest()
    if line_id not in request.scope.line_ids:
        raise Http404
    request.session[SESSION_CURRENT_LINE] = line_id
    target = request.POST.get("next", "")
    hosts = {request.get_host()}
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts=hosts, require_https=request.is_secure())
    return redirect(target if safe else "portal:home")

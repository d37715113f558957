"""The Dispositivi page (SPEC F-PRD-5): the company's devices, searched, filtered and paginated."""

from selfcare.core.decorators import capability_required
from selfcare.core.htmx import render_page_or_fragment
from selfcare.core.pagination import first_page_if_invalid
from selfcare.core.permissions import Cap
from selfcare.lines.forms_devices import DeviceFilterForm
from selfcare.lines.selectors import devices as selectors


@capability_required(Cap.DEVICES_VIEW)
def device_list(request):
    """The page, or only its table when the filter form asks through htmx."""
    form = DeviceFilterForm(request.GET)
    filters = form.filters()
    cursor = request.GET.get("cursor") or None
    devices = first_page_if_invalid(selectors.device_list, scope=request.scope, filters=filters, cursor=cursor)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "devices": devices, "query": query.urlencode(), "active_area": "prodotti"}
    return render_page_or_fragment(request, "lines/devices.html", "lines/_devices_table.html", context)

"""The Dispositivi page (SPEC F-PRD-5): the company's devices, searched, filtered and paginated."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from selfcare.core.decorators import capability_required
from selfcare.core.pagination import InvalidCursor
from selfcare.core.permissions import Cap
from selfcare.lines.forms_devices import DeviceFilterForm
from selfcare.lines.selectors import devices as selectors
from selfcare.lines.views.pools import is_fragment_request


@capability_required(Cap.DEVICES_VIEW)
def device_list(request):
    """The page, or only its table when the filter form asks through htmx."""
    form = DeviceFilterForm(request.GET)
    filters = form.filters()
    cursor = request.GET.get("cursor") or None
    try:
        devices = selectors.device_list(scope=request.scope, filters=filters, cursor=cursor)
    except InvalidCursor:
        # A cursor that does not decode (an old or edited link): start from the first page.
        devices = selectors.device_list(scope=request.scope, filters=filters)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {"form": form, "devices": devices, "query": query.urlencode(), "active_area": "prodotti"}
    template = "lines/_devices_table.html" if is_fragment_request(request) else "lines/devices.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response

"""Pages of Giga Smart Share (SPEC F-PRD-4): the pools, one pool with its SIMs, one SIM of a pool."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers

from selfcare.core.decorators import capability_required
from selfcare.core.pagination import InvalidCursor
from selfcare.core.permissions import Cap
from selfcare.lines.selectors import pools as selectors

AREA = "prodotti"


def is_fragment_request(request) -> bool:
    """An htmx request for part of a page; htmx restoring its history asks for the whole page."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


@capability_required(Cap.COMPANY_LINES_VIEW)
def pool_list(request):
    pools = selectors.pool_list(scope=request.scope)
    return render(request, "lines/pools.html", {"pools": pools, "active_area": AREA})


@capability_required(Cap.COMPANY_LINES_VIEW)
def pool_detail(request, pool_id: int):
    cursor = request.GET.get("cursor") or None
    try:
        detail = selectors.pool_detail(scope=request.scope, pool_id=pool_id, cursor=cursor)
    except InvalidCursor:
        # A cursor that does not decode (an old or edited link): start from the first page.
        detail = selectors.pool_detail(scope=request.scope, pool_id=pool_id)
    return render(request, "lines/pool_detail.html", {"detail": detail, "active_area": AREA})


@capability_required(Cap.COMPANY_LINES_VIEW)
def pool_sim(request, pool_id: int, line_id: int):
    """One SIM of the pool: a fragment for the pool page (htmx), the whole page when opened directly."""
    sim = selectors.pool_sim(scope=request.scope, pool_id=pool_id, line_id=line_id)
    fragment = is_fragment_request(request)
    template = "lines/_pool_sim.html" if fragment else "lines/pool_sim.html"
    response = render(request, template, {"sim": sim, "fragment": fragment, "active_area": AREA})
    patch_vary_headers(response, ["HX-Request"])
    return response

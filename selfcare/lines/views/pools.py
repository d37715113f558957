"""Pages of Giga Smart Share (SPEC F-PRD-4): the pools, one pool with its SIMs, one SIM of a pool."""

from django.shortcuts import render

from selfcare.core.decorators import capability_required
from selfcare.core.htmx import is_fragment_request, render_page_or_fragment
from selfcare.core.pagination import first_page_if_invalid
from selfcare.core.permissions import Cap
from selfcare.lines.selectors import pools as selectors

AREA = "prodotti"


@capability_required(Cap.COMPANY_LINES_VIEW)
def pool_list(request):
    pools = selectors.pool_list(scope=request.scope)
    return render(request, "lines/pools.html", {"pools": pools, "active_area": AREA})


@capability_required(Cap.COMPANY_LINES_VIEW)
def pool_detail(request, pool_id: int):
    cursor = request.GET.get("cursor") or None
    detail = first_page_if_invalid(selectors.pool_detail, scope=request.scope, pool_id=pool_id, cursor=cursor)
    return render(request, "lines/pool_detail.html", {"detail": detail, "active_area": AREA})


@capability_required(Cap.COMPANY_LINES_VIEW)
def pool_sim(request, pool_id: int, line_id: int):
    """One SIM of the pool: a fragment for the pool page (htmx), the whole page when opened directly."""
    sim = selectors.pool_sim(scope=request.scope, pool_id=pool_id, line_id=line_id)
    context = {"sim": sim, "fragment": is_fragment_request(request), "active_area": AREA}
    return render_page_or_fragment(request, "lines/pool_sim.html", "lines/_pool_sim.html", context)

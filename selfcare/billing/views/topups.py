"""The top-up history page (SPEC F-BIL-4): managers see their company's lines, an employee his own."""

from selfcare.billing.forms import TopupFilterForm
from selfcare.billing.selectors import profile as profile_selectors
from selfcare.billing.selectors import topups as selectors
from selfcare.core.decorators import capability_required
from selfcare.core.htmx import render_page_or_fragment
from selfcare.core.pagination import first_page_if_invalid
from selfcare.core.permissions import Cap


@capability_required(Cap.TOPUPS_VIEW)
def topup_list(request):
    """The page, or only its table when the filters or a page link ask through htmx."""
    form = TopupFilterForm(request.GET or None)
    form.is_valid()
    filters = form.filters()
    cursor = (form.cleaned_data.get("cursor") or None) if form.is_bound else None
    page = first_page_if_invalid(selectors.topup_list, scope=request.scope, filters=filters, cursor=cursor)
    query = request.GET.copy()
    query.pop("cursor", None)
    context = {
        "form": form,
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "conto_title": profile_selectors.conto_title(request.scope),
        "active_area": "conto",
    }
    return render_page_or_fragment(request, "billing/topups/list.html", "billing/topups/_table.html", context)

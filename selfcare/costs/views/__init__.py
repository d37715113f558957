"""Pages of Costi Online (SPEC F-TRE-2, F-X-1, F-X-3), one module per page family; area "traffico"."""

from selfcare.core.pagination import first_page_if_invalid as paged  # noqa: F401 (the pages' name for it)

AREA = "traffico"


def posted(request):
    """The submitted data of a POST (even an empty one, so that it shows its errors), else None."""
    return request.POST if request.method == "POST" else None


def query_without(request, *names) -> str:
    """The request's query string without some parameters (the cursor, for page links)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()

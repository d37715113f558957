"""Pages of Costi Online (SPEC F-TRE-2, F-X-1, F-X-3), one module per page family; area "traffico"."""

from selfcare.core.pagination import InvalidCursor

AREA = "traffico"


def paged(selector, *, cursor: str | None, **kwargs):
    """A selector's page at `cursor`; the first page when the cursor does not decode (an old or
    edited link)."""
    try:
        return selector(cursor=cursor, **kwargs)
    except InvalidCursor:
        return selector(**kwargs)


def posted(request):
    """The submitted data of a POST (even an empty one, so that it shows its errors), else None."""
    return request.POST if request.method == "POST" else None


def query_without(request, *names) -> str:
    """The request's query string without some parameters (the cursor, for page links)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()

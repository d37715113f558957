"""Reads of the company's cost centres and holders (SPEC F-TRE-2): lists, one object, choices.

Both are company rows (`scope.company_rows`): another company's cost centre or holder is a 404,
like a missing one. Lists are paginated by keyset and count lines with subqueries, so a page costs
the same few queries whatever the company's size.
"""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, Lower
from django.shortcuts import get_object_or_404

from selfcare.core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page
from selfcare.core.scope import Scope
from selfcare.customers.models import CostCentre, Holder
from selfcare.lines.models import Line

CENTRE_PAGE_SIZE = 50
HOLDER_SEARCH_LIMIT = 20


def _count(model, field: str):
    """How many `model` rows point at the outer row through `field` (0 when none), as a subquery."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk"))
    return Coalesce(Subquery(rows.values("n")[:1]), Value(0))


@dataclass
class ListPage:
    page: Page
    total: int


def cost_centre_list(*, scope: Scope, cursor: str | None = None, size: int = CENTRE_PAGE_SIZE) -> ListPage:
    """One page of the company's cost centres by code, each with how many lines and holders it
    has; a bad cursor raises InvalidCursor. Two queries."""
    qs = scope.company_rows(CostCentre.objects.all())
    rows = qs.annotate(line_count=_count(Line, "cost_centre"), holder_count=_count(Holder, "cost_centre"))
    return ListPage(page=keyset_page(rows, keys=["code"], cursor=cursor, size=size), total=qs.count())


def cost_centre_get(*, scope: Scope, cost_centre_id: int) -> CostCentre:
    """One cost centre of the company, with its counts; 404 for any other."""
    qs = scope.company_rows(CostCentre.objects.all()).annotate(
        line_count=_count(Line, "cost_centre"), holder_count=_count(Holder, "cost_centre")
    )
    return get_object_or_404(qs, pk=cost_centre_id)


def cost_centre_choices(*, scope: Scope) -> list[tuple[int, str]]:
    """(id, "CODE · name") of the company's cost centres, by code, for a select."""
    rows = scope.company_rows(CostCentre.objects.order_by("code")).values_list("pk", "code", "name")
    return [(pk, f"{code} · {name}") for pk, code, name in rows]


def _holder_search(text: str) -> Q:
    """Every word in the first or last name, the employee code or the email."""
    q = Q()
    for word in text.split():
        q &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(employee_code__iexact=word)
            | Q(email__icontains=word)
        )
    return q


def holders_queryset(*, scope: Scope, q: str = "") -> QuerySet:
    """The company's holders matching the search, with their sort key (last name, first name)."""
    qs = scope.company_rows(Holder.objects.all())
    if q.strip():
        qs = qs.filter(_holder_search(q))
    return qs.annotate(sort_name=Lower(Concat("last_name", Value(" "), "first_name")))


def holder_list(*, scope: Scope, q: str = "", cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE) -> ListPage:
    """One page of the company's holders by name, with their cost centre and the numbers of the
    lines the scope may see among theirs; a bad cursor raises InvalidCursor. Three queries."""
    qs = holders_queryset(scope=scope, q=q)
    lines = scope.lines(Line.objects.only("pk", "number", "holder_id").order_by("number"))
    rows = qs.select_related("cost_centre").prefetch_related(Prefetch("line_set", queryset=lines, to_attr="lines"))
    return ListPage(page=keyset_page(rows, keys=["sort_name", "pk"], cursor=cursor, size=size), total=qs.count())


def holder_get(*, scope: Scope, holder_id: int) -> Holder:
    """One holder of the company with his cost centre and how many lines he has; 404 for any other."""
    qs = scope.company_rows(Holder.objects.select_related("cost_centre")).annotate(line_count=_count(Line, "holder"))
    return get_object_or_404(qs, pk=holder_id)


def holder_search(*, scope: Scope, q: str, limit: int = HOLDER_SEARCH_LIMIT) -> list[Holder]:
    """The first holders by name matching the search (the line's assignment form)."""
    if not q.strip():
        return []
    return list(holders_queryset(scope=scope, q=q).order_by("sort_name", "pk")[:limit])


def holder_search_ids(*, scope: Scope, ids: list[int]) -> list[Holder]:
    """The company's holders among these ids (the others are ignored)."""
    return list(holders_queryset(scope=scope).filter(pk__in=ids).order_by("sort_name", "pk"))


def line_for_assignment(*, scope: Scope, line_id: int) -> Line:
    """A line the scope may see, with its holder and cost centre; 404 for any other."""
    return get_object_or_404(scope.lines(Line.objects.select_related("holder", "cost_centre")), pk=line_id)


def assignment_export_rows(*, scope: Scope, chunk_size: int = 2000):
    """(number, holder's employee code, cost centre code) of every line the scope may see, by
    number: the file to edit and upload again."""
    return (
        scope.lines(Line.objects.order_by("number"))
        .values_list("number", "holder__employee_code", "cost_centre__code")
        .iterator(chunk_size=chunk_size)
    )

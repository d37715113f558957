"""Reads of support tickets: who sees which, a page of them, one with its history, the home panel.

A manager of the whole company sees all its tickets; a manager restricted to some cost centres or
sites sees those he opened and those about his sites or lines; an employee sees those he opened.
Anything else is a 404, like a missing ticket.
"""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from selfcare.core.pagination import InvalidCursor, Page, keyset_page
from selfcare.core.scope import Scope

from .models import OPEN_STATUSES, Ticket, TicketAttachment, TicketEvent

PAGE_SIZE = 25
HOME_LATEST = 3


class Shown:
    """The status filter of the list."""

    OPEN = "open"
    CLOSED = "closed"
    ALL = "all"


def visible_tickets(scope: Scope) -> QuerySet:
    """The tickets the scope may read."""
    if not scope.is_authenticated or scope.company_id is None:
        return Ticket.objects.none()
    qs = Ticket.objects.filter(company_id=scope.company_id)
    if scope.is_manager and not scope.is_restricted:
        return qs
    mine = Q(created_by_id=scope.user_id)
    if scope.is_manager:
        mine |= Q(site_id__in=scope.site_ids) | Q(scope.line_filter("line__"))
    return qs.filter(mine)


@dataclass
class TicketPage:
    page: Page
    total: int
    shown: str


def ticket_list(
    *, scope: Scope, shown: str = Shown.OPEN, cursor: str | None = None, size: int = PAGE_SIZE
) -> TicketPage:
    """One page of the scope's tickets, newest first, with their line; a bad cursor raises
    InvalidCursor. Two queries."""
    qs = visible_tickets(scope)
    if shown == Shown.OPEN:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif shown == Shown.CLOSED:
        qs = qs.exclude(status__in=OPEN_STATUSES)
    else:
        shown = Shown.ALL
    total = qs.count()
    rows = qs.select_related("line", "site")
    try:
        page = keyset_page(rows, keys=["id"], descending=True, cursor=cursor, size=size)
    except (TypeError, ValueError) as exc:  # a cursor whose value is not an id
        raise InvalidCursor(cursor) from exc
    return TicketPage(page=page, total=total, shown=shown)


def ticket_get(*, scope: Scope, ticket_id: int) -> Ticket:
    """One ticket with its history (and who wrote each step) and its documents; 404 outside the scope."""
    qs = (
        visible_tickets(scope)
        .select_related("line", "site", "delivery_site", "created_by")
        .prefetch_related(
            Prefetch("events", queryset=TicketEvent.objects.select_related("author")),
            Prefetch("attachments", queryset=TicketAttachment.objects.all()),
        )
    )
    return get_object_or_404(qs, pk=ticket_id)


def attachment_get(*, scope: Scope, ticket_id: int, attachment_id: int) -> TicketAttachment:
    """One document of a ticket the scope may read; 404 otherwise."""
    ticket = get_object_or_404(visible_tickets(scope).only("pk"), pk=ticket_id)
    return get_object_or_404(TicketAttachment.objects.filter(ticket=ticket).select_related("ticket"), pk=attachment_id)


@dataclass
class OpenTickets:
    count: int
    waiting: int  # waiting for the customer's answer
    latest: list


def open_tickets(*, scope: Scope) -> OpenTickets:
    """The scope's open tickets for the home: how many, how many wait for the customer, the
    latest three. Two queries."""
    qs = visible_tickets(scope).filter(status__in=OPEN_STATUSES)
    counts = qs.aggregate(n=Count("pk"), waiting=Count("pk", filter=Q(status="waiting")))
    latest = list(qs.select_related("line").order_by("-id")[:HOME_LATEST]) if counts["n"] else []
    return OpenTickets(count=counts["n"], waiting=counts["waiting"], latest=latest)

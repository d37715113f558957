"""Ticket pages ("Segnala"): the list, a new ticket in two steps (reason and topic, then the form),
one ticket with its history, and its documents."""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from selfcare.core.decorators import capability_required
from selfcare.core.errors import ApplicationError, add_error_to_form
from selfcare.core.htmx import render_page_or_fragment
from selfcare.core.pagination import first_page_if_invalid
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip

from . import selectors, services
from .forms import ListFilterForm, ReplyForm, TicketForm
from .models import TOPICS, Reason, Topic

AREA = "fai-da-te"
tickets_required = capability_required(Cap.TICKETS_CREATE)


@tickets_required
def ticket_list(request):
    """The tickets the user may follow, open ones first shown; htmx swaps only the list."""
    filters = ListFilterForm(request.GET)
    shown = (filters.cleaned_data["shown"] if filters.is_valid() else "") or selectors.Shown.OPEN
    cursor = request.GET.get("cursor") or None
    result = first_page_if_invalid(selectors.ticket_list, scope=request.scope, shown=shown, cursor=cursor)
    context = {"filters": filters, "result": result, "query": f"shown={result.shown}", "active_area": AREA}
    return render_page_or_fragment(request, "tickets/list.html", "tickets/_list.html", context)


@tickets_required
def ticket_new(request):
    """Step 1: the three reasons, each with its topics."""
    reasons = [(reason, [Topic(t) for t in TOPICS[reason]]) for reason in Reason]
    return render(request, "tickets/new.html", {"reasons": reasons, "active_area": AREA})


def _site_choices(request) -> list[tuple[int, str]]:
    return [(s.pk, str(s)) for s in services.company_sites(request.scope)]


def _initial(user) -> dict:
    """The user is usually the referent too: both are filled with his details, to change at will."""
    name, phone = user.get_full_name(), user.mobile
    return {
        "referent_name": name, "referent_phone": phone, "referent_email": user.email, "notify_by": "email",
        "requester_name": name, "requester_phone": phone, "requester_email": user.email,
    }  # fmt: skip


@tickets_required
def ticket_create(request, reason: str, topic: str):
    """Step 2: the form of the chosen topic; the ticket page once it is opened."""
    if reason not in Reason.values or topic not in TOPICS[reason]:
        raise Http404
    data = (request.POST, request.FILES) if request.method == "POST" else ()
    form = TicketForm(*data, topic=topic, sites=_site_choices(request), initial=_initial(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_open(
                scope=request.scope, data=form.request(reason=reason, topic=topic), ip=client_ip(request)
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Ticket %(ref)s opened. You can follow it here.") % {"ref": ticket.reference})
            return redirect("tickets:detail", ticket_id=ticket.pk)
    context = {"form": form, "reason": Reason(reason), "topic": Topic(topic), "active_area": AREA}
    return render(request, "tickets/form.html", context, status=400 if form.errors else 200)


def _detail(request, ticket_id: int, reply: ReplyForm):
    ticket = selectors.ticket_get(scope=request.scope, ticket_id=ticket_id)
    context = {"ticket": ticket, "reply": reply, "active_area": AREA}
    return render(request, "tickets/detail.html", context, status=400 if reply.errors else 200)


@tickets_required
def ticket_detail(request, ticket_id: int):
    return _detail(request, ticket_id, ReplyForm())


@require_POST
@tickets_required
def ticket_reply(request, ticket_id: int):
    """A message of the customer on an open ticket; the ticket page again, with it in the history."""
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.ticket_reply(
                scope=request.scope, ticket_id=ticket_id, message=form.cleaned_data["message"], ip=client_ip(request)
            )
        except ApplicationError as exc:
            add_error_to_form(form, exc)
        else:
            messages.success(request, _("Message sent."))
            return redirect("tickets:detail", ticket_id=ticket_id)
    return _detail(request, ticket_id, form)


@tickets_required
def ticket_attachment(request, ticket_id: int, attachment_id: int):
    document = selectors.attachment_get(scope=request.scope, ticket_id=ticket_id, attachment_id=attachment_id)
    services.document_read(actor_id=request.user.pk, document=document, ip=client_ip(request))
    return document_response(document)


def document_response(document) -> FileResponse:
    """A document of a ticket as a download (never shown inline: it came from outside)."""
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.file_name, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response

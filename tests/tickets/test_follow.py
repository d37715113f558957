"""Following a ticket: who sees which, the back office's status updates, and the notices they send."""

import pytest
from django.http import Http404

from selfcare.core.errors import ApplicationError
from selfcare.core.permissions import Role
from selfcare.notifications.models import Notification, OutboxMessage
from selfcare.tickets import selectors
from selfcare.tickets.models import TicketEvent
from selfcare.tickets.services import ticket_open, ticket_status_set
from tests.factories import LineFactory, SiteFactory, UserFactory

from .conftest import make_request, scope_of


@pytest.fixture
def tickets(profiles, company, site, mobile):
    """A ticket opened by the employee (his line) and one by the manager (another line, another site)."""
    other_site = SiteFactory(company=company, name="Sede di Roma")
    other_line = LineFactory(company=company, site=other_site)
    by_employee = ticket_open(
        scope=scope_of(profiles["employee"]), data=make_request("no_internet", number=mobile.number, site_id=site.pk)
    )
    by_manager = ticket_open(
        scope=scope_of(profiles["manager"]),
        data=make_request("cannot_call", number=other_line.number, site_id=other_site.pk),
    )
    return {"employee": by_employee, "manager": by_manager, "other_site": other_site, "other_line": other_line}


def visible(user) -> set[int]:
    return set(selectors.visible_tickets(scope_of(user)).values_list("pk", flat=True))


@pytest.mark.django_db
def test_who_sees_which(profiles, company, other_company, tickets):
    mine, managers = tickets["employee"].pk, tickets["manager"].pk
    assert visible(profiles["employee"]) == {mine}
    for profile in ("admin", "manager", "referent"):
        assert visible(profiles[profile]) == {mine, managers}
    # A manager restricted to a site sees what concerns it (by site or by line) and what he opened.
    restricted = UserFactory(company=company, role=Role.MANAGER)
    restricted.sites.add(tickets["other_site"])
    assert visible(restricted) == {managers}
    elsewhere = UserFactory(company=company, role=Role.MANAGER)
    elsewhere.sites.add(SiteFactory(company=company, name="Sede di Torino"))
    assert visible(elsewhere) == set()
    assert visible(UserFactory(company=other_company, role=Role.MANAGER)) == set()
    with pytest.raises(Http404):
        selectors.ticket_get(scope=scope_of(profiles["employee"]), ticket_id=managers)


@pytest.mark.django_db
def test_a_status_update_is_a_step_of_the_history_and_tells_both(profiles, tickets, django_capture_on_commit_callbacks):
    ticket, staff = tickets["employee"], profiles["staff"]
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks():
        assert ticket_status_set(ticket_id=ticket.pk, status="waiting", message="Ci mandi una foto.", actor_id=staff.pk)
    ticket.refresh_from_db()
    assert ticket.status == "waiting" and ticket.is_open  # waiting for the customer is still open
    steps = list(TicketEvent.objects.filter(ticket=ticket).values_list("status", "message", "author_id"))
    assert steps == [("open", "", profiles["employee"].pk), ("waiting", "Ci mandi una foto.", staff.pk)]
    email = OutboxMessage.objects.get()
    assert email.recipient == ticket.referent_email and "Ci mandi una foto." in email.body
    notice = Notification.objects.get(user=profiles["employee"])
    assert ticket.reference in notice.title and notice.link == f"/assistenza/{ticket.pk}/"
    # The same status again without a message changes nothing; with a message it is a new step.
    assert ticket_status_set(ticket_id=ticket.pk, status="waiting", message="", actor_id=staff.pk) is False
    assert ticket_status_set(ticket_id=ticket.pk, status="waiting", message="Sollecito.", actor_id=staff.pk) is True
    assert TicketEvent.objects.filter(ticket=ticket).count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(("status", "message", "field"), [("lost", "", "status"), ("resolved", "x" * 1001, "message")])
def test_a_bad_status_update_is_refused(profiles, tickets, status, message, field):
    with pytest.raises(ApplicationError) as refused:
        staff = profiles["staff"].pk
        ticket_status_set(ticket_id=tickets["employee"].pk, status=status, message=message, actor_id=staff)
    assert refused.value.field == field
    assert TicketEvent.objects.filter(ticket=tickets["employee"]).count() == 1


@pytest.mark.django_db
def test_open_tickets_for_the_home(profiles, tickets):
    ticket_status_set(ticket_id=tickets["manager"].pk, status="resolved", message="", actor_id=profiles["staff"].pk)
    ticket_status_set(ticket_id=tickets["employee"].pk, status="waiting", message="", actor_id=profiles["staff"].pk)
    summary = selectors.open_tickets(scope=scope_of(profiles["manager"]))
    assert (summary.count, summary.waiting) == (1, 1)
    assert [t.pk for t in summary.latest] == [tickets["employee"].pk]


@pytest.mark.django_db
def test_the_customer_answers_a_ticket_waiting_for_him(profiles, tickets):
    from selfcare.tickets.services import ticket_reply

    ticket, employee = tickets["employee"], profiles["employee"]
    ticket_status_set(ticket_id=ticket.pk, status="waiting", message="Quale modello?", actor_id=profiles["staff"].pk)
    event = ticket_reply(scope=scope_of(employee), ticket_id=ticket.pk, message="  Un router   Wi-Fi 6. ")
    ticket.refresh_from_db()
    assert ticket.status == "open" and event.message == "Un router Wi-Fi 6." and event.author == employee
    with pytest.raises(ApplicationError) as refused:
        ticket_reply(scope=scope_of(employee), ticket_id=ticket.pk, message="x" * 301)
    assert refused.value.field == "message"
    with pytest.raises(Http404):  # the manager's ticket is not his
        ticket_reply(scope=scope_of(employee), ticket_id=tickets["manager"].pk, message="Ciao")
    ticket_status_set(ticket_id=ticket.pk, status="closed", message="", actor_id=profiles["staff"].pk)
    with pytest.raises(ApplicationError) as refused:
        ticket_reply(scope=scope_of(employee), ticket_id=ticket.pk, message="Ancora io")
    assert refused.value.code == "closed"
    assert TicketEvent.objects.filter(ticket=ticket).count() == 4

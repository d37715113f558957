"""The access matrix, discovered from the URL map.

Every named route of the portal and the API is requested by every profile of company A, plus an
anonymous visitor and an operator staff member. What each route allows is read from its view's
declaration (selfcare.core.decorators: public, portal_login_required, capability_required, or an
API view's `access`): a route that declares nothing fails here. Routes with an object in the URL
are also requested with company B's object, which must be a 404 for everybody.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from selfcare.accounts.models import SimAssociation
from selfcare.billing.models import Payment
from selfcare.core.decorators import PORTAL, Access
from selfcare.core.permissions import Role, role_can
from selfcare.customers.models import Holder
from selfcare.lines.models import Pool
from selfcare.tickets.models import Ticket, TicketAttachment
from tests.factories import CostCentreFactory, LineFactory, SimFactory, UserFactory, issue_invoice

# Namespaces with their own rules: the back office (Django admin permissions) and language switch;
# the app's login endpoints (allauth headless, /api/auth/) speak allauth's own protocol, where an
# anonymous client is answered 401 with the login flows, and are tested in tests/api/test_app_tokens.py.
SKIPPED_NAMESPACES = {"admin", "headless"}
SKIPPED_NAMES = {"set_language"}
PROFILES = ("anonymous", "employee", "admin", "manager", "referent", "staff")
# URL parameters that name an object of a company (the others are static values such as an area's slug).
OBJECT_KWARGS = {
    "line_id", "manager_id", "pool_id", "cost_centre_id", "holder_id", "invoice_id", "payment_id", "ticket_id",
    "attachment_id",
}  # fmt: skip
ROLES = {"employee": Role.EMPLOYEE, "admin": Role.ADMIN, "manager": Role.MANAGER, "referent": Role.REFERENT}


@dataclass
class Route:
    name: str
    kwargs: tuple[str, ...]
    access: Access | None
    is_api: bool
    view_class: type | None


def _access(callback) -> Access | None:
    declared = getattr(callback, "access", None)
    view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if declared is None and view_class is not None:
        declared = getattr(view_class, "access", None)
        if declared is None and hasattr(view_class, "permission_classes"):
            declared = PORTAL  # an API view without a declaration gets the default permission
    return declared


def discover(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in SKIPPED_NAMESPACES:
                continue
            yield from discover(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(pattern, URLPattern) and pattern.name and pattern.name not in SKIPPED_NAMES:
            name = f"{namespace}{pattern.name}"
            kwargs = tuple(pattern.pattern.regex.groupindex)
            view_class = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
            yield Route(name, kwargs, _access(pattern.callback), name.startswith("api:"), view_class)


ROUTES = sorted({r.name: r for r in discover()}.values(), key=lambda r: r.name)


@pytest.fixture
def world(profiles, company, other_company):
    """Objects named in URLs, for company A (reachable) and company B (never reachable)."""
    own = LineFactory(company=company)
    SimAssociation.objects.create(user=profiles["employee"], line=own)
    foreign = LineFactory(company=other_company)
    # Each line has a SIM, so revealing its PIN and PUK is possible (for the allowed profiles).
    SimFactory(line=own)
    SimFactory(line=foreign)
    # A Giga Smart Share pool of each company, with the world's line of that company as a member.
    pool = Pool.objects.create(company=company, pool_code="GSS00000001", kind="Giga Smart Share 100", total_gb=100)
    own.pool = pool
    own.save()
    foreign_pool = Pool.objects.create(
        company=other_company, pool_code="GSS00000002", kind="Giga Smart Share 100", total_gb=100
    )
    foreign.pool = foreign_pool
    foreign.save()
    # A Telco Manager of each company, apart from the profiles (a reissue logs him out).
    manager = UserFactory(company=company, role=Role.MANAGER)
    foreign_manager = UserFactory(company=other_company, role=Role.MANAGER)
    # A cost centre and a holder of each company (Costi Online).
    centre = CostCentreFactory(company=company)
    foreign_centre = CostCentreFactory(company=other_company)
    holder = Holder.objects.create(company=company, first_name="Anna", last_name="Bianchi", cost_centre=centre)
    foreign_holder = Holder.objects.create(company=other_company, first_name="Luca", last_name="Verdi")
    # An unpaid invoice of each company (Conto), whose call detail the company has enabled.
    for each in (company, other_company):
        each.call_detail_enabled = True
        each.save()
    invoice = issue_invoice(company, line=own)
    foreign_invoice = issue_invoice(other_company, line=foreign)
    # A refused online payment of each company's invoice (its outcome page; "PAGA" may start another).
    payment, foreign_payment = (
        Payment.objects.create(
            invoice=i, company_id=i.company_id, provider="sandbox", amount=i.total_amount, status="failed",
            idempotency_key=f"world-{i.pk}", failure_reason="card_declined",
        )
        for i in (invoice, foreign_invoice)
    )  # fmt: skip
    # A ticket of each company, opened by company A's employee (his managers follow it too), with a document.
    ticket, foreign_ticket = (
        Ticket.objects.create(
            company=each, created_by=user, reason="technical", topic="cannot_call", line=line, domain="mobile",
            referent_name="Anna Bianchi", referent_email="anna@example.it", notify_by="email",
            requester_name="Anna Bianchi", requester_email="anna@example.it",
        )
        for each, user, line in ((company, profiles["employee"], own), (other_company, foreign_manager, foreign))
    )  # fmt: skip
    document, foreign_document = (
        TicketAttachment.objects.create(
            ticket=t, kind="police_report", file=ContentFile(b"%PDF-1.4 report", name="denuncia.pdf"),
            file_name="denuncia.pdf", content_type="application/pdf", size=15,
        )
        for t in (ticket, foreign_ticket)
    )  # fmt: skip
    return {
        "a": {
            "line_id": own.pk,
            "slug": "prodotti",
            "manager_id": manager.pk,
            "pool_id": pool.pk,
            "cost_centre_id": centre.pk,
            "holder_id": holder.pk,
            "invoice_id": invoice.pk,
            "payment_id": payment.pk,
            "ticket_id": ticket.pk,
            "attachment_id": document.pk,
            "reason": "technical",
            "topic": "faulty_sim",
            "provider": "sandbox",
            "fmt": "xlsx",
            "token": "unknown-token",
        },
        "b": {
            "line_id": foreign.pk,
            "slug": "prodotti",
            "manager_id": foreign_manager.pk,
            "pool_id": foreign_pool.pk,
            "cost_centre_id": foreign_centre.pk,
            "holder_id": foreign_holder.pk,
            "invoice_id": foreign_invoice.pk,
            "payment_id": foreign_payment.pk,
            "ticket_id": foreign_ticket.pk,
            "attachment_id": foreign_document.pk,
            "reason": "technical",
            "topic": "faulty_sim",
            "provider": "sandbox",
            "fmt": "xlsx",
            "token": "unknown-token",
        },
    }


def url_for(route, objects):
    missing = [k for k in route.kwargs if k not in objects]
    assert not missing, f"{route.name}: add an object for {missing} to the world fixture"
    return reverse(route.name, kwargs={k: objects[k] for k in route.kwargs})


def request(client, url, method):
    return getattr(client, method)(url, content_type="application/json") if method != "get" else client.get(url)


def find_method(client_as, route, url):
    """The route's method: an API view's first handler; for a page, the first an anonymous visitor
    is not refused with 405 (the method decorators run before the login check, and change nothing)."""
    if route.view_class is not None and hasattr(route.view_class, "permission_classes"):
        return next(m for m in ("get", "post", "delete") if hasattr(route.view_class, m))
    client = client_as("anonymous")
    for method in ("get", "post", "delete"):
        if request(client, url, method).status_code != 405:
            return method
    pytest.fail(f"{route.name}: no method answers")


def expected_allowed(route, profile) -> bool:
    access = route.access
    if access.kind == "public":
        return True
    if profile in ("anonymous", "staff"):
        return False
    if access.kind == "system":
        return False
    return access.kind == "portal" or role_can(ROLES[profile], access.cap)


def test_every_route_declares_who_may_open_it():
    undeclared = [r.name for r in ROUTES if r.access is None]
    assert undeclared == [], "declare access on these views (selfcare.core.decorators)"


@pytest.mark.django_db
@pytest.mark.parametrize("route", [r for r in ROUTES if r.access], ids=lambda r: r.name)
def test_access_matrix(client_as, world, route):
    url = url_for(route, world["a"])
    method = find_method(client_as, route, url)
    for profile in PROFILES:
        response = request(client_as(profile), url, method)
        status, where = response.status_code, f"{route.name} {method.upper()} as {profile}: {response.status_code}"
        assert status < 500, where
        if expected_allowed(route, profile):
            assert status not in (401, 403), where
            if route.access.kind != "public":
                assert status != 404, where
                assert not (status == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))), where
        elif route.access.kind == "system":
            # Operator systems' endpoints know only their own token: a portal login is no login there.
            assert status == 401 and "WWW-Authenticate" in response, where
        elif profile == "anonymous":
            if route.is_api:
                assert status == 401 and "WWW-Authenticate" in response, where
            else:
                assert status == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL)), where
        elif profile == "staff" and not route.is_api:
            assert status == 302 and response["Location"] == reverse("admin:index"), where
        else:
            assert status == 403, where
    if OBJECT_KWARGS & set(route.kwargs) and route.access.kind != "public":
        foreign = url_for(route, world["b"])
        for profile in PROFILES:
            if expected_allowed(route, profile):
                status = request(client_as(profile), foreign, method).status_code
                assert status == 404, f"{route.name} with company B's object as {profile}: {status}"


def test_discovery_finds_the_routes_of_every_area():
    names = {r.name for r in ROUTES}
    assert {"portal:home", "accounts:login", "api:me", "healthz", "accounts:sim_disassociate"} <= names

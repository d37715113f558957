"""The per-request Scope: who is asking, for which company, and which lines he may see.

Selectors take a Scope and return only what it may see; a lookup outside it is a 404, exactly
like a missing object, so nothing reveals that another company's row exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .permissions import MANAGER_ROLES, Cap, Role, role_can

SESSION_CURRENT_LINE = "current_line_id"


@dataclass(frozen=True)
class Scope:
    user_id: int | None = None
    role: str | None = None
    company_id: int | None = None
    # Employee: his own line first, then the associated ones. Empty for managers.
    line_ids: tuple[int, ...] = ()
    current_line_id: int | None = None
    # A manager restricted to some cost centres or sites (SPEC F-X-2); both empty = whole company.
    cost_centre_ids: frozenset[int] = field(default_factory=frozenset)
    site_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_authenticated(self) -> bool:
        return self.role is not None

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES

    @property
    def is_employee(self) -> bool:
        return self.role == Role.EMPLOYEE

    @property
    def is_restricted(self) -> bool:
        return bool(self.cost_centre_ids or self.site_ids)

    def can(self, cap: Cap) -> bool:
        return role_can(self.role, cap)

    def require(self, cap: Cap) -> None:
        if not self.can(cap):
            raise PermissionDenied(cap)

    def line_filter(self, prefix: str = "") -> Q:
        """A Q that keeps the lines this scope may see; prefix is the path to the line ("line__")."""
        if not self.is_authenticated or self.company_id is None:
            return Q(pk__in=[])
        if self.is_manager:
            q = Q(**{f"{prefix}company_id": self.company_id})
            if self.is_restricted:
                q &= Q(**{f"{prefix}cost_centre_id__in": self.cost_centre_ids}) | Q(
                    **{f"{prefix}site_id__in": self.site_ids}
                )
            return q
        return Q(**{f"{prefix}company_id": self.company_id, f"{prefix}pk__in": self.line_ids})

    def lines(self, queryset: QuerySet) -> QuerySet:
        return queryset.filter(self.line_filter())

    def company_rows(self, queryset: QuerySet) -> QuerySet:
        """Rows that carry `company` directly (invoices, cost centres, pools...): managers only."""
        if not self.is_manager:
            return queryset.none()
        return queryset.filter(company_id=self.company_id)


ANONYMOUS = Scope()


# What a scope is built from besides the user row, kept in the cache so that a page does not
# query it again: a manager's cost centres and sites, an employee's associated lines. Every
# change of those calls forget_scope() (signals in selfcare.accounts.signals and the services
# that update in bulk); the timeout only bounds how long a missed change could last.
SCOPE_CACHE_SECONDS = 60


def _scope_key(user_id: int) -> str:
    return f"scope:v1:{user_id}"


def forget_scope(user_id: int) -> None:
    """Drop the cached scope data of a user: the next request reads it from the database."""
    cache.delete(_scope_key(user_id))


def _scope_data(user) -> dict:
    key = _scope_key(user.pk)
    data = cache.get(key)
    if data is None or data.get("role") != user.role or data.get("line_id") != user.line_id:
        if user.role in MANAGER_ROLES:
            data = {
                "cost_centre_ids": list(user.cost_centres.values_list("pk", flat=True)),
                "site_ids": list(user.sites.values_list("pk", flat=True)),
            }
        else:
            data = {"associated_line_ids": user.associated_line_ids()}
        data.update(role=user.role, line_id=user.line_id)
        cache.set(key, data, SCOPE_CACHE_SECONDS)
    return data


def build_scope(user, session=None) -> Scope:
    """Build the scope of an authenticated portal user (operator staff have none)."""
    if not getattr(user, "is_authenticated", False) or not user.role or user.company_id is None:
        return ANONYMOUS
    data = _scope_data(user)
    if user.role in MANAGER_ROLES:
        return Scope(
            user_id=user.pk,
            role=user.role,
            company_id=user.company_id,
            cost_centre_ids=frozenset(data["cost_centre_ids"]),
            site_ids=frozenset(data["site_ids"]),
        )
    line_ids = (user.line_id, *data["associated_line_ids"])
    current = session.get(SESSION_CURRENT_LINE) if session is not None else None
    return Scope(
        user_id=user.pk,
        role=user.role,
        company_id=user.company_id,
        line_ids=line_ids,
        current_line_id=current if current in line_ids else user.line_id,
    )

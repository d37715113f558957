"""Reads of the account area, scoped."""

from django.db.models import QuerySet

from selfcare.accounts.models import SimAssociation
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.lines.models import Line


def associated_lines(*, scope: Scope) -> list[Line]:
    """The employee's associated lines (not his own), oldest association first."""
    others = [pk for pk in scope.line_ids[1:]]
    lines = {line.pk: line for line in Line.objects.filter(pk__in=others, company_id=scope.company_id)}
    return [lines[pk] for pk in others if pk in lines]


def association_log(*, scope: Scope) -> QuerySet[SimAssociation]:
    """Associations and disassociations made by the company's employees (SPEC F-ACC-3), newest first."""
    scope.require(Cap.ASSOCIATION_LOG_VIEW)
    return (
        SimAssociation.objects.filter(scope.line_filter("line__"))
        .select_related("user", "user__line", "line")
        .order_by("-created_at", "-pk")
    )

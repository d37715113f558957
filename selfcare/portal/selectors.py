"""Reads for the two home pages; each takes the request's Scope and sees only what it may."""

from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.http import Http404
from django.utils import timezone

from selfcare.billing.models import Invoice
from selfcare.core.scope import Scope
from selfcare.lines.models import ActiveOption, Counter, FixedActivation, Line


@dataclass
class EmployeeHome:
    line: Line
    lines: list[Line]
    counters: list[Counter]
    options: list[ActiveOption]


def employee_home(*, scope: Scope) -> EmployeeHome:
    """The employee's current line with its counters and options, and his other lines for the switcher."""
    lines = list(scope.lines(Line.objects.select_related("offer")).order_by("number"))
    current = next((line for line in lines if line.pk == scope.current_line_id), None)
    if current is None:
        raise Http404
    today = timezone.localdate()
    counters = list(
        Counter.objects.filter(line=current, period_start__lte=today, period_end__gt=today).order_by("kind", "bucket")
    )
    options = list(
        ActiveOption.objects.filter(line=current, status=ActiveOption.Status.ACTIVE)
        .select_related("option")
        .order_by(F("expires_at").asc(nulls_last=True))
    )
    return EmployeeHome(line=current, lines=lines, counters=counters, options=options)


@dataclass
class ManagerHome:
    lines_by_kind: dict
    lines_total: int
    unpaid_count: int
    unpaid_amount: object
    overdue_count: int
    activations_in_progress: int


def manager_home(*, scope: Scope) -> ManagerHome:
    """The company at a glance: lines by kind and status, unpaid invoices, activations under way."""
    by_kind: dict[str, dict[str, int]] = {}
    total = 0
    for row in scope.lines(Line.objects.all()).values("kind", "status").annotate(n=Count("pk")).order_by():
        by_kind.setdefault(row["kind"], {})[row["status"]] = row["n"]
        total += row["n"]
    open_statuses = [Invoice.Status.TO_PAY, Invoice.Status.PARTIALLY_PAID, Invoice.Status.OVERDUE]
    unpaid = scope.company_rows(Invoice.objects.filter(status__in=open_statuses)).aggregate(
        n=Count("pk"),
        due=Sum(F("total_amount") - F("paid_amount")),
        overdue=Count("pk", filter=Q(status=Invoice.Status.OVERDUE)),
    )
    activations = FixedActivation.objects.filter(scope.line_filter("line__")).exclude(stage=FixedActivation.Stage.DONE)
    return ManagerHome(
        lines_by_kind=by_kind,
        lines_total=total,
        unpaid_count=unpaid["n"],
        unpaid_amount=unpaid["due"] or 0,
        overdue_count=unpaid["overdue"],
        activations_in_progress=activations.count(),
    )


def switcher_lines(*, scope: Scope) -> list[Line]:
    """The lines an employee can switch between (his own and the associated ones); empty with one line."""
    if not scope.is_employee or len(scope.line_ids) < 2:
        return []
    return list(scope.lines(Line.objects.only("pk", "number")).order_by("number"))

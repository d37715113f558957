"""Assigning lines to holders and cost centres (SPEC F-TRE-2, F-X-3): one line, or many from a file."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Upper
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.costs.assignment_csv import REMOVE, AssignmentRow, number_candidates
from selfcare.customers.models import CostCentre, Holder
from selfcare.lines.cache import touch
from selfcare.lines.models import Line

# Numbers and codes are looked up this many at a time (SQLite allows some thousands of parameters).
LOOKUP_CHUNK = 2000
UPDATE_BATCH = 500


def line_assign(*, scope: Scope, line_id: int, holder_id: int | None, cost_centre_id: int | None, ip: str = "") -> Line:
    """Give a line the scope may see a holder and a cost centre of its company (None: none).

    A line outside the scope is a 404; a holder or cost centre that is not the company's is a
    field error, worded as for one that does not exist."""
    scope.require(Cap.COSTS_MANAGE)
    if holder_id is not None and not scope.company_rows(Holder.objects.filter(pk=holder_id)).exists():
        raise ApplicationError(_("Choose one of your company's holders."), field="holder")
    if cost_centre_id is not None and not scope.company_rows(CostCentre.objects.filter(pk=cost_centre_id)).exists():
        raise ApplicationError(_("Choose one of your company's cost centres."), field="cost_centre")
    with transaction.atomic():
        line = get_object_or_404(scope.lines(Line.objects.select_for_update()), pk=line_id)
        before = {"holder": line.holder_id, "cost_centre": line.cost_centre_id}
        line.holder_id, line.cost_centre_id = holder_id, cost_centre_id
        line.save(update_fields=["holder", "cost_centre"])  # its post_save signal touches the caches
        AuditEvent.objects.create(
            actor_id=scope.user_id, company_id=scope.company_id, action="line_assigned", object_type="line",
            object_id=str(line.pk), ip_address=ip or None,
            detail={"number": line.number, "before": before, "holder": holder_id, "cost_centre": cost_centre_id},
        )  # fmt: skip
    return line


@dataclass
class ImportReport:
    """What a file did (or, checked only, would do): rows applied, rows already so, rows refused."""

    rows: int
    changed: int
    unchanged: int
    problems: list[AssignmentRow] = field(default_factory=list)
    applied: bool = False  # False: only checked (or nothing to change)

    @property
    def valid(self) -> int:
        return self.changed + self.unchanged


def _chunks(values: list, size: int = LOOKUP_CHUNK):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _by_code(pairs) -> dict[str, int | None]:
    """{CODE: pk} from (pk, code) pairs; a code that two rows share in any case maps to None."""
    found: dict[str, int | None] = {}
    for pk, code in pairs:
        key = code.strip().upper()
        found[key] = None if key in found else pk
    return found


def _lookup_lines(scope: Scope, rows: list[AssignmentRow]) -> tuple[dict, dict]:
    """The lines the numbers of the rows name: {number: line values} of those in the scope, and
    {number: company id} of the others that exist (another company's, or outside a restriction)."""
    numbers = sorted({n for r in rows for n in number_candidates(r.number)})
    visible, others = {}, {}
    for chunk in _chunks(numbers):
        for line in scope.lines(Line.objects.filter(number__in=chunk)).values(
            "pk", "number", "holder_id", "cost_centre_id"
        ):
            visible[line["number"]] = line
        missing = [n for n in chunk if n not in visible]
        if missing:
            others.update(Line.objects.filter(number__in=missing).values_list("number", "company_id"))
    return visible, others


def _lookup_holders(scope: Scope, rows: list[AssignmentRow]) -> dict[str, int | None]:
    codes = sorted({r.holder_code.upper() for r in rows if r.holder_code and r.holder_code != REMOVE})
    holders = {}
    for chunk in _chunks(codes):
        pairs = (
            scope.company_rows(Holder.objects.all())
            .annotate(code=Upper("employee_code"))
            .filter(code__in=chunk)
            .values_list("pk", "code")
        )
        holders.update(_by_code(pairs))
    return holders


def _check_row(row, visible, others, holders, centres, seen, scope) -> dict | None:
    """Fill row.problems; the change the row asks for ({line, holder_id, cost_centre_id}) if none."""
    candidates = number_candidates(row.number) if row.number else []
    line = next((visible[n] for n in candidates if n in visible), None)
    if row.number and not candidates:
        row.problems.append(_("This is not an Italian phone number."))
    elif line is None and row.number:
        company = next((others[n] for n in candidates if n in others), None)
        if company is None:
            row.problems.append(_("No line has this number."))
        elif company == scope.company_id:
            row.problems.append(_("This line is outside the cost centres and sites you manage."))
        else:
            row.problems.append(_("This number is not one of your company's lines."))
    elif line is not None and line["pk"] in seen:
        row.problems.append(
            _("This line is already on row %(row)d: only that row is applied.") % {"row": seen[line["pk"]]}
        )
    holder_id = _target(
        row, row.holder_code, holders, line, "holder_id",
        unknown=_("No holder of your company has this employee code."),
        ambiguous=_("More than one holder has this employee code: give each one a different code."),
    )  # fmt: skip
    centre_id = _target(
        row, row.cost_centre_code, centres, line, "cost_centre_id",
        unknown=_("Your company has no cost centre with this code."),
        ambiguous=_("More than one cost centre has this code in capitals or lower case."),
    )  # fmt: skip
    if row.problems or line is None:
        return None
    seen[line["pk"]] = row.row
    return {"line": line, "holder_id": holder_id, "cost_centre_id": centre_id}


def _target(row, code, known, line, current_field, *, unknown, ambiguous):
    """The id a cell asks for: the current one when empty, None for a dash, the code's owner."""
    if not code:
        return line[current_field] if line else None
    if code == REMOVE:
        return None
    key = code.upper()
    if key not in known:
        row.problems.append(unknown)
    elif known[key] is None:
        row.problems.append(ambiguous)
    return known.get(key)


def assignments_import(*, scope: Scope, rows: list[AssignmentRow], apply: bool = True, ip: str = "") -> ImportReport:
    """Check every row of an assignment file against the scope's lines and the company's holders
    and cost centres, and (apply=True) apply the valid rows, all of them in one transaction.

    A row is refused with its reasons (not a number, no such line, another company's line, a line
    outside the manager's restriction, an unknown or ambiguous code, a line already on an earlier
    row); the others are applied even when some rows are refused. Lookups are a few queries per
    thousands of rows, the writes a bulk update in batches."""
    scope.require(Cap.COSTS_MANAGE)
    visible, others = _lookup_lines(scope, rows)
    holders = _lookup_holders(scope, rows)
    centres = _by_code(scope.company_rows(CostCentre.objects.all()).values_list("pk", "code"))
    seen: dict[int, int] = {}
    changes, unchanged = [], 0
    for row in rows:
        change = _check_row(row, visible, others, holders, centres, seen, scope)
        if change is None:
            continue
        line = change["line"]
        if (line["holder_id"], line["cost_centre_id"]) == (change["holder_id"], change["cost_centre_id"]):
            unchanged += 1
        else:
            changes.append(Line(pk=line["pk"], holder_id=change["holder_id"], cost_centre_id=change["cost_centre_id"]))
    report = ImportReport(
        rows=len(rows), changed=len(changes), unchanged=unchanged, problems=[r for r in rows if r.problems]
    )
    if apply and changes:
        with transaction.atomic():
            Line.objects.bulk_update(changes, ["holder", "cost_centre"], batch_size=UPDATE_BATCH)
            AuditEvent.objects.create(
                actor_id=scope.user_id, company_id=scope.company_id, action="lines_assigned_from_file",
                object_type="line", ip_address=ip or None,
                detail={"rows": report.rows, "changed": report.changed, "refused": len(report.problems)},
            )  # fmt: skip
            # A bulk update sends no signals: the lines' and the company's cached pages are renewed here.
            touch(lines=[line.pk for line in changes], companies=[scope.company_id])
        report.applied = True
    return report

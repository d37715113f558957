"""Cost centres of a company (SPEC F-TRE-2, F-X-1): create, rename, delete."""

import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from selfcare.accounts.models import User
from selfcare.accounts.signals import forget_scope
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.customers.models import CostCentre, Holder
from selfcare.lines.cache import touch
from selfcare.lines.models import Line

CODE_MAX_LENGTH = 20
NAME_MAX_LENGTH = 100
# Letters, digits and . _ / - (never first, so a code cannot look like a formula in a spreadsheet).
CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")


def clean_cost_centre_code(value: str) -> str:
    """The code in capitals, or an ApplicationError on the `code` field saying what is wrong."""
    code = (value or "").strip().upper()
    if not code:
        raise ApplicationError(_("Enter the cost centre's code."), field="code")
    if len(code) > CODE_MAX_LENGTH:
        raise ApplicationError(
            _("A code has at most %(n)d characters.") % {"n": CODE_MAX_LENGTH}, field="code", code="too_long"
        )
    if not CODE_PATTERN.fullmatch(code):
        raise ApplicationError(
            _("Use letters, digits and . _ / - only, starting with a letter or a digit."), field="code"
        )
    return code


def _clean_name(value: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise ApplicationError(_("Enter the cost centre's name."), field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(
            _("A name has at most %(n)d characters.") % {"n": NAME_MAX_LENGTH}, field="name", code="too_long"
        )
    return name


def _duplicate_code() -> ApplicationError:
    return ApplicationError(_("Another cost centre already has this code."), field="code", code="duplicate")


def _save(centre: CostCentre) -> None:
    """Save, turning a code taken meanwhile by another request into the same field error."""
    exists = CostCentre.objects.filter(company_id=centre.company_id, code__iexact=centre.code)
    if exists.exclude(pk=centre.pk).exists():
        raise _duplicate_code()
    try:
        with transaction.atomic():
            centre.save()
    except IntegrityError:
        raise _duplicate_code() from None


def _audit(scope: Scope, action: str, centre_id: int, detail: dict, ip: str) -> None:
    AuditEvent.objects.create(
        actor_id=scope.user_id, company_id=scope.company_id, action=action, object_type="cost_centre",
        object_id=str(centre_id), detail=detail, ip_address=ip or None,
    )  # fmt: skip


def cost_centre_create(*, scope: Scope, code: str, name: str, ip: str = "") -> CostCentre:
    """A new cost centre of the scope's company; its code is unique in the company (any case)."""
    scope.require(Cap.COSTS_MANAGE)
    centre = CostCentre(company_id=scope.company_id, code=clean_cost_centre_code(code), name=_clean_name(name))
    with transaction.atomic():
        _save(centre)
        _audit(scope, "cost_centre_created", centre.pk, {"code": centre.code, "name": centre.name}, ip)
    return centre


def cost_centre_update(*, scope: Scope, cost_centre_id: int, code: str, name: str, ip: str = "") -> CostCentre:
    """Change a cost centre's code and name; its lines' pages show the new ones at once."""
    scope.require(Cap.COSTS_MANAGE)
    with transaction.atomic():
        centre = get_object_or_404(scope.company_rows(CostCentre.objects.select_for_update()), pk=cost_centre_id)
        before = {"code": centre.code, "name": centre.name}
        centre.code, centre.name = clean_cost_centre_code(code), _clean_name(name)
        _save(centre)
        _audit(
            scope, "cost_centre_updated", centre.pk, {"before": before, "code": centre.code, "name": centre.name}, ip
        )
        line_ids = list(Line.objects.filter(cost_centre=centre).values_list("pk", flat=True))
        touch(lines=line_ids, companies=[scope.company_id])
    return centre


@dataclass(frozen=True)
class CostCentreUse:
    """What deleting a cost centre leaves without one."""

    lines: int
    holders: int


def cost_centre_use(*, centre: CostCentre) -> CostCentreUse:
    return CostCentreUse(
        lines=Line.objects.filter(cost_centre=centre).count(),
        holders=Holder.objects.filter(cost_centre=centre).count(),
    )


def cost_centre_delete(*, scope: Scope, cost_centre_id: int, ip: str = "") -> CostCentreUse:
    """Delete a cost centre. Its lines and holders stay, without a cost centre (the foreign keys
    are SET_NULL). Refused while it is the only restriction of a Telco Manager (SPEC F-X-2): with
    it gone he would see the whole company instead of his part of it."""
    scope.require(Cap.COSTS_MANAGE)
    with transaction.atomic():
        centre = get_object_or_404(scope.company_rows(CostCentre.objects.select_for_update()), pk=cost_centre_id)
        # Counted over all their cost centres: a filter on the same relation before the count
        # would count only this one.
        restricted_ids = User.objects.filter(cost_centres=centre).values("pk")
        restricted = User.objects.filter(pk__in=restricted_ids).annotate(
            centre_count=Count("cost_centres", distinct=True), site_count=Count("sites", distinct=True)
        )
        if restricted.filter(Q(centre_count=1) & Q(site_count=0)).exists():
            raise ApplicationError(
                _(
                    "A Telco Manager can see only the lines of this cost centre: give him other cost centres "
                    "or sites before deleting it."
                ),
                code="restricts_manager",
                status=409,
            )
        user_ids = list(restricted.values_list("pk", flat=True))
        use = cost_centre_use(centre=centre)
        line_ids = list(Line.objects.filter(cost_centre=centre).values_list("pk", flat=True))
        detail = {"code": centre.code, "name": centre.name, "lines": use.lines, "holders": use.holders}
        pk = centre.pk
        centre.delete()
        _audit(scope, "cost_centre_deleted", pk, detail, ip)
        touch(lines=line_ids, companies=[scope.company_id])
        for user_id in user_ids:
            forget_scope(user_id)
    return use

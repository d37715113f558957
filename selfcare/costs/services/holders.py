"""Holders (anagrafiche intestatari) of a company's lines (SPEC F-TRE-2): create, edit, delete."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.customers.models import CostCentre, Holder
from selfcare.lines.cache import touch
from selfcare.lines.models import Line

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
EMPLOYEE_CODE_MAX_LENGTH = 30
EMPLOYEE_CODE_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9._/-]*")


def clean_employee_code(value: str) -> str:
    """The employee code in capitals ("" when none), or an ApplicationError on its field."""
    code = (value or "").strip().upper()
    if len(code) > EMPLOYEE_CODE_MAX_LENGTH:
        raise ApplicationError(
            _("An employee code has at most %(n)d characters.") % {"n": EMPLOYEE_CODE_MAX_LENGTH},
            field="employee_code",
            code="too_long",
        )
    if code and not EMPLOYEE_CODE_PATTERN.fullmatch(code):
        raise ApplicationError(
            _("Use letters, digits and . _ / - only, starting with a letter or a digit."), field="employee_code"
        )
    return code


def _clean_name(value: str, field: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        message = _("Enter the first name.") if field == "first_name" else _("Enter the last name.")
        raise ApplicationError(message, field=field)
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(
            _("A name has at most %(n)d characters.") % {"n": NAME_MAX_LENGTH}, field=field, code="too_long"
        )
    return name


def _clean_email(value: str) -> str:
    email = (value or "").strip().lower()
    if not email:
        return ""
    try:
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise ApplicationError(_("Enter a valid email address."), field="email") from None
    return email


def _company_cost_centre(scope: Scope, cost_centre_id: int | None) -> int | None:
    if cost_centre_id is None:
        return None
    if not scope.company_rows(CostCentre.objects.filter(pk=cost_centre_id)).exists():
        raise ApplicationError(_("Choose one of your company's cost centres."), field="cost_centre")
    return cost_centre_id


def _fill(holder: Holder, scope: Scope, data: dict) -> None:
    """Validate every field (the first error found is raised on its field) and set them."""
    holder.first_name = _clean_name(data.get("first_name", ""), "first_name")
    holder.last_name = _clean_name(data.get("last_name", ""), "last_name")
    holder.email = _clean_email(data.get("email", ""))
    holder.employee_code = clean_employee_code(data.get("employee_code", ""))
    holder.cost_centre_id = _company_cost_centre(scope, data.get("cost_centre_id"))
    if holder.employee_code:
        # Unique in the company, so that a CSV assignment finds one holder per code.
        taken = Holder.objects.filter(company_id=scope.company_id, employee_code__iexact=holder.employee_code)
        if taken.exclude(pk=holder.pk).exists():
            raise ApplicationError(
                _("Another holder already has this employee code."), field="employee_code", code="duplicate"
            )


def _audit(scope: Scope, action: str, holder: Holder, ip: str, pk: int | None = None) -> None:
    detail = {"name": f"{holder.first_name} {holder.last_name}", "employee_code": holder.employee_code}
    AuditEvent.objects.create(
        actor_id=scope.user_id, company_id=scope.company_id, action=action, object_type="holder",
        object_id=str(pk or holder.pk), detail=detail, ip_address=ip or None,
    )  # fmt: skip


def holder_create(
    *,
    scope: Scope,
    first_name: str,
    last_name: str,
    email: str = "",
    employee_code: str = "",
    cost_centre_id: int | None = None,
    ip: str = "",
) -> Holder:
    """A new holder of the scope's company. The employee code, when given, is unique in the
    company; the cost centre (the holder's own, for reference) must be one of the company's."""
    scope.require(Cap.COSTS_MANAGE)
    holder = Holder(company_id=scope.company_id)
    data = {"first_name": first_name, "last_name": last_name, "email": email}
    _fill(holder, scope, data | {"employee_code": employee_code, "cost_centre_id": cost_centre_id})
    with transaction.atomic():
        holder.save()
        _audit(scope, "holder_created", holder, ip)
    return holder


def holder_update(
    *,
    scope: Scope,
    holder_id: int,
    first_name: str,
    last_name: str,
    email: str = "",
    employee_code: str = "",
    cost_centre_id: int | None = None,
    ip: str = "",
) -> Holder:
    """Change a holder's details; the pages of his lines show them at once."""
    scope.require(Cap.COSTS_MANAGE)
    with transaction.atomic():
        holder = get_object_or_404(scope.company_rows(Holder.objects.select_for_update()), pk=holder_id)
        data = {"first_name": first_name, "last_name": last_name, "email": email}
        _fill(holder, scope, data | {"employee_code": employee_code, "cost_centre_id": cost_centre_id})
        holder.save()
        _audit(scope, "holder_updated", holder, ip)
        touch(lines=list(Line.objects.filter(holder=holder).values_list("pk", flat=True)), companies=[scope.company_id])
    return holder


def holder_delete(*, scope: Scope, holder_id: int, ip: str = "") -> int:
    """Delete a holder; his lines stay, without a holder. Returns how many lines he had."""
    scope.require(Cap.COSTS_MANAGE)
    with transaction.atomic():
        holder = get_object_or_404(scope.company_rows(Holder.objects.select_for_update()), pk=holder_id)
        line_ids = list(Line.objects.filter(holder=holder).values_list("pk", flat=True))
        pk = holder.pk
        holder.delete()
        _audit(scope, "holder_deleted", holder, ip, pk=pk)
        touch(lines=line_ids, companies=[scope.company_id])
    return len(line_ids)

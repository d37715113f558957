"""Associa SIM (SPEC F-ACC-2): an employee links up to two more lines of his company to his login.

Possession of each added line is proven with a code sent to it by SMS. The association rows stay
after a disassociation (ended_at set), so managers can see the history (F-ACC-3).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from selfcare.accounts import otp
from selfcare.accounts.models import OneTimeCode, SimAssociation, User
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap
from selfcare.core.scope import SESSION_CURRENT_LINE, Scope, forget_scope
from selfcare.lines.models import Line

MAX_ASSOCIATED = 2
PURPOSE = OneTimeCode.Purpose.SIM_ASSOCIATION


def _active(user: User):
    return SimAssociation.objects.filter(user=user, ended_at__isnull=True)


def _eligible_line(user: User, number: str) -> Line | None:
    """An active mobile line of the same company that is neither his own nor already associated."""
    line = Line.objects.filter(
        number=number, company_id=user.company_id, kind=Line.Kind.MOBILE, status=Line.Status.ACTIVE
    ).first()
    if line is None or line.pk == user.line_id or _active(user).filter(line=line).exists():
        return None
    return line


def sim_association_start(*, scope: Scope, user: User, number: str, ip: str) -> None:
    """Send a code to the line to associate. A number that cannot be associated gets the same answer."""
    scope.require(Cap.SIM_ASSOCIATE)
    if _active(user).count() >= MAX_ASSOCIATED:
        raise ApplicationError(
            _("You already have two associated SIMs: disassociate one to add another."), field="number", code="limit"
        )
    line = _eligible_line(user, number)
    otp.code_send(
        purpose=PURPOSE, target=number, channel="sms", ip=ip, context={"user_id": user.pk}, send=line is not None
    )


def sim_association_confirm(*, scope: Scope, user: User, number: str, code: str, ip: str = "") -> SimAssociation:
    """Check the code sent to the line and associate it."""
    scope.require(Cap.SIM_ASSOCIATE)
    verified = otp.code_verify(purpose=PURPOSE, target=number, code=code)
    if verified.context.get("user_id") != user.pk:
        raise otp.wrong_code_error()
    with transaction.atomic():
        # The user's row is the lock that keeps two concurrent confirmations under the limit.
        User.objects.select_for_update().get(pk=user.pk)
        line = _eligible_line(user, number)
        if line is None:
            raise ApplicationError(_("This line cannot be associated."), field="number", code="not_eligible")
        if _active(user).count() >= MAX_ASSOCIATED:
            raise ApplicationError(
                _("You already have two associated SIMs: disassociate one to add another."), field="number",
                code="limit",
            )  # fmt: skip
        association = SimAssociation.objects.create(user=user, line=line)
        AuditEvent.objects.create(
            actor=user, company_id=user.company_id, action="sim_associated", object_type="line",
            object_id=str(line.pk), ip_address=ip or None,
        )  # fmt: skip
    return association


def sim_disassociate(*, scope: Scope, user: User, line_id: int, session=None, ip: str = "") -> None:
    """End the association of one of his lines; 404-like error when it is not associated."""
    scope.require(Cap.SIM_ASSOCIATE)
    with transaction.atomic():
        updated = _active(user).filter(line_id=line_id).update(ended_at=timezone.now())
        # A bulk update sends no signal: the cached scope is dropped here, and again after the commit.
        forget_scope(user.pk)
        transaction.on_commit(lambda: forget_scope(user.pk))
        if not updated:
            raise ApplicationError(_("This SIM is not associated with your account."), code="not_found", status=404)
        AuditEvent.objects.create(
            actor=user, company_id=user.company_id, action="sim_disassociated", object_type="line",
            object_id=str(line_id), ip_address=ip or None,
        )  # fmt: skip
    if session is not None and session.get(SESSION_CURRENT_LINE) == line_id:
        session.pop(SESSION_CURRENT_LINE)

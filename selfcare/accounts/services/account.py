"""The user's own account (SPEC F-ACC-1): an employee may delete it.

The line, its SIM and the company's contract stay: only the login goes (with his SIM associations
and sessions). To come back he registers again with his number.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from selfcare.accounts.models import User
from selfcare.accounts.services.password import current_password_check
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap, role_can


def account_delete(*, user: User, password: str, ip: str = "") -> None:
    """Delete the employee's own account after checking his password; his sessions end with it."""
    if not role_can(user.role, Cap.OWN_ACCOUNT_DELETE):
        raise ApplicationError(
            _("Only employees can delete their account: company managers ask their User Admin."),
            code="forbidden",
            status=403,
        )
    current_password_check(user=user, password=password, field="password")
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        AuditEvent.objects.create(
            actor=None, company_id=user.company_id, action="account_deleted", object_type="user",
            object_id=str(user.pk), detail={"username": user.username, "line_id": user.line_id},
            ip_address=ip or None,
        )  # fmt: skip
        # The pre_delete signal ends every session of the user (selfcare.accounts.sessions).
        user.delete()

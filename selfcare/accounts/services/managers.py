"""Telco Managers (SPEC F-REG-2, F-PWD-2): the User Admin creates, reissues and deletes them.

Every function takes the caller's Scope and checks Cap.MANAGERS_MANAGE; a manager of another
company is not found (404), exactly like a missing one.
"""

from django.db import transaction
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from selfcare.accounts.models import ActivationToken, User
from selfcare.accounts.services import activation
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap, Role
from selfcare.core.scope import Scope


def manager_list(*, scope: Scope) -> QuerySet[User]:
    """The Telco Managers of the scope's company, by name."""
    scope.require(Cap.MANAGERS_MANAGE)
    return User.objects.filter(company_id=scope.company_id, role=Role.MANAGER).order_by("last_name", "first_name", "pk")


def manager_get(*, scope: Scope, manager_id: int) -> User:
    return get_object_or_404(manager_list(scope=scope), pk=manager_id)


def _send_link(manager: User, *, purpose: str, link_builder: activation.LinkBuilder) -> None:
    company = manager.company
    if purpose == ActivationToken.Purpose.REISSUE:
        subject = _("Your Telco Manager access has been reissued")
        intro = _("Hello %(name)s, the User Admin of %(company)s reissued your access.")
    else:
        subject = _("Activate your Telco Manager access")
        intro = _("Hello %(name)s, the User Admin of %(company)s made you a Telco Manager.")
    activation.activation_token_issue(
        user=manager, purpose=purpose, link_builder=link_builder, subject=subject,
        intro=intro % {"name": manager.first_name, "company": company.name},
    )  # fmt: skip


def manager_create(
    *,
    scope: Scope,
    first_name: str,
    last_name: str,
    email: str,
    mobile: str,
    link_builder: activation.LinkBuilder,
    ip: str = "",
) -> User:
    """Create an inactive Telco Manager of the scope's company and email him an activation link."""
    scope.require(Cap.MANAGERS_MANAGE)
    with transaction.atomic():
        manager = User(
            username=activation.pending_username(),
            role=Role.MANAGER,
            company_id=scope.company_id,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email=email.strip().lower(),
            mobile=mobile,
            is_active=False,
        )
        manager.set_unusable_password()
        manager.save()
        _send_link(manager, purpose=ActivationToken.Purpose.ACTIVATION, link_builder=link_builder)
        AuditEvent.objects.create(
            actor_id=scope.user_id, company_id=scope.company_id, action="manager_created", object_type="user",
            object_id=str(manager.pk), ip_address=ip or None,
        )  # fmt: skip
    return manager


def manager_access_reissue(
    *, scope: Scope, manager_id: int, link_builder: activation.LinkBuilder, ip: str = ""
) -> User:
    """New access for a Telco Manager: old password and links stop working, a new link is emailed.

    Changing the password hash also ends every session he has open, whatever the session store:
    Django checks a hash of the password on each request (session auth hash) and logs him out.
    """
    scope.require(Cap.MANAGERS_MANAGE)
    with transaction.atomic():
        manager = get_object_or_404(manager_list(scope=scope).select_for_update(), pk=manager_id)
        manager.set_unusable_password()
        manager.is_active = False
        manager.save(update_fields=["password", "is_active"])
        _send_link(manager, purpose=ActivationToken.Purpose.REISSUE, link_builder=link_builder)
        AuditEvent.objects.create(
            actor_id=scope.user_id, company_id=scope.company_id, action="manager_access_reissued",
            object_type="user", object_id=str(manager.pk), ip_address=ip or None,
        )  # fmt: skip
    return manager


def manager_delete(*, scope: Scope, manager_id: int, ip: str = "") -> None:
    """Delete a Telco Manager of the scope's company (his links and sessions go with him)."""
    scope.require(Cap.MANAGERS_MANAGE)
    with transaction.atomic():
        manager = get_object_or_404(manager_list(scope=scope).select_for_update(), pk=manager_id)
        detail = {"username": manager.username, "email": manager.email}
        pk = manager.pk
        manager.delete()
        AuditEvent.objects.create(
            actor_id=scope.user_id, company_id=scope.company_id, action="manager_deleted", object_type="user",
            object_id=str(pk), detail=detail, ip_address=ip or None,
        )  # fmt: skip

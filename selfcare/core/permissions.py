"""Roles and what each may do: the one table that services, views and the API consult."""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("User Admin")
    MANAGER = "manager", _("Telco Manager")
    REFERENT = "referent", _("Company referent")
    EMPLOYEE = "employee", _("Employee")


MANAGER_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.REFERENT})


class Cap(StrEnum):
    """Capabilities. Consultative ones read, dispositive ones change something."""

    LINES_VIEW = "lines.view"
    COMPANY_LINES_VIEW = "company_lines.view"  # every line of the company, not only one's own
    SIM_SECRETS_REVEAL = "sim_secrets.reveal"
    TRAFFIC_VIEW = "traffic.view"
    TRAFFIC_EXPORT = "traffic.export"
    COSTS_VIEW = "costs.view"
    COSTS_MANAGE = "costs.manage"  # cost centres and holders
    INVOICES_VIEW = "invoices.view"
    INVOICES_PAY = "invoices.pay"
    BILLING_PROFILE_EDIT = "billing_profile.edit"  # PEC, SDI code, payment method
    TOPUPS_VIEW = "topups.view"  # top-up history: a manager's whole company, an employee's own lines
    TOPUP_CREATE = "topup.create"
    AUTO_TOPUP_MANAGE = "auto_topup.manage"
    OPTIONS_REQUEST = "options.request"
    POOLS_MANAGE = "pools.manage"
    BLOCKS_MANAGE = "blocks.manage"
    PROMOTIONS_REQUEST = "promotions.request"
    TICKETS_CREATE = "tickets.create"
    DEVICES_VIEW = "devices.view"
    ACTIVATIONS_VIEW = "activations.view"
    ASSOCIATION_LOG_VIEW = "association_log.view"
    MANAGERS_MANAGE = "managers.manage"  # create, reissue, delete Telco Managers
    OWN_ACCOUNT_DELETE = "own_account.delete"
    SIM_ASSOCIATE = "sim.associate"
    NOTIFICATIONS_MANAGE = "notifications.manage"


_MANAGER = frozenset(
    {
        Cap.LINES_VIEW,
        Cap.COMPANY_LINES_VIEW,
        Cap.SIM_SECRETS_REVEAL,
        Cap.TRAFFIC_VIEW,
        Cap.TRAFFIC_EXPORT,
        Cap.COSTS_VIEW,
        Cap.COSTS_MANAGE,
        Cap.INVOICES_VIEW,
        Cap.INVOICES_PAY,
        Cap.BILLING_PROFILE_EDIT,
        Cap.TOPUPS_VIEW,
        Cap.TOPUP_CREATE,
        Cap.AUTO_TOPUP_MANAGE,
        Cap.OPTIONS_REQUEST,
        Cap.POOLS_MANAGE,
        Cap.BLOCKS_MANAGE,
        Cap.PROMOTIONS_REQUEST,
        Cap.TICKETS_CREATE,
        Cap.DEVICES_VIEW,
        Cap.ACTIVATIONS_VIEW,
        Cap.ASSOCIATION_LOG_VIEW,
        Cap.NOTIFICATIONS_MANAGE,
    }
)

CAPABILITIES: dict[str, frozenset[Cap]] = {
    # Only the User Admin manages the other managers (SPEC §1).
    Role.ADMIN: _MANAGER | {Cap.MANAGERS_MANAGE},
    Role.MANAGER: _MANAGER,
    # The TRE-heritage referent is that company's manager: same powers as a Telco Manager.
    Role.REFERENT: _MANAGER,
    # An employee sees and manages his own line and the lines he associated (SPEC F-HOME-1, F-ACC-*).
    Role.EMPLOYEE: frozenset(
        {
            Cap.LINES_VIEW,
            Cap.SIM_SECRETS_REVEAL,
            Cap.TRAFFIC_VIEW,
            Cap.TRAFFIC_EXPORT,
            Cap.TOPUPS_VIEW,
            Cap.TOPUP_CREATE,
            Cap.AUTO_TOPUP_MANAGE,
            Cap.OPTIONS_REQUEST,
            Cap.BLOCKS_MANAGE,
            Cap.TICKETS_CREATE,
            Cap.OWN_ACCOUNT_DELETE,
            Cap.SIM_ASSOCIATE,
            Cap.NOTIFICATIONS_MANAGE,
        }
    ),
}


def role_can(role: str | None, cap: Cap) -> bool:
    return role is not None and cap in CAPABILITIES.get(role, frozenset())

"""Password rules (DESIGN §8): a minimum length that depends on the profile, no composition rules.

Employees need at least 8 characters; company managers (User Admin, Telco Manager, referent),
operator staff and a password whose owner is not known yet need 12. Common passwords and passwords
close to the user's own data are refused by Django's validators, configured next to this one.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from selfcare.core.permissions import Role

EMPLOYEE_MIN_LENGTH = 8
MANAGER_MIN_LENGTH = 12


def min_length_for(user, *, employee: int = EMPLOYEE_MIN_LENGTH, manager: int = MANAGER_MIN_LENGTH) -> int:
    """The minimum length for this user: the shorter one only for an employee."""
    if user is not None and getattr(user, "role", "") == Role.EMPLOYEE and not getattr(user, "is_staff", False):
        return employee
    return manager


def password_rules_text(user=None) -> str:
    """The rules in one sentence, for the help text under a new-password field."""
    return _("At least %(min_length)d characters. Avoid common passwords and your own name or number.") % {
        "min_length": min_length_for(user)
    }


class RoleMinimumLengthValidator:
    """At least `employee_min_length` characters for employees, `manager_min_length` for everybody else."""

    def __init__(self, employee_min_length: int = EMPLOYEE_MIN_LENGTH, manager_min_length: int = MANAGER_MIN_LENGTH):
        self.employee_min_length = employee_min_length
        self.manager_min_length = manager_min_length

    def _min_length(self, user) -> int:
        return min_length_for(user, employee=self.employee_min_length, manager=self.manager_min_length)

    def validate(self, password, user=None):
        min_length = self._min_length(user)
        if len(password or "") < min_length:
            raise ValidationError(
                _("This password is too short: use at least %(min_length)d characters (a short sentence works well).")
                % {"min_length": min_length},
                code="password_too_short",
                params={"min_length": min_length},
            )

    def get_help_text(self):
        return _("Your password must contain at least %(employee)d characters (%(manager)d for company managers).") % {
            "employee": self.employee_min_length,
            "manager": self.manager_min_length,
        }

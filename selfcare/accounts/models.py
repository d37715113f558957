from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from selfcare.core.permissions import MANAGER_ROLES, Role


class User(AbstractUser):
    """A portal user (with a role and a company) or an operator staff member (no role, admin only)."""

    role = models.CharField(_("profile"), max_length=10, choices=Role.choices, blank=True)
    company = models.ForeignKey(
        "customers.Company",
        verbose_name=_("company"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="users",
    )
    # An employee's own line; his username is its number.
    line = models.ForeignKey(
        "lines.Line",
        verbose_name=_("line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    mobile = models.CharField(_("mobile"), max_length=16, blank=True)
    # A manager restricted to these cost centres or sites; none = the whole company.
    cost_centres = models.ManyToManyField("customers.CostCentre", blank=True, related_name="+")
    sites = models.ManyToManyField("customers.Site", blank=True, related_name="+")
    must_change_password = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=Q(role="") | Q(company__isnull=False), name="user_portal_role_has_company"
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.EMPLOYEE) | Q(line__isnull=False), name="user_employee_has_line"
            ),
            models.UniqueConstraint(
                fields=["line"], condition=Q(role=Role.EMPLOYEE), name="user_one_employee_per_line"
            ),
            models.UniqueConstraint(
                fields=["company"], condition=Q(role=Role.ADMIN), name="user_one_admin_per_company"
            ),
        ]

    @property
    def is_manager(self) -> bool:
        return self.role in MANAGER_ROLES

    def associated_line_ids(self) -> list[int]:
        """Lines this employee associated to his login (SPEC F-ACC-2), oldest first."""
        return list(
            self.sim_associations.filter(ended_at__isnull=True).order_by("created_at").values_list("line_id", flat=True)
        )


class SimAssociation(models.Model):
    """A line an employee linked to his login; kept after disassociation for the managers' log."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sim_associations")
    line = models.ForeignKey("lines.Line", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("associated at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("disassociated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("SIM association")
        verbose_name_plural = _("SIM associations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "line"],
                condition=Q(ended_at__isnull=True),
                name="sim_association_active_once",
            ),
        ]

    def __str__(self):
        return f"{self.user} ↔ {self.line_id}"

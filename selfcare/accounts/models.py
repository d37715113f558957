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
    # TRE heritage: a security question and the hash of its answer (never the answer itself).
    security_question = models.CharField(_("security question"), max_length=200, blank=True)
    security_answer_hash = models.CharField(max_length=128, blank=True)

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


class OneTimeCode(models.Model):
    """A 6-digit code sent by SMS or email to prove possession of a number or an address.

    Only a keyed hash of the code is stored. It is bound to its purpose and target, valid for a
    few minutes, used once; failures count against the (purpose, target) pair, not the code, so
    asking for a new code does not give new tries.
    """

    class Purpose(models.TextChoices):
        EMPLOYEE_REGISTRATION = "employee_registration", _("Employee registration")
        EMPLOYEE_REGISTRATION_EMAIL = "employee_registration_email", _("Employee registration by email")
        REFERENT_REGISTRATION = "referent_registration", _("Referent registration")
        PASSWORD_RECOVERY = "password_recovery", _("Password recovery")
        SIM_ASSOCIATION = "sim_association", _("SIM association")

    purpose = models.CharField(max_length=32, choices=Purpose.choices)
    target = models.CharField(max_length=254)  # E.164 number or lower-case email
    code_hash = models.CharField(max_length=64)
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    requested_from = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["purpose", "target", "-created_at"], name="otp_purpose_target")]

    def __str__(self):
        return f"{self.purpose} → {self.target}"


class ActivationToken(models.Model):
    """A single-use, expiring link token (account activation, access reissue). Stored hashed."""

    class Purpose(models.TextChoices):
        ACTIVATION = "activation", _("Account activation")
        REISSUE = "reissue", _("Access reissued")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="activation_tokens")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("activation link")
        verbose_name_plural = _("activation links")

    def __str__(self):
        return f"{self.purpose} {self.user}"

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from selfcare.catalog.models import AllowanceKind
from selfcare.core.fields import EncryptedTextField
from selfcare.core.money import money_field_kwargs
from selfcare.core.validators import (
    format_phone_number,
    validate_iccid,
    validate_phone_number,
    validate_pin,
    validate_puk,
)


class Line(models.Model):
    """A mobile or fixed line of a company, identified by its number (E.164)."""

    class Kind(models.TextChoices):
        MOBILE = "mobile", _("Mobile")
        FIXED = "fixed", _("Fixed")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ACTIVATING = "activating", _("Being activated")
        SUSPENDED = "suspended", _("Suspended")
        CEASED = "ceased", _("Ceased")

    company = models.ForeignKey("customers.Company", on_delete=models.CASCADE, related_name="lines")
    number = models.CharField(_("number"), max_length=16, unique=True, validators=[validate_phone_number])
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    offer = models.ForeignKey("catalog.Offer", verbose_name=_("offer"), on_delete=models.PROTECT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    holder = models.ForeignKey(
        "customers.Holder", verbose_name=_("holder"), null=True, blank=True, on_delete=models.SET_NULL
    )
    cost_centre = models.ForeignKey(
        "customers.CostCentre",
        verbose_name=_("cost centre"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    site = models.ForeignKey("customers.Site", verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL)
    pool = models.ForeignKey(
        "lines.Pool",
        verbose_name=_("shared pool"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lines",
    )
    activated_on = models.DateField(_("activated on"), null=True, blank=True)
    # Residual credit of a prepaid line; None for postpaid and fixed lines.
    credit = models.DecimalField(_("residual credit"), null=True, blank=True, **money_field_kwargs())
    access_type = models.CharField(_("access technology"), max_length=12, blank=True)  # fixed: FTTH, FTTC, FWA

    class Meta:
        verbose_name = _("line")
        verbose_name_plural = _("lines")
        ordering = ["number"]
        indexes = [
            models.Index(fields=["company", "kind", "number"], name="line_company_kind_number"),
            models.Index(fields=["company", "status"], name="line_company_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(number__regex=r"^\+39[0-9]{6,11}$"), name="line_number_e164"),
            models.CheckConstraint(
                condition=Q(credit__isnull=True) | Q(credit__gte=0), name="line_credit_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(kind="fixed") | Q(number__startswith="+393"), name="line_mobile_number_starts_3"
            ),
        ]

    def __str__(self):
        return self.display_number

    @property
    def display_number(self) -> str:
        return format_phone_number(self.number)

    @property
    def status_label(self) -> str:
        return self.Status(self.status).label


class Sim(models.Model):
    """A SIM card of a mobile line. A replaced SIM stays for history; one active SIM per line."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        REPLACED = "replaced", _("Replaced")

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="sims")
    iccid = models.CharField("ICCID", max_length=20, unique=True, validators=[validate_iccid])
    pin = EncryptedTextField("PIN", validators=[validate_pin])
    puk = EncryptedTextField("PUK", validators=[validate_puk])
    is_esim = models.BooleanField(_("eSIM"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    activated_on = models.DateField(_("activated on"), null=True, blank=True)

    class Meta:
        verbose_name = _("SIM")
        verbose_name_plural = _("SIMs")
        constraints = [
            models.CheckConstraint(condition=Q(iccid__regex=r"^8939[0-9]{15,16}$"), name="sim_iccid_format"),
            models.UniqueConstraint(fields=["line"], condition=Q(status="active"), name="sim_one_active_per_line"),
        ]

    def __str__(self):
        return self.iccid


class ActiveOption(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        DEACTIVATED = "deactivated", _("Deactivated")

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="active_options")
    option = models.ForeignKey("catalog.Option", verbose_name=_("option"), on_delete=models.PROTECT)
    activated_at = models.DateTimeField(_("activated at"))
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        verbose_name = _("active option")
        verbose_name_plural = _("active options")
        constraints = [
            models.UniqueConstraint(
                fields=["line", "option"], condition=Q(status="active"), name="option_active_once_per_line"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__isnull=True) | Q(expires_at__gt=F("activated_at")),
                name="option_expiry_after",
            ),
        ]

    def __str__(self):
        return f"{self.option} @ {self.line}"


# The share of an allowance a counter has used, in thousandths (integer arithmetic, no floats).
USE_PER_MILLE = F("used") * 1000 / F("allowance")


class Counter(models.Model):
    """Use of one allowance in one period: the plan's ("plan") or an option's (its code)."""

    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="counters")
    kind = models.CharField(_("kind"), max_length=12, choices=AllowanceKind.choices)
    bucket = models.CharField(_("from"), max_length=40, default="plan")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("resets on"))
    used = models.PositiveBigIntegerField(_("used"), default=0)  # in the allowance's unit (MB, minutes, SMS)
    # What usage ingestion adds up, exactly: bytes, seconds or messages; `used` is derived from it
    # (MB rounded down, minutes rounded up), so batches of any size give the same counter.
    used_raw = models.PositiveBigIntegerField(_("used (bytes, seconds or messages)"), default=0)
    allowance = models.PositiveBigIntegerField(_("included"), null=True, blank=True)  # None = unlimited
    # The highest usage alert (80 or 100 per cent) already sent for this period, so each is sent once.
    alerted_percent = models.PositiveSmallIntegerField(_("alert sent at (%)"), default=0)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["line", "kind", "bucket", "period_start"], name="counter_unique_period"),
            models.CheckConstraint(condition=Q(period_end__gt=F("period_start")), name="counter_period_order"),
        ]
        indexes = [
            # Lines nearest to their allowances (manager home, "over 80%" filter) read this index in
            # order instead of computing the share of every counter of the company.
            models.Index(USE_PER_MILLE.desc(), name="counter_use_per_mille", condition=Q(allowance__gt=0)),
        ]

    def __str__(self):
        return f"{self.line} {self.kind} {self.used}/{self.allowance}"

    @property
    def kind_label(self) -> str:
        # One enum lookup: get_kind_display() rebuilds the whole choices dict at every call.
        return AllowanceKind(self.kind).label

    @property
    def percent_used(self) -> int | None:
        if not self.allowance:
            return None
        return min(100, round(100 * self.used / self.allowance))


class Pool(models.Model):
    """A Giga Smart Share pool: gigabytes shared by several SIMs of the company."""

    company = models.ForeignKey("customers.Company", on_delete=models.CASCADE, related_name="pools")
    pool_code = models.CharField(_("pool ID"), max_length=20, unique=True)
    kind = models.CharField(_("pool type"), max_length=40)
    total_gb = models.PositiveIntegerField(_("GB in the pool"))
    extra_gb = models.PositiveIntegerField(_("extra GB"), default=0)
    referent_number = models.CharField(
        _("referent phone"), max_length=16, validators=[validate_phone_number], blank=True
    )

    class Meta:
        verbose_name = _("shared pool")
        verbose_name_plural = _("shared pools")
        ordering = ["pool_code"]
        constraints = [models.CheckConstraint(condition=Q(total_gb__gt=0), name="pool_size_positive")]

    def __str__(self):
        return self.pool_code


class Device(models.Model):
    """A device bought or rented from the operator: phone, tablet, router, accessory."""

    class Kind(models.TextChoices):
        SMARTPHONE = "smartphone", _("Smartphone")
        TABLET = "tablet", _("Tablet")
        ROUTER = "router", _("Router")
        ACCESSORY = "accessory", _("Accessory")

    class Maintenance(models.TextChoices):
        NONE = "none", _("None")
        STANDARD = "standard", _("Standard")
        PREMIUM = "premium", _("Premium, replacement in 24 hours")
        ON_SITE = "on_site", _("On site")

    company = models.ForeignKey("customers.Company", on_delete=models.CASCADE, related_name="devices")
    line = models.ForeignKey(Line, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    model = models.CharField(_("model"), max_length=100)
    # IMEI for phones and tablets (validated), serial number for the rest.
    device_id = models.CharField(_("device ID"), max_length=30, unique=True)
    account_name = models.CharField(_("account name"), max_length=100)
    purchased_on = models.DateField(_("purchased on"))
    instalments_total = models.PositiveSmallIntegerField(_("instalments"), default=0)
    instalments_paid = models.PositiveSmallIntegerField(_("instalments paid"), default=0)
    instalment_amount = models.DecimalField(_("instalment"), **money_field_kwargs(default=0))
    maintenance = models.CharField(_("maintenance"), max_length=10, choices=Maintenance.choices, default="none")
    interventions_left = models.PositiveSmallIntegerField(_("interventions left"), default=0)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["model", "device_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(instalments_paid__lte=F("instalments_total")),
                name="device_instalments_paid_le_total",
            ),
            models.CheckConstraint(condition=Q(instalment_amount__gte=0), name="device_instalment_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind__in=["smartphone", "tablet"]) | Q(device_id__regex=r"^[0-9]{15}$"),
                name="device_imei_15_digits",
            ),
        ]

    def __str__(self):
        return f"{self.model} ({self.device_id})"

    def clean(self):
        from selfcare.core.validators import clean_imei

        if self.kind in (self.Kind.SMARTPHONE, self.Kind.TABLET):
            from django.core.exceptions import ValidationError

            try:
                clean_imei(self.device_id)
            except ValidationError as exc:
                raise ValidationError({"device_id": exc.messages}) from None

    @property
    def instalments_left(self) -> int:
        return self.instalments_total - self.instalments_paid


class FixedActivation(models.Model):
    """The progress of a fixed line being activated (SPEC F-SS-6)."""

    class Stage(models.TextChoices):
        RECEIVED = "received", _("Order received")
        FEASIBILITY = "feasibility", _("Technical check")
        APPOINTMENT = "appointment", _("Technician appointment")
        INSTALLATION = "installation", _("Installation")
        TESTING = "testing", _("Final tests")
        DONE = "done", _("Active")

    line = models.OneToOneField(Line, on_delete=models.CASCADE, related_name="activation")
    requested_on = models.DateField(_("requested on"))
    expected_on = models.DateField(_("expected activation"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.RECEIVED)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    keep_informed = models.BooleanField(_("keep me informed"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fixed-line activation")
        verbose_name_plural = _("fixed-line activations")
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="activation_progress_le_100"),
            models.CheckConstraint(condition=Q(expected_on__gte=F("requested_on")), name="activation_dates_order"),
        ]

    def __str__(self):
        return f"{self.line} {self.stage} {self.progress}%"

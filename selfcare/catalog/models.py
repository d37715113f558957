from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from selfcare.core.money import money_field_kwargs


class AllowanceKind(models.TextChoices):
    VOICE_MINUTES = "voice_min", _("Minutes")
    SMS = "sms", _("SMS")
    DATA_MB = "data_mb", _("Internet")
    ROAMING_DATA_MB = "roaming_mb", _("Internet in roaming")


class Offer(models.Model):
    """A tariff plan a line is on."""

    class Kind(models.TextChoices):
        PREPAID = "prepaid", _("Prepaid")
        POSTPAID = "postpaid", _("Postpaid")
        DATA_ONLY = "data_only", _("Data only")
        FIXED = "fixed", _("Fixed line")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    monthly_fee = models.DecimalField(_("monthly fee"), **money_field_kwargs())
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=Q(monthly_fee__gte=0), name="offer_fee_not_negative")]

    def __str__(self):
        return self.name

    @property
    def is_prepaid(self) -> bool:
        return self.kind == self.Kind.PREPAID


class Allowance(models.Model):
    """What a plan (or an option) includes each period; amount None means unlimited."""

    offer = models.ForeignKey(Offer, null=True, blank=True, on_delete=models.CASCADE, related_name="allowances")
    option = models.ForeignKey(
        "catalog.Option", null=True, blank=True, on_delete=models.CASCADE, related_name="allowances"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=AllowanceKind.choices)
    amount = models.PositiveBigIntegerField(_("amount"), null=True, blank=True)

    class Meta:
        verbose_name = _("allowance")
        verbose_name_plural = _("allowances")
        constraints = [
            models.CheckConstraint(
                condition=(Q(offer__isnull=False) & Q(option__isnull=True))
                | (Q(offer__isnull=True) & Q(option__isnull=False)),
                name="allowance_of_offer_xor_option",
            ),
            models.UniqueConstraint(fields=["offer", "kind"], name="allowance_unique_per_offer"),
            models.UniqueConstraint(fields=["option", "kind"], name="allowance_unique_per_option"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.amount if self.amount is not None else '∞'}"

    @property
    def is_unlimited(self) -> bool:
        return self.amount is None


class Option(models.Model):
    """An add-on a line can take: extra GB, roaming pack, international minutes, a service."""

    class Duration(models.TextChoices):
        MONTHLY = "monthly", _("Monthly, renews")
        ONE_OFF = "one_off", _("One-off")
        DAYS = "days", _("For a number of days")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), **money_field_kwargs())
    duration = models.CharField(_("duration"), max_length=8, choices=Duration.choices)
    duration_days = models.PositiveSmallIntegerField(_("days"), null=True, blank=True)
    compatible_offers = models.ManyToManyField(Offer, verbose_name=_("compatible offers"), related_name="options")
    excludes = models.ManyToManyField("self", verbose_name=_("cannot be combined with"), blank=True)
    is_active = models.BooleanField(_("on sale"), default=True)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="option_price_not_negative"),
            models.CheckConstraint(
                condition=~Q(duration="days") | Q(duration_days__gt=0), name="option_days_when_by_days"
            ),
        ]

    def __str__(self):
        return self.name


class Promotion(models.Model):
    """A promotion, possibly dedicated to some companies, for lines on some offers."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    offers = models.ManyToManyField(Offer, verbose_name=_("for lines on"), related_name="promotions")
    companies = models.ManyToManyField(
        "customers.Company", verbose_name=_("dedicated to"), blank=True, related_name="promotions"
    )
    monthly_discount = models.DecimalField(_("monthly discount"), **money_field_kwargs(default=0))

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="promotion_dates"),
            models.CheckConstraint(condition=Q(monthly_discount__gte=0), name="promotion_discount_not_negative"),
        ]

    def __str__(self):
        return self.name


class TopupAmount(models.Model):
    """An amount offered for top-ups."""

    amount = models.DecimalField(_("amount"), unique=True, **money_field_kwargs())
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("top-up amount")
        verbose_name_plural = _("top-up amounts")
        ordering = ["amount"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="topup_amount_positive")]

    def __str__(self):
        return f"€ {self.amount}"

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from selfcare.core.money import money_field_kwargs


class Topup(models.Model):
    """Credit added to a prepaid line (SPEC F-BIL-4, F-SS-1, F-SS-2)."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online")
        AUTOMATIC = "automatic", _("Automatic")
        SHOP = "shop", _("Shop")
        INVOICE = "invoice", _("Charged to invoice")

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        PAYPAL = "paypal", _("PayPal")
        INVOICE = "invoice", _("Next invoice")
        CASH = "cash", _("Cash")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    line = models.ForeignKey("lines.Line", on_delete=models.CASCADE, related_name="topups")
    amount = models.DecimalField(_("amount"), **money_field_kwargs())
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DONE)
    created_at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("top-up")
        verbose_name_plural = _("top-ups")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["line", "-created_at"], name="topup_line_time")]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="topup_positive")]

    def __str__(self):
        return f"{self.line} € {self.amount}"

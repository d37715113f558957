from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    VOICE = "voice", _("Calls")
    SMS = "sms", _("SMS")
    MMS = "mms", _("MMS")
    DATA = "data", _("Internet")
    OPTION = "option", _("Options")
    OTHER = "other", _("Other")


class UsageRecord(models.Model):
    """One usage record (CDR) from the operator's mediation system: the big table.

    record_id is the mediation's identifier: with the start time it is the natural key that makes
    ingestion idempotent (the start time is part of it so the key also fits a table partitioned by month).
    """

    class Direction(models.TextChoices):
        OUTGOING = "out", _("Outgoing")
        INCOMING = "in", _("Incoming")

    line = models.ForeignKey("lines.Line", on_delete=models.CASCADE, related_name="usage_records")
    record_id = models.CharField(max_length=64)
    started_at = models.DateTimeField(_("start"))
    category = models.CharField(_("type"), max_length=6, choices=Category.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices, default="out")
    other_party = models.CharField(_("other party"), max_length=32, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (s)"), default=0)
    volume_bytes = models.PositiveBigIntegerField(_("volume (bytes)"), default=0)
    roaming_zone = models.CharField(_("roaming zone"), max_length=8, blank=True)  # "" = home, EU, WORLD1...
    cost = models.DecimalField(_("cost"), max_digits=10, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("usage record")
        verbose_name_plural = _("usage records")
        constraints = [
            models.UniqueConstraint(fields=["record_id", "started_at"], name="usage_record_natural_key"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="usage_cost_not_negative"),
        ]
        indexes = [models.Index(fields=["line", "started_at"], name="usage_line_time")]

    def __str__(self):
        return f"{self.record_id} {self.category} {self.started_at:%Y-%m-%d %H:%M}"


class DailyUsage(models.Model):
    """Per-day totals of one line and one category: what pages and charts read."""

    line = models.ForeignKey("lines.Line", on_delete=models.CASCADE, related_name="daily_usage")
    day = models.DateField(_("day"))  # Europe/Rome calendar day
    category = models.CharField(_("type"), max_length=6, choices=Category.choices)
    count = models.PositiveIntegerField(_("records"), default=0)
    duration_seconds = models.PositiveBigIntegerField(_("duration (s)"), default=0)
    volume_bytes = models.PositiveBigIntegerField(_("volume (bytes)"), default=0)
    roaming_volume_bytes = models.PositiveBigIntegerField(_("roaming volume (bytes)"), default=0)
    cost = models.DecimalField(_("cost"), max_digits=12, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("daily usage")
        verbose_name_plural = _("daily usage")
        constraints = [
            models.UniqueConstraint(fields=["line", "day", "category"], name="daily_usage_unique"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="daily_usage_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.line_id} {self.day} {self.category}"

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


class UsageTotals(models.Model):
    """What the per-day and per-month totals add up for one line and one category."""

    category = models.CharField(_("type"), max_length=6, choices=Category.choices)
    count = models.PositiveIntegerField(_("records"), default=0)
    duration_seconds = models.PositiveBigIntegerField(_("duration (s)"), default=0)
    volume_bytes = models.PositiveBigIntegerField(_("volume (bytes)"), default=0)
    roaming_volume_bytes = models.PositiveBigIntegerField(_("roaming volume (bytes)"), default=0)

    class Meta:
        abstract = True


class DailyUsage(UsageTotals):
    """Per-day totals of one line and one category: what pages and charts read."""

    line = models.ForeignKey("lines.Line", on_delete=models.CASCADE, related_name="daily_usage")
    day = models.DateField(_("day"))  # Europe/Rome calendar day
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


class MonthlyUsage(UsageTotals):
    """Per-month totals of one line and one category (Europe/Rome calendar month), kept by ingestion
    with the per-day totals: the month's costs of a whole company read these, one row per line and
    category instead of one per day."""

    line = models.ForeignKey("lines.Line", on_delete=models.CASCADE, related_name="monthly_usage")
    month = models.DateField(_("month"))  # its first day
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("monthly usage")
        verbose_name_plural = _("monthly usage")
        constraints = [
            models.UniqueConstraint(fields=["line", "month", "category"], name="monthly_usage_unique"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="monthly_usage_cost_not_negative"),
        ]

    def __str__(self):
        return f"{self.line_id} {self.month:%Y-%m} {self.category}"


class UsageImport(models.Model):
    """The report of one delivery of usage records (a file or an API batch), kept for the back office."""

    class Channel(models.TextChoices):
        FILE = "file", _("File")
        API = "api", _("API")

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        DONE_WITH_ERRORS = "errors", _("Done, with rejected rows")
        FAILED = "failed", _("Failed")

    channel = models.CharField(_("channel"), max_length=4, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=255)  # the file name, or the API client's name
    status = models.CharField(_("status"), max_length=7, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    stored = models.PositiveIntegerField(_("records stored"), default=0)
    duplicates = models.PositiveIntegerField(_("already received"), default=0)
    rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    message = models.TextField(_("message"), blank=True)  # why a whole delivery was refused
    # The first rejected rows, as [{"row": n, "reason": "..."}]; `rejected` has the full count.
    errors = models.JSONField(_("rejected rows"), default=list, blank=True)

    class Meta:
        verbose_name = _("usage import")
        verbose_name_plural = _("usage imports")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"


class IngestionClient(models.Model):
    """A system of the operator allowed to deliver usage records through the API (the mediation).

    It authenticates with its own bearer token, never with a customer login; only the token's
    SHA-256 is stored, and the token is shown once when it is created in the back office.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("ingestion client")
        verbose_name_plural = _("ingestion clients")
        ordering = ["name"]

    def __str__(self):
        return self.name

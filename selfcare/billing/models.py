from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.utils.translation import gettext_lazy as _

from selfcare.core.money import money_field_kwargs


class Invoice(models.Model):
    """A portal copy of an invoice (the fiscal document is its FatturaPA XML)."""

    class Kind(models.TextChoices):
        SERVICES = "services", _("Services")
        DEVICES = "devices", _("Devices")

    class SdiStatus(models.TextChoices):
        # The company has neither a PEC address nor a recipient code: the e-invoice cannot be sent.
        NO_RECIPIENT = "no_recipient", _("Recipient missing")
        TO_SEND = "to_send", _("To send")
        SENT = "sent", _("Sent to SDI")
        DELIVERED = "delivered", _("Delivered")
        REJECTED = "rejected", _("Rejected by SDI")

    class Status(models.TextChoices):
        TO_PAY = "to_pay", _("To pay")
        PARTIALLY_PAID = "partial", _("Partially paid")
        PAID = "paid", _("Paid")
        OVERDUE = "overdue", _("Overdue")

    company = models.ForeignKey("customers.Company", on_delete=models.PROTECT, related_name="invoices")
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices, default=Kind.SERVICES)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("progressive number"))
    number = models.CharField(_("invoice number"), max_length=20, unique=True)
    issued_on = models.DateField(_("issued on"))
    due_on = models.DateField(_("due on"))
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    taxable_amount = models.DecimalField(_("taxable amount"), **money_field_kwargs())
    vat_amount = models.DecimalField(_("VAT"), **money_field_kwargs())
    total_amount = models.DecimalField(_("total"), **money_field_kwargs())
    paid_amount = models.DecimalField(_("paid"), **money_field_kwargs(default=0))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.TO_PAY)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    # The month a billing run invoiced (its first day): a second run for the same month finds it and
    # creates nothing. Empty for one-off documents (a device bought outright).
    billing_period = models.DateField(_("billing period"), null=True, blank=True)
    # Rendered once (billing run or first download) and served from storage afterwards.
    pdf = models.FileField(_("PDF copy"), upload_to="invoices/pdf/%Y/", blank=True)
    einvoice_xml = models.FileField(_("FatturaPA XML"), upload_to="invoices/xml/%Y/", blank=True)
    sdi_status = models.CharField(
        _("e-invoice status"), max_length=12, choices=SdiStatus.choices, default=SdiStatus.TO_SEND
    )
    sdi_status_at = models.DateTimeField(_("e-invoice status changed at"), null=True, blank=True)
    sdi_note = models.CharField(_("SDI note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-sequence"]
        indexes = [models.Index(fields=["company", "-issued_on", "-sequence"], name="invoice_company_issued")]
        constraints = [
            # One invoice of each type per company and billed month: the billing run is idempotent.
            models.UniqueConstraint(
                fields=["company", "kind", "billing_period"],
                condition=Q(billing_period__isnull=False),
                name="invoice_once_per_period",
            ),
            # Numbered without gaps per year across the operator's invoices.
            models.UniqueConstraint(fields=["year", "sequence"], name="invoice_unique_sequence_per_year"),
            models.CheckConstraint(condition=Q(taxable_amount__gte=0), name="invoice_taxable_not_negative"),
            models.CheckConstraint(condition=Q(vat_amount__gte=0), name="invoice_vat_not_negative"),
            # Rounded to the cent because SQLite keeps decimals as floating point, where a sum of two
            # amounts often differs from the stored total in the last binary digit.
            models.CheckConstraint(
                condition=Q(total_amount=Round(F("taxable_amount") + F("vat_amount"), 2)),
                name="invoice_total_is_sum",
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("total_amount")),
                name="invoice_paid_in_range",
            ),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="invoice_period_order"),
            models.CheckConstraint(condition=Q(due_on__gte=F("issued_on")), name="invoice_due_after_issue"),
        ]

    def __str__(self):
        return self.number

    @property
    def amount_due(self):
        return self.total_amount - self.paid_amount


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        RECURRING = "recurring", _("Monthly fee")
        OPTION = "option", _("Option")
        USAGE = "usage", _("Traffic")
        INSTALMENT = "instalment", _("Device instalment")
        ONE_OFF = "one_off", _("One-off charge")
        DISCOUNT = "discount", _("Discount")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey("lines.Line", null=True, blank=True, on_delete=models.SET_NULL)
    cost_centre = models.ForeignKey("customers.CostCentre", null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=1)
    # FatturaPA allows up to 8 decimals on unit prices.
    unit_price = models.DecimalField(_("unit price"), max_digits=18, decimal_places=8)
    vat_rate = models.DecimalField(_("VAT %"), max_digits=5, decimal_places=2, default=22)
    amount = models.DecimalField(_("amount"), **money_field_kwargs())

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="invoice_line_vat_rate"),
            # Only a discount line may be negative.
            models.CheckConstraint(condition=Q(kind="discount") | Q(amount__gte=0), name="invoice_line_amount_sign"),
        ]

    def __str__(self):
        return self.description


class InvoiceSequence(models.Model):
    """The last invoice number given in a year. Locked while numbering, so numbers have no gaps."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("invoice numbering")
        verbose_name_plural = _("invoice numbering")

    def __str__(self):
        return f"{self.year}: {self.last}"


class BillingRun(models.Model):
    """One billing run of a month: what it invoiced, for the back office and the periodic job."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    period = models.DateField(_("billed month"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    companies = models.PositiveIntegerField(_("companies billed"), default=0)
    invoices_created = models.PositiveIntegerField(_("invoices created"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.period:%Y-%m} {self.status}"


class PaymentMethod(models.Model):
    """How a company pays its invoices (SPEC F-BIL-5). The current one is flagged; older ones are kept.

    A card is only ever a token from the payment provider with its brand, last digits and expiry:
    the number never reaches our servers.
    """

    class Kind(models.TextChoices):
        DIRECT_DEBIT = "sdd", _("Bank direct debit")
        CARD = "card", _("Card")
        TRANSFER = "transfer", _("Bank transfer")

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        INVALID = "invalid", _("Invalid")
        EXPIRED = "expired", _("Expired")

    company = models.ForeignKey("customers.Company", on_delete=models.CASCADE, related_name="payment_methods")
    kind = models.CharField(_("method"), max_length=8, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.VALID)
    status_reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    # Bank direct debit (SEPA): the account and the mandate signed by its holder.
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=140, blank=True)
    account_holder_fiscal_code = models.CharField(_("account holder's tax code"), max_length=16, blank=True)
    mandate_reference = models.CharField(_("mandate reference"), max_length=35, blank=True)
    mandate_signed_on = models.DateField(_("mandate signed on"), null=True, blank=True)
    # Card: what the provider tells us about the card it tokenised.
    provider = models.CharField(_("provider"), max_length=20, blank=True)
    provider_token = models.CharField(_("provider token"), max_length=255, blank=True)
    card_brand = models.CharField(_("card brand"), max_length=20, blank=True)
    card_last4 = models.CharField(_("last digits"), max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(_("expiry month"), null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(_("expiry year"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["company"], condition=Q(is_current=True), name="payment_method_one_current"
            ),
            models.CheckConstraint(condition=~Q(kind="sdd") | ~Q(iban=""), name="payment_method_debit_has_iban"),
            models.CheckConstraint(
                condition=~Q(kind="card") | ~Q(provider_token=""), name="payment_method_card_has_token"
            ),
        ]

    def __str__(self):
        return f"{self.company} {self.get_kind_display()}"


class Payment(models.Model):
    """One attempt to pay an invoice online (SPEC F-BIL-2) through a payment provider's hosted page.

    The idempotency key goes with every call to the provider, so a retried call never charges twice;
    the database allows one open attempt and one successful payment per invoice.
    """

    class Method(models.TextChoices):
        CARD = "card", _("Card")
        PAYPAL = "paypal", _("PayPal")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the payment")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    company = models.ForeignKey("customers.Company", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(_("provider"), max_length=20)
    method = models.CharField(_("method"), max_length=8, choices=Method.choices, default=Method.CARD)
    amount = models.DecimalField(_("amount"), **money_field_kwargs())
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    provider_reference = models.CharField(_("provider reference"), max_length=255, blank=True, db_index=True)
    checkout_url = models.URLField(_("checkout page"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # Twenty clicks on "PAGA" share one open attempt...
            models.UniqueConstraint(fields=["invoice"], condition=Q(status="pending"), name="payment_one_open"),
            # ...and an invoice is paid online at most once.
            models.UniqueConstraint(fields=["invoice"], condition=Q(status="succeeded"), name="payment_one_success"),
        ]

    def __str__(self):
        return f"{self.invoice} {self.amount} {self.status}"


class WebhookEvent(models.Model):
    """A provider's notification, stored once by its event id: a repeated delivery is recognised."""

    provider = models.CharField(_("provider"), max_length=20)
    event_id = models.CharField(_("event id"), max_length=255)
    event_type = models.CharField(_("event type"), max_length=100)
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment notification")
        verbose_name_plural = _("payment notifications")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_once")]

    def __str__(self):
        return f"{self.provider} {self.event_id}"

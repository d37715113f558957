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

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issued_on", "-sequence"]
        indexes = [models.Index(fields=["company", "-issued_on"], name="invoice_company_issued")]
        constraints = [
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

"""Support tickets (SPEC §10, "Segnala"): what the customer asked, its status and its history."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

NOTES_MAX_LENGTH = 300


class Reason(models.TextChoices):
    TECHNICAL = "technical", _("Technical support")
    THEFT_LOSS = "theft_loss", _("Theft or loss")
    ADMINISTRATIVE = "administrative", _("Administrative or commercial request")


class Topic(models.TextChoices):
    # Technical support (F-TKT-1)
    FAULTY_ACCESSORY = "faulty_accessory", _("Faulty accessory")
    FAULTY_SIM = "faulty_sim", _("Faulty SIM")
    FAULTY_DEVICE = "faulty_device", _("Faulty device")
    FIXED_LINE_PROBLEM = "fixed_line_problem", _("Fixed-line problem")
    CANNOT_CALL = "cannot_call", _("Mobile: cannot call")
    CANNOT_CALL_ABROAD = "cannot_call_abroad", _("Mobile: cannot call while abroad")
    NO_INTERNET = "no_internet", _("Mobile: internet not working")
    # Theft or loss (F-TKT-2)
    SIM_REPLACEMENT = "sim_replacement", _("SIM replacement")
    IMEI_BLOCK = "imei_block", _("IMEI block")
    # Administrative and commercial requests (F-TKT-3)
    ACTIVATION_DELAY = "activation_delay", _("Activation delay")
    DELIVERY_DELAY = "delivery_delay", _("Delivery delay")
    WRONG_CHARGING = "wrong_charging", _("Wrong charging")
    WRONG_TOPUP_CHARGE = "wrong_topup_charge", _("Top-up charged wrongly")
    PREMIUM_SERVICES = "premium_services", _("Premium services activated or not deactivated")
    WRONG_INVOICE_FORMAT = "wrong_invoice_format", _("Wrong invoice format")
    OTHER_REQUEST = "other_request", _("Other administrative request")


# The topics each reason offers, in the order of its list.
TOPICS = {
    Reason.TECHNICAL: [
        Topic.FAULTY_ACCESSORY,
        Topic.FAULTY_SIM,
        Topic.FAULTY_DEVICE,
        Topic.FIXED_LINE_PROBLEM,
        Topic.CANNOT_CALL,
        Topic.CANNOT_CALL_ABROAD,
        Topic.NO_INTERNET,
    ],
    Reason.THEFT_LOSS: [Topic.SIM_REPLACEMENT, Topic.IMEI_BLOCK],
    Reason.ADMINISTRATIVE: [
        Topic.ACTIVATION_DELAY,
        Topic.DELIVERY_DELAY,
        Topic.WRONG_CHARGING,
        Topic.WRONG_TOPUP_CHARGE,
        Topic.PREMIUM_SERVICES,
        Topic.WRONG_INVOICE_FORMAT,
        Topic.OTHER_REQUEST,
    ],
}


class Status(models.TextChoices):
    OPEN = "open", _("Received")
    IN_PROGRESS = "in_progress", _("Being worked on")
    WAITING = "waiting", _("Waiting for you")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING)


class Service(models.TextChoices):
    VOICE = "voice", _("Voice")
    DATA = "data", _("Internet (data)")


class Domain(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    FIXED = "fixed", _("Fixed line")


class DeviceModel(models.TextChoices):
    ROUTER = "router", _("Router")
    SMARTPHONE = "smartphone", _("Smartphone")
    ACCESSORY = "accessory", _("Accessory")


class LossKind(models.TextChoices):
    THEFT = "theft", _("Theft")
    LOSS = "loss", _("Loss")


class NotifyBy(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("Email")


class Ticket(models.Model):
    """A customer's support request. Which fields are filled depends on its reason and topic."""

    company = models.ForeignKey("customers.Company", on_delete=models.CASCADE, related_name="tickets")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    service = models.CharField(_("service"), max_length=5, choices=Service.choices, blank=True)
    domain = models.CharField(_("domain"), max_length=6, choices=Domain.choices, blank=True)
    # The line concerned (the number the customer gave), and its offer or fixed-line type when it was opened.
    line = models.ForeignKey(
        "lines.Line", verbose_name=_("line"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer_name = models.CharField(_("offer or fixed-line type"), max_length=100, blank=True)
    device_model = models.CharField(_("model"), max_length=10, choices=DeviceModel.choices, blank=True)
    serial_number = models.CharField(_("serial number or IMEI"), max_length=30, blank=True)
    loss_kind = models.CharField(_("theft or loss"), max_length=5, choices=LossKind.choices, blank=True)
    imei = models.CharField(_("IMEI"), max_length=15, blank=True)
    delivery_site = models.ForeignKey(
        "customers.Site", verbose_name=_("delivery site"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    invoice_number = models.CharField(_("invoice number"), max_length=20, blank=True)
    notes = models.CharField(_("notes"), max_length=NOTES_MAX_LENGTH, blank=True)
    site = models.ForeignKey(
        "customers.Site", verbose_name=_("site"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referent_name = models.CharField(_("referent"), max_length=200)
    referent_phone = models.CharField(_("referent's phone"), max_length=16, blank=True)
    referent_email = models.EmailField(_("referent's email"), blank=True)
    notify_by = models.CharField(_("notify the referent by"), max_length=5, choices=NotifyBy.choices)
    requester_name = models.CharField(_("requester"), max_length=200)
    requester_phone = models.CharField(_("requester's phone"), max_length=16, blank=True)
    requester_email = models.EmailField(_("requester's email"))
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last update"), auto_now=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-created_at", "-id"], name="ticket_company_time"),
            # The manager home counts the company's open tickets.
            models.Index(
                fields=["company"], condition=Q(status__in=["open", "in_progress", "waiting"]), name="ticket_open"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(notify_by="sms", referent_phone__gt="") | Q(notify_by="email", referent_email__gt=""),
                name="ticket_referent_reachable",
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        """The number the customer quotes (TK and seven digits)."""
        return f"TK{self.pk:07d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketEvent(models.Model):
    """A step of a ticket's history, as the customer reads it: opened, a status change, a message."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    message = models.TextField(_("message to the customer"), blank=True)
    # A portal user (who opened it) or an operator staff member (who works it).
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.ticket} {self.created_at:%Y-%m-%d %H:%M} {self.status}"


class AttachmentKind(models.TextChoices):
    REQUEST_FORM = "request_form", _("Filled request form")
    IDENTITY_DOCUMENT = "identity_document", _("Identity document")
    POLICE_REPORT = "police_report", _("Police report")


def document_path(attachment: "TicketAttachment", filename: str) -> str:
    """Where a document is stored: a random name with the extension of the type found in its first
    bytes; the customer's file name is kept apart (file_name), for display only."""
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[attachment.content_type]
    return f"tickets/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class TicketAttachment(models.Model):
    """A document the customer sent with a ticket. Stored privately; served only through the portal."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("document"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=document_path, max_length=100)
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size in bytes"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket attachment")
        verbose_name_plural = _("ticket attachments")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["ticket", "kind"], name="ticket_attachment_one_per_kind")]

    def __str__(self):
        return self.file_name


@receiver(post_delete, sender=TicketAttachment, dispatch_uid="ticket_document_deleted")
def _document_deleted(sender, instance, **kwargs):
    # The file goes with its row (a ticket's or a company's deletion cascades here).
    if instance.file:
        instance.file.delete(save=False)

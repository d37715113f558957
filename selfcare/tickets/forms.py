"""The ticket form: the common part and the inputs of the chosen topic (services.topic_fields).

The form checks shapes and says what is missing; the service checks the rest (the number is one of
the lines you manage, the IMEI's check digit, the invoice is the company's) and its errors land on
the same fields.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import services
from .models import NOTES_MAX_LENGTH, AttachmentKind, DeviceModel, Domain, LossKind, NotifyBy, Service

DOCUMENT_ACCEPT = "application/pdf,image/jpeg,image/png"


class MultiLineField(forms.CharField):
    """Text whose line breaks count as one character each, as the browser's maxlength counts them
    (it sends them as two)."""

    def to_python(self, value):
        return super().to_python(value.replace("\r\n", "\n") if isinstance(value, str) else value)


def _radios(label, choices, message):
    return forms.ChoiceField(
        label=label, choices=choices, widget=forms.RadioSelect, error_messages={"required": message}
    )


def _document(label):
    return forms.FileField(
        label=label,
        help_text=_("PDF, JPEG or PNG, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": DOCUMENT_ACCEPT}),
        error_messages={"required": _("Attach this document.")},
    )


def topic_field(name: str, sites: list[tuple[int, str]]) -> forms.Field:
    """The form field of one topic input."""
    if name == "number":
        return forms.CharField(
            label=_("Number concerned"), max_length=20, help_text=_("One of the lines you manage, e.g. 347 123 4567."),
            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            error_messages={"required": _("Enter the number concerned.")},
        )  # fmt: skip
    if name == "domain":
        return _radios(_("Fixed or mobile"), Domain.choices, _("Choose fixed or mobile."))
    if name == "service":
        return _radios(_("Service affected"), Service.choices, _("Choose voice or internet."))
    if name == "device_model":
        return _radios(_("Model"), DeviceModel.choices, _("Choose the model."))
    if name == "serial_number":
        return forms.CharField(
            label=_("Serial number or IMEI"), max_length=40,
            help_text=_("On the label under the device, or dial *#06# on a phone."),
            widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
            error_messages={"required": _("Enter the device's serial number or IMEI.")},
        )  # fmt: skip
    if name == "loss_kind":
        return _radios(_("What happened"), LossKind.choices, _("Choose theft or loss."))
    if name == "delivery_site":
        return forms.TypedChoiceField(
            label=_("Deliver the new SIM to"), coerce=int, choices=[("", _("Choose a site")), *sites],
            error_messages={"required": _("Choose one of your company's sites.")},
        )  # fmt: skip
    if name == "imei":
        return forms.CharField(
            label=_("IMEI of the device to block"), max_length=20, help_text=_("15 digits: on the box or the invoice."),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            error_messages={"required": _("An IMEI has exactly 15 digits.")},
        )  # fmt: skip
    if name == "invoice_number":
        return forms.CharField(
            label=_("Invoice number"), max_length=20, help_text=_("As printed on the invoice."),
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
            error_messages={"required": _("Enter the number of the invoice concerned.")},
        )  # fmt: skip
    return _document(AttachmentKind(name).label)


class TicketForm(forms.Form):
    """The common part of every ticket; the topic's inputs are added before it."""

    site = forms.TypedChoiceField(label=_("Company site concerned"), coerce=int, required=False, empty_value=None)
    notes = MultiLineField(
        label=_("Notes"), required=False, max_length=NOTES_MAX_LENGTH,
        help_text=_("At most 300 characters: what happens, since when, what you already tried."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTES_MAX_LENGTH}),
    )  # fmt: skip
    referent_name = forms.CharField(
        label=_("Referent's name"), max_length=services.NAME_MAX_LENGTH,
        help_text=_("The person our technicians contact about this ticket."),
        error_messages={"required": _("Enter the referent's name.")},
    )  # fmt: skip
    referent_phone = forms.CharField(
        label=_("Referent's phone"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )  # fmt: skip
    referent_email = forms.EmailField(label=_("Referent's email"), required=False, max_length=254)
    notify_by = forms.ChoiceField(
        label=_("Keep the referent informed by"), choices=NotifyBy.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose SMS or email.")},
    )  # fmt: skip
    requester_name = forms.CharField(
        label=_("Your name"), max_length=services.NAME_MAX_LENGTH, error_messages={"required": _("Enter your name.")}
    )
    requester_phone = forms.CharField(
        label=_("Your phone"), max_length=20, required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )  # fmt: skip
    requester_email = forms.EmailField(
        label=_("Your email"), max_length=254, error_messages={"required": _("Enter an email address.")}
    )

    def __init__(self, *args, topic: str, sites: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        optional = services.optional_fields(topic)
        own = {}
        for name in services.topic_fields(topic):
            own[name] = topic_field(name, sites)
            own[name].required = name not in optional
        self.fields = own | dict(self.fields)  # the topic's inputs first
        self.fields["site"].choices = [("", _("Choose a site")), *sites]
        # A company with sites says which one the ticket is about (services check it too).
        self.fields["site"].required = bool(sites)
        self.fields["site"].error_messages["required"] = _("Choose one of your company's sites.")

    REFERENT = ("referent_name", "referent_phone", "referent_email", "notify_by")
    REQUESTER = ("requester_name", "requester_phone", "requester_email")

    def problem_fields(self):
        """The topic's inputs, the site and the notes: the first group of the page."""
        return [self[name] for name in self.fields if name not in (*self.REFERENT, *self.REQUESTER)]

    def referent_fields(self):
        return [self[name] for name in self.REFERENT]

    def requester_fields(self):
        return [self[name] for name in self.REQUESTER]

    def request(self, *, reason: str, topic: str) -> services.TicketRequest:
        """The cleaned data as the service takes it."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in (*services.IMEI_BLOCK_DOCUMENTS,)}
        data["site_id"] = data.pop("site", None)
        if "delivery_site" in data:
            data["delivery_site_id"] = data.pop("delivery_site")
        attachments = {k: self.cleaned_data[k] for k in services.IMEI_BLOCK_DOCUMENTS if self.cleaned_data.get(k)}
        return services.TicketRequest(reason=reason, topic=topic, attachments=attachments, **data)


class ReplyForm(forms.Form):
    message = MultiLineField(
        label=_("Your message"), max_length=NOTES_MAX_LENGTH,
        help_text=_("At most 300 characters. Our staff read it in the ticket's history."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTES_MAX_LENGTH}),
        error_messages={"required": _("Write your message.")},
    )  # fmt: skip


class ListFilterForm(forms.Form):
    shown = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("open", pgettext_lazy("tickets shown", "Open")),
            ("closed", pgettext_lazy("tickets shown", "Closed")),
            ("all", pgettext_lazy("tickets shown", "All")),
        ],
    )

"""The filter form of the Dispositivi page (GET): search, kind, maintenance, instalments left."""

from django import forms
from django.utils.translation import gettext_lazy as _

from selfcare.lines.models import Device
from selfcare.lines.selectors.devices import DeviceFilters


class DeviceFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("Model, device ID (IMEI or serial number) or line number"),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    kind = forms.ChoiceField(label=_("Device type"), required=False, choices=[("", _("All"))] + Device.Kind.choices)
    maintenance = forms.ChoiceField(
        label=_("Maintenance type"), required=False, choices=[("", _("All"))] + Device.Maintenance.choices
    )
    instalments_left = forms.BooleanField(label=_("Only with instalments left to pay"), required=False)

    def filters(self) -> DeviceFilters:
        """The filters of the fields that are valid (an invalid one is shown as an error and ignored)."""
        if not self.is_bound:
            return DeviceFilters()
        self.is_valid()  # cleaned_data keeps the valid fields only
        data = self.cleaned_data
        return DeviceFilters(
            q=(data.get("q") or "").strip(),
            kind=data.get("kind") or "",
            maintenance=data.get("maintenance") or "",
            instalments_left=bool(data.get("instalments_left")),
        )

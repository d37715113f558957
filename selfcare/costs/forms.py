"""Forms of Costi Online. They check shapes and lengths; the services check the rest (codes unique
in the company, objects of the company) and their ApplicationErrors land on the same fields."""

import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from selfcare.costs.assignment_csv import MAX_BYTES
from selfcare.costs.selectors import month as month_selectors
from selfcare.costs.services.cost_centres import CODE_MAX_LENGTH
from selfcare.costs.services.cost_centres import NAME_MAX_LENGTH as CENTRE_NAME_MAX_LENGTH
from selfcare.costs.services.holders import EMPLOYEE_CODE_MAX_LENGTH, NAME_MAX_LENGTH


class CostCentreForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=CODE_MAX_LENGTH,
        help_text=_("Unique in your company, as in your accounts: letters, digits and . _ / -, for example CC100."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    name = forms.CharField(label=_("Name"), max_length=CENTRE_NAME_MAX_LENGTH)


class HolderForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=NAME_MAX_LENGTH)
    last_name = forms.CharField(label=_("Last name"), max_length=NAME_MAX_LENGTH)
    email = forms.EmailField(label=_("Email"), required=False, max_length=254)
    employee_code = forms.CharField(
        label=_("Employee code"),
        required=False,
        max_length=EMPLOYEE_CODE_MAX_LENGTH,
        help_text=_("Optional; unique in your company. The assignment file names holders by this code."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    cost_centre = forms.TypedChoiceField(label=_("Cost centre"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, cost_centres: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        # Choices read once from the scope (ids and codes), not a model field that queries per render.
        self.fields["cost_centre"].choices = [("", _("None")), *cost_centres]


class LineAssignmentForm(forms.Form):
    """A line's holder (one of the radios the holder search shows, or none) and cost centre.

    The holder is any id here: the service checks that it is one of the company's holders."""

    holder = forms.IntegerField(label=_("Holder"), required=False, min_value=1, widget=forms.RadioSelect)
    cost_centre = forms.TypedChoiceField(label=_("Cost centre"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, cost_centres: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cost_centre"].choices = [("", _("No cost centre")), *cost_centres]


class HolderSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        help_text=_("First or last name, employee code or email"),
    )


class AssignmentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("At most 2 MB and 20,000 rows."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    check_only = forms.BooleanField(
        label=_("Only check the file, do not change anything"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB: split it into smaller files."))
        return upload


TABS = ("centre", "holder", "line")


class MonthForm(forms.Form):
    """Which month, which table (per cost centre, holder or line) and, for lines, which cost centre."""

    month = forms.ChoiceField(label=_("Month"), required=False)
    by = forms.ChoiceField(required=False, choices=[(t, t) for t in TABS])
    centre = forms.CharField(required=False, max_length=20)
    cursor = forms.CharField(required=False, max_length=400)

    def __init__(self, *args, today: datetime.date | None = None, centre_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.months = month_selectors.available_months(today)
        self.fields["month"].choices = [
            (month_selectors.month_key(m), date_format(m, "F Y").capitalize()) for m in self.months
        ]
        self.centre_ids = set(centre_ids)

    def clean_month(self) -> datetime.date | None:
        value = self.cleaned_data.get("month")
        return next((m for m in self.months if month_selectors.month_key(m) == value), None)

    def clean_centre(self):
        value = self.cleaned_data.get("centre") or ""
        if not value:
            return None
        if value == month_selectors.NO_CENTRE:
            return value
        if value.isdigit() and int(value) in self.centre_ids:
            return int(value)
        raise forms.ValidationError(_("Choose one of your company's cost centres."))

    def values(self) -> dict:
        """month, by, centre, cursor: the valid ones, defaults for the rest."""
        data = self.cleaned_data if self.is_bound and hasattr(self, "cleaned_data") else {}
        return {
            "month": data.get("month") or self.months[0],
            "by": data.get("by") or "centre",
            "centre": data.get("centre") if "centre" not in self.errors else None,
            "cursor": data.get("cursor") or None,
        }

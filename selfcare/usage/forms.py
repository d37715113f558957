import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .selectors import Period

PERIOD_CHOICES = [
    (Period.TODAY, _("Today")),
    (Period.WEEK, _("This week")),
    (Period.MONTH, _("This month")),
    (Period.QUARTER, _("Last three months")),
]
EXPORT_MAX_DAYS = 90


class TrafficPeriodForm(forms.Form):
    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False)
    cursor = forms.CharField(required=False, max_length=200)

    def chosen_period(self) -> str:
        return (self.cleaned_data.get("period") if self.is_valid() else None) or Period.MONTH


class TrafficExportForm(forms.Form):
    """The date range of "Download traffico": at most 90 days, none in the future."""

    date_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        first, last = data.get("date_from"), data.get("date_to")
        if first and last:
            if last < first:
                self.add_error("date_to", _("The end date comes before the start date."))
            elif (last - first).days + 1 > EXPORT_MAX_DAYS:
                self.add_error("date_to", _("Choose at most %(days)d days.") % {"days": EXPORT_MAX_DAYS})
            elif last > timezone.localdate():
                self.add_error("date_to", _("The end date is in the future."))
        return data

    @classmethod
    def initial_range(cls) -> dict:
        today = timezone.localdate()
        return {"date_from": today - datetime.timedelta(days=29), "date_to": today}

"""The filter form of the mobile and fixed line lists (query string, GET)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from selfcare.catalog.models import Offer
from selfcare.core.scope import Scope
from selfcare.customers.models import CostCentre
from selfcare.lines.models import Line
from selfcare.lines.selectors.lines import SORTS, LineFilters

OFFER_KINDS = {
    Line.Kind.MOBILE: [Offer.Kind.PREPAID, Offer.Kind.POSTPAID, Offer.Kind.DATA_ONLY],
    Line.Kind.FIXED: [Offer.Kind.FIXED],
}
SORT_CHOICES = [
    ("number", _("Number")),
    ("holder", _("Holder")),
    ("cost_centre", _("Cost centre")),
    ("offer", _("Offer")),
    ("status", _("Status")),
]


class LineFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=60,
        help_text=_("Part of the number, or the holder's name"),
    )
    offer = forms.ModelChoiceField(
        label=_("Offer"), queryset=Offer.objects.none(), required=False, empty_label=_("Any")
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *Line.Status.choices])
    cost_centre = forms.ModelChoiceField(
        label=_("Cost centre"), queryset=CostCentre.objects.none(), required=False, empty_label=_("Any")
    )
    payment = forms.ChoiceField(
        label=_("Payment"),
        required=False,
        choices=[("", _("Any")), ("prepaid", _("Prepaid")), ("postpaid", _("Postpaid"))],
    )
    near = forms.BooleanField(label=_("Over 80% of an allowance"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[*SORT_CHOICES, *[(f"-{value}", label) for value, label in SORT_CHOICES]],
    )
    cursor = forms.CharField(required=False, max_length=400, widget=forms.HiddenInput)

    def __init__(self, *args, scope: Scope, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["offer"].queryset = Offer.objects.filter(kind__in=OFFER_KINDS[kind]).order_by("name")
        self.fields["cost_centre"].queryset = scope.company_rows(CostCentre.objects.all()).order_by("code")
        if kind == Line.Kind.FIXED:
            del self.fields["payment"]  # fixed lines are all postpaid

    def filters(self) -> LineFilters:
        """The validated filters; call after is_valid() (invalid fields count as "any")."""
        data = getattr(self, "cleaned_data", {})
        sort = data.get("sort") or "number"
        descending = sort.startswith("-")
        offer, centre = data.get("offer"), data.get("cost_centre")
        return LineFilters(
            kind=self.kind,
            q=(data.get("q") or "").strip(),
            offer_id=offer.pk if offer else None,
            status=data.get("status") or "",
            cost_centre_id=centre.pk if centre else None,
            payment=data.get("payment") or "",
            near_allowance=bool(data.get("near")),
            sort=sort.removeprefix("-") if sort.removeprefix("-") in SORTS else "number",
            descending=descending,
        )

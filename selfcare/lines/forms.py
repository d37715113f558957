"""The filter form of the mobile and fixed line lists (query string, GET)."""

from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from selfcare.catalog.models import Offer
from selfcare.core.cache import make_key
from selfcare.core.scope import Scope
from selfcare.customers.models import CostCentre
from selfcare.lines.cache import company_version
from selfcare.lines.models import Line
from selfcare.lines.selectors.lines import SORTS, LineFilters

CHOICES_CACHE_SECONDS = 300
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
    # Choice lists read once per request (ids and names), not model choice fields that query
    # the database each time the select is drawn.
    offer = forms.TypedChoiceField(label=_("Offer"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *Line.Status.choices])
    cost_centre = forms.TypedChoiceField(label=_("Cost centre"), coerce=int, required=False, empty_value=None)
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
        self.scope = scope
        # Callables: the choices are read only when a value is checked or the form is drawn, so a
        # page whose form is already rendered in the cache does not read them.
        self.fields["offer"].choices = self._offer_choices
        self.fields["cost_centre"].choices = self._cost_centre_choices
        if kind == Line.Kind.FIXED:
            del self.fields["payment"]  # fixed lines are all postpaid

    # The catalogue's offers and the company's cost centres, cached (a change gives the company a new
    # version, see selfcare.lines.cache; the catalogue changes rarely and waits 5 minutes).
    def _offer_choices(self) -> list:
        offers = cache.get_or_set(
            f"offer-choices:v1:{self.kind}",
            lambda: list(
                Offer.objects.filter(kind__in=OFFER_KINDS[self.kind]).order_by("name").values_list("pk", "name")
            ),
            CHOICES_CACHE_SECONDS,
        )
        return [("", _("Any")), *offers]

    def _cost_centre_choices(self) -> list:
        scope = self.scope
        centres = cache.get_or_set(
            make_key("cost-centre-choices:v1", scope.company_id, scope.role, company_version(scope.company_id)),
            lambda: list(scope.company_rows(CostCentre.objects.order_by("code")).values_list("pk", "code", "name")),
            CHOICES_CACHE_SECONDS,
        )
        return [("", _("Any")), *((pk, f"{code} · {name}") for pk, code, name in centres)]

    def filters(self) -> LineFilters:
        """The validated filters; call after is_valid() (invalid fields count as "any")."""
        data = getattr(self, "cleaned_data", {})
        sort = data.get("sort") or "number"
        descending = sort.startswith("-")
        return LineFilters(
            kind=self.kind,
            q=(data.get("q") or "").strip(),
            offer_id=data.get("offer"),
            status=data.get("status") or "",
            cost_centre_id=data.get("cost_centre"),
            payment=data.get("payment") or "",
            near_allowance=bool(data.get("near")),
            sort=sort.removeprefix("-") if sort.removeprefix("-") in SORTS else "number",
            descending=descending,
        )

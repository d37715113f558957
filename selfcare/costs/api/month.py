"""API of the month's traffic costs: the summary per cost centre, and the lines and holders by cost."""

from decimal import ROUND_HALF_UP

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.costs.selectors import month as selectors
from selfcare.costs.selectors import registry

from . import VIEW


def _euro(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, rounding=ROUND_HALF_UP, **kwargs)


class CostsSerializer(serializers.Serializer):
    calls = _euro()
    messages = _euro(help_text="SMS and MMS")
    internet = _euro()
    other = _euro(help_text="Options and other services")
    total = _euro()


class CostsOfRowSerializer(CostsSerializer):
    """The same figures read from an annotated row (cost_calls, ...)."""

    calls = _euro(source="cost_calls")
    messages = _euro(source="cost_messages", help_text="SMS and MMS")
    internet = _euro(source="cost_internet")
    other = _euro(source="cost_other", help_text="Options and other services")
    total = _euro(source="cost_total")


class MonthQuerySerializer(serializers.Serializer):
    month = serializers.RegexField(
        r"^[0-9]{4}-[0-9]{2}$", required=False, help_text="YYYY-MM; the current month (Rome time) when left out"
    )

    def validate_month(self, value):
        months = {selectors.month_key(m): m for m in selectors.available_months()}
        if value not in months:
            raise serializers.ValidationError(
                _("Choose this month or one of the %(n)d before it.") % {"n": len(months) - 1}
            )
        return months[value]

    def chosen_month(self):
        return self.validated_data.get("month") or selectors.current_month()


class PagedMonthQuerySerializer(MonthQuerySerializer):
    cursor = serializers.CharField(
        required=False, max_length=400, help_text="The next_cursor or previous_cursor of a previous page"
    )


class LineCostsQuerySerializer(PagedMonthQuerySerializer):
    cost_centre = serializers.CharField(
        required=False, max_length=20, help_text=f'A cost centre id, or "{selectors.NO_CENTRE}" for lines without one'
    )

    def validate_cost_centre(self, value):
        if value == selectors.NO_CENTRE:
            return value
        ids = {pk for pk, _label in registry.cost_centre_choices(scope=self.context["scope"])}
        if not value.isdigit() or int(value) not in ids:
            raise serializers.ValidationError(_("Choose one of your company's cost centres."))
        return int(value)


class CentreCostsSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="cost_centre_id", allow_null=True, help_text="null: lines without one")
    code = serializers.CharField()
    name = serializers.CharField()
    lines = serializers.IntegerField(help_text="Lines with traffic in the month")
    costs = CostsSerializer()


class MonthSummarySerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    total = CostsSerializer()
    lines_with_traffic = serializers.IntegerField()
    cost_centres = CentreCostsSerializer(many=True, source="centres")


class MonthSummaryView(APIView):
    access = VIEW

    @extend_schema(
        parameters=[MonthQuerySerializer],
        responses=MonthSummarySerializer,
        summary="The month's traffic costs (VAT excluded) in all and per cost centre, most expensive first",
    )
    def get(self, request):
        query = MonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        summary = selectors.month_summary(scope=request.scope, month=query.chosen_month())
        return Response(MonthSummarySerializer(summary).data)


class LineCostSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField(help_text="E.164")
    holder = serializers.SerializerMethodField()
    cost_centre = serializers.CharField(source="cost_centre.code", default=None, allow_null=True)
    costs = CostsOfRowSerializer(source="*")

    def get_holder(self, line) -> str | None:
        return str(line.holder) if line.holder else None


class LineCostPageSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    count = serializers.IntegerField(source="result.total", help_text="Lines in the list")
    results = LineCostSerializer(many=True, source="result.page.rows")
    next_cursor = serializers.CharField(source="result.page.next_cursor", allow_null=True)
    previous_cursor = serializers.CharField(source="result.page.previous_cursor", allow_null=True)


class MonthLinesView(APIView):
    access = VIEW

    @extend_schema(
        parameters=[LineCostsQuerySerializer],
        responses=LineCostPageSerializer,
        summary="Every line with its traffic costs in the month, most expensive first, one page at a time",
    )
    def get(self, request):
        query = LineCostsQuerySerializer(data=request.query_params, context={"scope": request.scope})
        query.is_valid(raise_exception=True)
        month = query.chosen_month()
        result = selectors.month_lines(
            scope=request.scope,
            month=month,
            centre=query.validated_data.get("cost_centre"),
            cursor=query.validated_data.get("cursor"),
        )
        return Response(LineCostPageSerializer({"month": month, "result": result}).data)


class HolderCostSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    employee_code = serializers.CharField()
    lines = serializers.IntegerField(source="line_count", help_text="The holder's lines you may see")
    costs = CostsOfRowSerializer(source="*")


class WithoutHolderSerializer(serializers.Serializer):
    lines = serializers.IntegerField(help_text="Lines without a holder that had traffic")
    costs = CostsSerializer()


class HolderCostPageSerializer(serializers.Serializer):
    month = serializers.DateField(format="%Y-%m")
    count = serializers.IntegerField(source="result.total", help_text="The company's holders")
    results = HolderCostSerializer(many=True, source="result.page.rows")
    without_holder = WithoutHolderSerializer(
        source="result.unassigned", allow_null=True, help_text="First page only; null when none had traffic"
    )
    next_cursor = serializers.CharField(source="result.page.next_cursor", allow_null=True)
    previous_cursor = serializers.CharField(source="result.page.previous_cursor", allow_null=True)


class MonthHoldersView(APIView):
    access = VIEW

    @extend_schema(
        parameters=[PagedMonthQuerySerializer],
        responses=HolderCostPageSerializer,
        summary="The company's holders with the traffic costs of their lines in the month, most expensive first",
    )
    def get(self, request):
        query = PagedMonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        month = query.chosen_month()
        result = selectors.month_holders(scope=request.scope, month=month, cursor=query.validated_data.get("cursor"))
        return Response(HolderCostPageSerializer({"month": month, "result": result}).data)

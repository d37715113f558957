"""API of the line lists, a line's detail and its PIN/PUK (SPEC F-PRD-1..3)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.catalog.models import Offer
from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip
from selfcare.customers.models import CostCentre
from selfcare.lines import services
from selfcare.lines.models import ActiveOption, Counter, Device, Line
from selfcare.lines.selectors import lines as selectors
from selfcare.topups.models import Topup


class CounterSerializer(serializers.ModelSerializer):
    percent_used = serializers.IntegerField(allow_null=True, help_text="null when unlimited")

    class Meta:
        model = Counter
        fields = ["kind", "bucket", "used", "allowance", "percent_used", "period_start", "period_end"]
        extra_kwargs = {
            "used": {"help_text": "In the allowance's unit: MB for data, minutes, messages"},
            "allowance": {"help_text": "null means unlimited"},
        }


class ActiveOptionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="option.code")
    name = serializers.CharField(source="option.name")

    class Meta:
        model = ActiveOption
        fields = ["code", "name", "activated_at", "expires_at"]


class LineRowSerializer(serializers.ModelSerializer):
    holder = serializers.SerializerMethodField()
    cost_centre = serializers.CharField(source="cost_centre.code", default=None)
    offer = serializers.CharField(source="offer.name")
    prepaid = serializers.BooleanField(source="offer.is_prepaid")
    counters = CounterSerializer(source="current_counters", many=True)
    options = ActiveOptionSerializer(source="current_options", many=True)

    class Meta:
        model = Line
        fields = ["id", "number", "kind", "status", "holder", "cost_centre", "offer", "prepaid", "counters", "options"]

    def get_holder(self, line) -> str | None:
        return str(line.holder) if line.holder else None


class LineListSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Lines matching the filters")
    results = LineRowSerializer(many=True)
    next_cursor = serializers.CharField(allow_null=True)
    previous_cursor = serializers.CharField(allow_null=True)


SORT_VALUES = [*selectors.SORTS, *[f"-{key}" for key in selectors.SORTS]]


class LineQuerySerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Line.Kind.choices, default=Line.Kind.MOBILE)
    q = serializers.CharField(required=False, max_length=60, help_text="Part of the number, or the holder's name")
    offer = serializers.IntegerField(required=False, min_value=1)
    status = serializers.ChoiceField(choices=Line.Status.choices, required=False)
    cost_centre = serializers.IntegerField(required=False, min_value=1)
    payment = serializers.ChoiceField(choices=["prepaid", "postpaid"], required=False)
    near = serializers.BooleanField(required=False, default=False, help_text="Only lines over 80% of an allowance")
    sort = serializers.ChoiceField(choices=SORT_VALUES, required=False, default="number")
    cursor = serializers.CharField(required=False, max_length=400)

    def validate_offer(self, value):
        if not Offer.objects.filter(pk=value).exists():
            raise serializers.ValidationError("Unknown offer.")
        return value

    def validate_cost_centre(self, value):
        if not self.context["scope"].company_rows(CostCentre.objects.filter(pk=value)).exists():
            raise serializers.ValidationError("Unknown cost centre.")
        return value

    def filters(self) -> selectors.LineFilters:
        data = self.validated_data
        sort = data["sort"]
        return selectors.LineFilters(
            kind=data["kind"],
            q=data.get("q", "").strip(),
            offer_id=data.get("offer"),
            status=data.get("status", ""),
            cost_centre_id=data.get("cost_centre"),
            payment=data.get("payment", ""),
            near_allowance=data["near"],
            sort=sort.removeprefix("-"),
            descending=sort.startswith("-"),
        )


class LineListView(APIView):
    access = Access("capability", Cap.COMPANY_LINES_VIEW)

    @extend_schema(
        operation_id="lines_list",
        parameters=[LineQuerySerializer],
        responses=LineListSerializer,
        summary="The company's lines of one kind, filtered, sorted and paginated by cursor",
    )
    def get(self, request):
        query = LineQuerySerializer(data=request.query_params, context={"scope": request.scope})
        query.is_valid(raise_exception=True)
        result = selectors.line_list(
            scope=request.scope, filters=query.filters(), cursor=query.validated_data.get("cursor")
        )
        data = {
            "count": result.total,
            "results": result.page.rows,
            "next_cursor": result.page.next_cursor,
            "previous_cursor": result.page.previous_cursor,
        }
        return Response(LineListSerializer(data).data)


class DeviceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "kind", "model", "device_id", "instalments_total", "instalments_paid", "instalment_amount"]


class TopupBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topup
        fields = ["created_at", "amount", "channel", "method", "status"]


class SimSerializer(serializers.Serializer):
    iccid = serializers.CharField()
    is_esim = serializers.BooleanField()


class LineDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="line.pk")
    number = serializers.CharField(source="line.number")
    kind = serializers.CharField(source="line.kind")
    status = serializers.CharField(source="line.status")
    offer = serializers.CharField(source="line.offer.name")
    prepaid = serializers.BooleanField(source="line.offer.is_prepaid")
    credit = serializers.DecimalField(
        source="line.credit", max_digits=10, decimal_places=2, allow_null=True, help_text="Prepaid lines only"
    )
    holder = serializers.CharField(source="line.holder", allow_null=True, default=None)
    cost_centre = serializers.CharField(source="line.cost_centre.code", allow_null=True, default=None)
    pool = serializers.CharField(source="line.pool.pool_code", allow_null=True, default=None)
    counters = CounterSerializer(many=True)
    options = ActiveOptionSerializer(many=True)
    sim = SimSerializer(allow_null=True)
    devices = DeviceBriefSerializer(many=True)
    recent_topups = TopupBriefSerializer(source="topups", many=True)
    can_reveal_secrets = serializers.BooleanField(source="can_reveal")


class LineDetailView(APIView):
    access = Access("capability", Cap.LINES_VIEW)

    @extend_schema(responses=LineDetailSerializer, summary="One line: offer, counters, options, SIM, devices, top-ups")
    def get(self, request, line_id: int):
        detail = selectors.line_detail(scope=request.scope, line_id=line_id)
        return Response(LineDetailSerializer(detail).data)


class SecretsSerializer(serializers.Serializer):
    iccid = serializers.CharField()
    pin = serializers.CharField()
    puk = serializers.CharField()


class LineSecretsView(APIView):
    access = Access("capability", Cap.SIM_SECRETS_REVEAL)

    @extend_schema(
        request=None,
        responses=SecretsSerializer,
        summary="Reveal the PIN and PUK of the line's SIM (each reveal is written to the audit log)",
        parameters=[OpenApiParameter("line_id", int, OpenApiParameter.PATH)],
    )
    def post(self, request, line_id: int):
        secrets = services.sim_secrets_reveal(scope=request.scope, line_id=line_id, ip=client_ip(request))
        return Response(SecretsSerializer(secrets).data)

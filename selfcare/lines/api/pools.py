"""API of Giga Smart Share (SPEC F-PRD-4): the company's pools, one pool's SIMs, one SIM of a pool."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.lines.selectors import pools as selectors

VIEW = Access("capability", Cap.COMPANY_LINES_VIEW)
CURSOR = OpenApiParameter(
    "cursor", str, description="The next_cursor or previous_cursor of a previous page; none for the first page"
)


class PoolSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pool.pk")
    pool_code = serializers.CharField(source="pool.pool_code", help_text="The pool ID")
    kind = serializers.CharField(source="pool.kind", help_text='The pool type, e.g. "Giga Smart Share 500"')
    total_gb = serializers.IntegerField(source="pool.total_gb", help_text="GB of the pool's plan")
    extra_gb = serializers.IntegerField(source="pool.extra_gb", help_text="Extra GB bought for the pool")
    capacity_gb = serializers.IntegerField(help_text="total_gb + extra_gb")
    used_mb = serializers.IntegerField(help_text="MB used this period by all the SIMs of the pool")
    percent_used = serializers.IntegerField(help_text="0-100")
    sims = serializers.IntegerField(source="sim_count", help_text="SIMs of the pool you may see")
    devices = serializers.IntegerField(source="device_count", help_text="Devices associated with those SIMs")
    referent_number = serializers.CharField(source="pool.referent_number", help_text="E.164, may be empty")


class PoolMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField(help_text="E.164")
    holder = serializers.SerializerMethodField()
    offer = serializers.CharField(source="offer.name")
    status = serializers.CharField()
    used_mb = serializers.IntegerField(help_text="MB used this period")

    def get_holder(self, line) -> str | None:
        return str(line.holder) if line.holder else None


class PoolDetailSerializer(serializers.Serializer):
    pool = PoolSerializer(source="summary")
    results = PoolMemberSerializer(many=True, source="members.rows")
    next_cursor = serializers.CharField(source="members.next_cursor", allow_null=True)
    previous_cursor = serializers.CharField(source="members.previous_cursor", allow_null=True)


class PoolSimSerializer(serializers.Serializer):
    pool_id = serializers.IntegerField(source="pool.pk")
    pool_code = serializers.CharField(source="pool.pool_code")
    line = PoolMemberSerializer()
    used_mb = serializers.IntegerField(help_text="MB used this period by this SIM")
    resets_on = serializers.DateField(allow_null=True, help_text="When the data counter starts again")
    credit = serializers.DecimalField(
        max_digits=12, decimal_places=2, allow_null=True, help_text="Residual credit in euro; null for a postpaid line"
    )


class PoolListView(APIView):
    access = VIEW

    @extend_schema(responses=PoolSerializer(many=True), summary="The company's Giga Smart Share pools")
    def get(self, request):
        return Response(PoolSerializer(selectors.pool_list(scope=request.scope), many=True).data)


class PoolDetailView(APIView):
    access = VIEW

    @extend_schema(
        parameters=[CURSOR],
        responses=PoolDetailSerializer,
        summary="One pool and a page of its SIMs, by number",
    )
    def get(self, request, pool_id: int):
        detail = selectors.pool_detail(
            scope=request.scope, pool_id=pool_id, cursor=request.query_params.get("cursor") or None
        )
        return Response(PoolDetailSerializer(detail).data)


class PoolSimView(APIView):
    access = VIEW

    @extend_schema(responses=PoolSimSerializer, summary="One SIM of a pool: data used this period, residual credit")
    def get(self, request, pool_id: int, line_id: int):
        sim = selectors.pool_sim(scope=request.scope, pool_id=pool_id, line_id=line_id)
        return Response(PoolSimSerializer(sim).data)

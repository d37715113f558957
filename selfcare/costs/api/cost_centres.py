"""API of the company's cost centres: list and create, read, change and delete one."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.core.ratelimit import client_ip
from selfcare.costs.selectors import registry as selectors
from selfcare.costs.services import cost_centres as services

from . import CURSOR, VIEW


class CostCentreSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()
    lines = serializers.IntegerField(source="line_count", help_text="Lines assigned to it")
    holders = serializers.IntegerField(source="holder_count", help_text="Holders whose cost centre it is")


class CostCentrePageSerializer(serializers.Serializer):
    count = serializers.IntegerField(source="total")
    results = CostCentreSerializer(many=True, source="page.rows")
    next_cursor = serializers.CharField(source="page.next_cursor", allow_null=True)
    previous_cursor = serializers.CharField(source="page.previous_cursor", allow_null=True)


class CostCentreWriteSerializer(serializers.Serializer):
    code = serializers.CharField(
        max_length=services.CODE_MAX_LENGTH, help_text="Unique in the company (any case); stored in capitals"
    )
    name = serializers.CharField(max_length=services.NAME_MAX_LENGTH)


class CostCentreDeletedSerializer(serializers.Serializer):
    lines = serializers.IntegerField(help_text="Lines left without a cost centre")
    holders = serializers.IntegerField(help_text="Holders left without a cost centre")


class CostCentreListView(APIView):
    access = VIEW

    @extend_schema(
        operation_id="cost_centres_list",
        parameters=[CURSOR],
        responses=CostCentrePageSerializer,
        summary="The company's cost centres by code, one page at a time",
    )
    def get(self, request):
        result = selectors.cost_centre_list(scope=request.scope, cursor=request.query_params.get("cursor"))
        return Response(CostCentrePageSerializer(result).data)

    @extend_schema(
        request=CostCentreWriteSerializer,
        responses={201: CostCentreSerializer},
        summary="Create a cost centre (needs costs.manage)",
    )
    def post(self, request):
        data = CostCentreWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        centre = services.cost_centre_create(scope=request.scope, ip=client_ip(request), **data.validated_data)
        centre = selectors.cost_centre_get(scope=request.scope, cost_centre_id=centre.pk)
        return Response(CostCentreSerializer(centre).data, status=status.HTTP_201_CREATED)


class CostCentreDetailView(APIView):
    access = VIEW

    @extend_schema(responses=CostCentreSerializer, summary="One cost centre")
    def get(self, request, cost_centre_id: int):
        centre = selectors.cost_centre_get(scope=request.scope, cost_centre_id=cost_centre_id)
        return Response(CostCentreSerializer(centre).data)

    @extend_schema(
        request=CostCentreWriteSerializer(partial=True),
        responses=CostCentreSerializer,
        summary="Change a cost centre's code or name (needs costs.manage)",
    )
    def patch(self, request, cost_centre_id: int):
        centre = selectors.cost_centre_get(scope=request.scope, cost_centre_id=cost_centre_id)
        data = CostCentreWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {"code": centre.code, "name": centre.name} | data.validated_data
        services.cost_centre_update(scope=request.scope, cost_centre_id=centre.pk, ip=client_ip(request), **values)
        centre = selectors.cost_centre_get(scope=request.scope, cost_centre_id=centre.pk)
        return Response(CostCentreSerializer(centre).data)

    @extend_schema(
        request=None,
        responses={200: CostCentreDeletedSerializer},
        summary="Delete a cost centre: its lines and holders stay, without a cost centre (needs costs.manage)",
    )
    def delete(self, request, cost_centre_id: int):
        use = services.cost_centre_delete(scope=request.scope, cost_centre_id=cost_centre_id, ip=client_ip(request))
        return Response(CostCentreDeletedSerializer(use).data)

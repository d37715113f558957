"""API of the company's holders (anagrafiche): search and create, read, change and delete one."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.core.ratelimit import client_ip
from selfcare.costs.selectors import registry as selectors
from selfcare.costs.services import holders as services

from . import CURSOR, VIEW


class HolderCostCentreSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField()


class HolderSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField(help_text="May be empty")
    employee_code = serializers.CharField(help_text="May be empty; unique in the company when given")
    cost_centre = HolderCostCentreSerializer(allow_null=True, help_text="The holder's own cost centre")


class HolderRowSerializer(HolderSerializer):
    lines = serializers.SerializerMethodField(help_text="Numbers (E.164) of the holder's lines you may see")

    def get_lines(self, holder) -> list[str]:
        return [line.number for line in holder.lines]


class HolderDetailSerializer(HolderSerializer):
    line_count = serializers.IntegerField(help_text="Lines assigned to the holder")


class HolderPageSerializer(serializers.Serializer):
    count = serializers.IntegerField(source="total", help_text="Holders matching the search")
    results = HolderRowSerializer(many=True, source="page.rows")
    next_cursor = serializers.CharField(source="page.next_cursor", allow_null=True)
    previous_cursor = serializers.CharField(source="page.previous_cursor", allow_null=True)


class HolderWriteSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=services.NAME_MAX_LENGTH)
    last_name = serializers.CharField(max_length=services.NAME_MAX_LENGTH)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    employee_code = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=services.EMPLOYEE_CODE_MAX_LENGTH
    )
    cost_centre = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="A cost centre id")

    def arguments(self) -> dict:
        data = dict(self.validated_data)
        if "cost_centre" in data:
            data["cost_centre_id"] = data.pop("cost_centre")
        return data


class HolderListView(APIView):
    access = VIEW

    @extend_schema(
        operation_id="holders_list",
        parameters=[
            OpenApiParameter("q", str, description="Words of the first or last name, the employee code or the email"),
            CURSOR,
        ],
        responses=HolderPageSerializer,
        summary="The company's holders by name, searched, one page at a time",
    )
    def get(self, request):
        q = request.query_params.get("q", "")[:100].strip()
        result = selectors.holder_list(scope=request.scope, q=q, cursor=request.query_params.get("cursor"))
        return Response(HolderPageSerializer(result).data)

    @extend_schema(
        request=HolderWriteSerializer,
        responses={201: HolderDetailSerializer},
        summary="Create a holder (needs costs.manage)",
    )
    def post(self, request):
        data = HolderWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        holder = services.holder_create(scope=request.scope, ip=client_ip(request), **data.arguments())
        holder = selectors.holder_get(scope=request.scope, holder_id=holder.pk)
        return Response(HolderDetailSerializer(holder).data, status=status.HTTP_201_CREATED)


class HolderDetailView(APIView):
    access = VIEW

    @extend_schema(responses=HolderDetailSerializer, summary="One holder")
    def get(self, request, holder_id: int):
        return Response(HolderDetailSerializer(selectors.holder_get(scope=request.scope, holder_id=holder_id)).data)

    @extend_schema(
        request=HolderWriteSerializer(partial=True),
        responses=HolderDetailSerializer,
        summary="Change a holder's details; fields left out keep their value (needs costs.manage)",
    )
    def patch(self, request, holder_id: int):
        holder = selectors.holder_get(scope=request.scope, holder_id=holder_id)
        data = HolderWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        current = {
            "first_name": holder.first_name,
            "last_name": holder.last_name,
            "email": holder.email,
            "employee_code": holder.employee_code,
            "cost_centre_id": holder.cost_centre_id,
        }
        arguments = current | data.arguments()
        services.holder_update(scope=request.scope, holder_id=holder.pk, ip=client_ip(request), **arguments)
        holder = selectors.holder_get(scope=request.scope, holder_id=holder.pk)
        return Response(HolderDetailSerializer(holder).data)

    @extend_schema(
        request=None,
        responses={204: None},
        summary="Delete a holder: his lines stay, without a holder (needs costs.manage)",
    )
    def delete(self, request, holder_id: int):
        services.holder_delete(scope=request.scope, holder_id=holder_id, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

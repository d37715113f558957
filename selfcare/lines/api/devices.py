"""API of the company's devices (SPEC F-PRD-5): searched, filtered and paginated by keyset."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.lines.models import Device
from selfcare.lines.selectors import devices as selectors


class DeviceQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Part of the model, device ID or line number"
    )
    kind = serializers.ChoiceField(choices=Device.Kind.choices, required=False, allow_blank=True)
    maintenance = serializers.ChoiceField(choices=Device.Maintenance.choices, required=False, allow_blank=True)
    instalments_left = serializers.BooleanField(
        required=False, default=False, help_text="Only devices with instalments still to pay"
    )
    cursor = serializers.CharField(
        required=False, allow_blank=True, help_text="The next_cursor or previous_cursor of a previous page"
    )


class DeviceLineSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    number = serializers.CharField(help_text="E.164")


class DeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    model = serializers.CharField()
    device_id = serializers.CharField(help_text="IMEI for smartphones and tablets, serial number otherwise")
    account_name = serializers.CharField()
    line = DeviceLineSerializer(allow_null=True, help_text="The line the device is used with, if any")
    purchased_on = serializers.DateField()
    instalments_total = serializers.IntegerField(help_text="0: paid in full at purchase")
    instalments_paid = serializers.IntegerField()
    instalments_left = serializers.IntegerField()
    instalment_amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Euro per month")
    maintenance = serializers.CharField()
    interventions_left = serializers.IntegerField()


class DevicePageSerializer(serializers.Serializer):
    results = DeviceSerializer(many=True, source="page.rows")
    next_cursor = serializers.CharField(source="page.next_cursor", allow_null=True)
    previous_cursor = serializers.CharField(source="page.previous_cursor", allow_null=True)


class DeviceListView(APIView):
    access = Access("capability", Cap.DEVICES_VIEW)

    @extend_schema(
        parameters=[DeviceQuerySerializer],
        responses=DevicePageSerializer,
        summary="The company's devices by model, searched and filtered, one page at a time",
    )
    def get(self, request):
        query = DeviceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        filters = selectors.DeviceFilters(
            q=data.get("q", "").strip(),
            kind=data.get("kind", ""),
            maintenance=data.get("maintenance", ""),
            instalments_left=data["instalments_left"],
        )
        devices = selectors.device_list(scope=request.scope, filters=filters, cursor=data.get("cursor") or None)
        return Response(DevicePageSerializer(devices).data)

"""API of Associa SIM (SPEC F-ACC-2) and of the managers' association log (F-ACC-3)."""

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.accounts import selectors
from selfcare.accounts.models import SimAssociation
from selfcare.accounts.services import sim_association as service
from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip
from selfcare.core.validators import clean_phone_number


def _number(value):
    try:
        return clean_phone_number(value, mobile=True)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


class AddSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=32)

    def validate_number(self, value):
        return _number(value)


class ConfirmSerializer(AddSerializer):
    code = serializers.CharField(min_length=6, max_length=6)


class LineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()


class LogSerializer(serializers.ModelSerializer):
    employee_number = serializers.CharField(source="user.line.number")
    line_number = serializers.CharField(source="line.number")

    class Meta:
        model = SimAssociation
        fields = ["id", "employee_number", "line_number", "created_at", "ended_at"]


ASSOCIATE = Access("capability", Cap.SIM_ASSOCIATE)


class AssociatedSimsView(APIView):
    access = ASSOCIATE

    @extend_schema(responses=LineSerializer(many=True), summary="My associated SIMs")
    def get(self, request):
        lines = selectors.associated_lines(scope=request.scope)
        return Response(LineSerializer([{"id": x.pk, "number": x.number} for x in lines], many=True).data)

    @extend_schema(request=AddSerializer, responses={202: None}, summary="Send a code to the SIM to associate")
    def post(self, request):
        serializer = AddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service.sim_association_start(
            scope=request.scope, user=request.user, number=serializer.validated_data["number"], ip=client_ip(request)
        )
        return Response(status=status.HTTP_202_ACCEPTED)


class ConfirmView(APIView):
    access = ASSOCIATE

    @extend_schema(request=ConfirmSerializer, responses={201: LineSerializer}, summary="Associate with the code")
    def post(self, request):
        serializer = ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        association = service.sim_association_confirm(
            scope=request.scope, user=request.user, ip=client_ip(request), **serializer.validated_data
        )
        line = association.line
        return Response(LineSerializer({"id": line.pk, "number": line.number}).data, status=status.HTTP_201_CREATED)


class DisassociateView(APIView):
    access = ASSOCIATE

    @extend_schema(responses={204: None}, summary="Disassociate one of my SIMs")
    def delete(self, request, line_id: int):
        service.sim_disassociate(scope=request.scope, user=request.user, line_id=line_id, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogPagination(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50


class AssociationLogView(generics.ListAPIView):
    access = Access("capability", Cap.ASSOCIATION_LOG_VIEW)
    serializer_class = LogSerializer
    pagination_class = LogPagination

    def get_queryset(self):
        return selectors.association_log(scope=self.request.scope)

"""API of the Telco Managers (SPEC F-REG-2, F-PWD-2): the User Admin only."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.accounts.models import User
from selfcare.accounts.services import activation
from selfcare.accounts.services import managers as service
from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip
from selfcare.core.validators import clean_phone_number

MANAGE = Access("capability", Cap.MANAGERS_MANAGE)


class ManagerSerializer(serializers.ModelSerializer):
    username = serializers.SerializerMethodField()
    active = serializers.BooleanField(source="is_active", help_text="False until he follows the activation link")

    class Meta:
        model = User
        fields = ["id", "first_name", "last_name", "email", "mobile", "username", "active"]

    def get_username(self, user) -> str | None:
        return user.username if user.is_active else None


class ManagerCreateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    email = serializers.EmailField(max_length=254)
    mobile = serializers.CharField(max_length=64)

    def validate_mobile(self, value):
        from django.core.exceptions import ValidationError

        try:
            return clean_phone_number(value, mobile=True)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class ManagerListView(APIView):
    access = MANAGE

    @extend_schema(responses=ManagerSerializer(many=True), summary="The company's Telco Managers")
    def get(self, request):
        return Response(ManagerSerializer(service.manager_list(scope=request.scope), many=True).data)

    @extend_schema(
        request=ManagerCreateSerializer,
        responses={201: ManagerSerializer},
        summary="Create a Telco Manager: he receives an activation link by email",
    )
    def post(self, request):
        serializer = ManagerCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        manager = service.manager_create(
            scope=request.scope,
            link_builder=activation.link_builder_for(request),
            ip=client_ip(request),
            **serializer.validated_data,
        )
        return Response(ManagerSerializer(manager).data, status=status.HTTP_201_CREATED)


class ManagerDetailView(APIView):
    access = MANAGE

    @extend_schema(responses=ManagerSerializer, summary="One Telco Manager")
    def get(self, request, manager_id: int):
        return Response(ManagerSerializer(service.manager_get(scope=request.scope, manager_id=manager_id)).data)

    @extend_schema(responses={204: None}, summary="Delete a Telco Manager")
    def delete(self, request, manager_id: int):
        service.manager_delete(scope=request.scope, manager_id=manager_id, ip=client_ip(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ManagerReissueView(APIView):
    access = MANAGE

    @extend_schema(
        request=None,
        responses=ManagerSerializer,
        summary="Reissue access: old password, links and sessions stop working; a new link is emailed",
    )
    def post(self, request, manager_id: int):
        manager = service.manager_access_reissue(
            scope=request.scope,
            manager_id=manager_id,
            link_builder=activation.link_builder_for(request),
            ip=client_ip(request),
        )
        return Response(ManagerSerializer(manager).data)

"""API of the User Admin registration (SPEC F-REG-1) and of the first access by activation link."""

from django.contrib.auth import login
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from selfcare.accounts.forms.registration_admin import check_birth_date
from selfcare.accounts.services import activation, registration_admin
from selfcare.api.flows import PublicFlowView
from selfcare.core.ratelimit import client_ip
from selfcare.core.validators import clean_fiscal_code, clean_phone_number, clean_vat_number


def _field(clean, value):
    try:
        return clean(value)
    except ValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


class RegisterSerializer(serializers.Serializer):
    vat_number = serializers.CharField(max_length=64, help_text="The company's partita IVA")
    first_name = serializers.CharField(max_length=100, help_text="Legal representative's first name")
    last_name = serializers.CharField(max_length=100, help_text="Legal representative's last name")
    birth_date = serializers.DateField(help_text="Legal representative's date of birth (YYYY-MM-DD)")
    fiscal_code = serializers.CharField(max_length=64, help_text="Legal representative's codice fiscale")
    email = serializers.EmailField(max_length=254, help_text="Email as in the contract")
    mobile = serializers.CharField(max_length=64, help_text="Mobile number as in the contract")

    def validate_vat_number(self, value):
        return _field(clean_vat_number, value)

    def validate_fiscal_code(self, value):
        return _field(clean_fiscal_code, value)

    def validate_mobile(self, value):
        return _field(lambda v: clean_phone_number(v, mobile=True), value)

    def validate_birth_date(self, value):
        return _field(check_birth_date, value)


class ActivateSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=128, help_text="The token at the end of the activation link")
    username = serializers.CharField(max_length=200)
    password = serializers.CharField(max_length=128, trim_whitespace=False)

    def validate_username(self, value):
        return _field(activation.clean_username, value)


class ActivatedSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField()


class RegisterView(PublicFlowView):
    @extend_schema(
        request=RegisterSerializer,
        responses={202: None},
        summary="User Admin registration: the legal representative's data; an activation link is emailed",
        description="Any data that do not match the contract (or an unknown P.IVA) answer 400 with code "
        "`not_matched`; a company that already has a User Admin answers 409 `admin_exists`.",
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        registration_admin.admin_registration_request(
            link_builder=activation.link_builder_for(request), ip=client_ip(request), **serializer.validated_data
        )
        return Response(status=status.HTTP_202_ACCEPTED)


class ActivateView(PublicFlowView):
    @extend_schema(
        request=ActivateSerializer,
        responses=ActivatedSerializer,
        summary="First access: choose username and password with the activation token; logs in",
    )
    def post(self, request):
        serializer = ActivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = activation.activation_complete(ip=client_ip(request), **serializer.validated_data)
        login(request, user, backend=activation.login_backend())
        return Response({"username": user.username, "role": user.role})

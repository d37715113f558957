"""API of the Referente Aziendale registration (SPEC F-REG-4): the same two steps as the pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from selfcare.accounts.forms.registration_referent import StartForm
from selfcare.accounts.services import registration_referent as service
from selfcare.api.flows import PublicFlowView
from selfcare.core.ratelimit import client_ip


class ReferentRegistrationStartSerializer(serializers.Serializer):
    customer_code = serializers.CharField(max_length=20)
    email = serializers.EmailField(max_length=254)
    mobile = serializers.CharField(max_length=32)
    channel = serializers.CharField(max_length=10, help_text="sms or email")

    def validate(self, attrs):
        # The page's form holds the field rules (code format, Italian mobile): one place for both.
        form = StartForm(data=attrs)
        if not form.is_valid():
            raise serializers.ValidationError(dict(form.errors.items()))
        return form.cleaned_data


class ReferentRegistrationCodeSerializer(serializers.Serializer):
    code = serializers.CharField(min_length=6, max_length=6)


@extend_schema(
    request=ReferentRegistrationStartSerializer, responses={202: None}, summary="Referent registration: send the code"
)
class StartView(PublicFlowView):
    def post(self, request):
        serializer = ReferentRegistrationStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service.referent_registration_start(session=request.session, ip=client_ip(request), **serializer.validated_data)
        return Response(status=status.HTTP_202_ACCEPTED)


@extend_schema(
    request=ReferentRegistrationCodeSerializer,
    responses={201: None},
    summary="Referent registration: the code; credentials by email",
)
class CodeView(PublicFlowView):
    def post(self, request):
        serializer = ReferentRegistrationCodeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        service.referent_registration_confirm(
            session=request.session, code=serializer.validated_data["code"], ip=client_ip(request)
        )
        return Response(status=status.HTTP_201_CREATED)

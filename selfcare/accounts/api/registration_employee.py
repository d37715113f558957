"""API of the employee registration (SPEC F-REG-3), for the app: the same steps as the pages.

The state between steps is kept in the server-side session (the session cookie), as on the web.
"""

from django.contrib.auth import login
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from selfcare.accounts.services import activation
from selfcare.accounts.services import registration_employee as service
from selfcare.api.flows import PublicFlowView
from selfcare.core.ratelimit import client_ip
from selfcare.core.validators import clean_phone_number


class EmployeeRegistrationStartSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=32)
    email = serializers.EmailField(max_length=254)

    def validate_number(self, value):
        from django.core.exceptions import ValidationError

        try:
            return clean_phone_number(value, mobile=True)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None


class EmployeeRegistrationCodeSerializer(serializers.Serializer):
    code = serializers.CharField(min_length=6, max_length=6)


class EmployeeRegistrationSimSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(max_length=8, help_text="The SIM's PUK (TRE heritage: its PIN)")


class EmployeeRegistrationPasswordSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    security_question = serializers.CharField(max_length=200, required=False, allow_blank=True)
    security_answer = serializers.CharField(max_length=100, required=False, allow_blank=True)


class EmployeeRegistrationStepSerializer(serializers.Serializer):
    next = serializers.ChoiceField(
        choices=["sms_code", "sim_secret", "email_code", "password", "done"], help_text="The step to do next"
    )
    security_question_required = serializers.BooleanField()


def _step(registration, done=False):
    return Response(
        {"next": "done" if done else registration.step, "security_question_required": bool(registration.tre)}
    )


@extend_schema(
    request=EmployeeRegistrationStartSerializer,
    responses=EmployeeRegistrationStepSerializer,
    summary="Start: company mobile number and email",
)
class StartView(PublicFlowView):
    serializer_class = EmployeeRegistrationStartSerializer

    def post(self, request):
        data = self.parsed(request)
        return _step(service.registration_start(session=request.session, ip=client_ip(request), **data))


@extend_schema(
    request=EmployeeRegistrationCodeSerializer,
    responses=EmployeeRegistrationStepSerializer,
    summary="The code received by SMS or email",
)
class CodeView(PublicFlowView):
    serializer_class = EmployeeRegistrationCodeSerializer

    def post(self, request):
        return _step(service.registration_verify_code(session=request.session, code=self.parsed(request)["code"]))


@extend_schema(request=None, responses=EmployeeRegistrationStepSerializer, summary="Send the current code again")
class ResendView(PublicFlowView):
    def post(self, request):
        return _step(service.registration_resend(session=request.session, ip=client_ip(request)))


@extend_schema(
    request=EmployeeRegistrationSimSecretSerializer,
    responses=EmployeeRegistrationStepSerializer,
    summary="Data-only SIM: its PUK (TRE: PIN)",
)
class SimSecretView(PublicFlowView):
    serializer_class = EmployeeRegistrationSimSecretSerializer

    def post(self, request):
        secret = self.parsed(request)["secret"]
        return _step(
            service.registration_verify_sim_secret(session=request.session, secret=secret, ip=client_ip(request))
        )


@extend_schema(
    request=EmployeeRegistrationPasswordSerializer,
    responses=EmployeeRegistrationStepSerializer,
    summary="Choose the password: the account is created",
)
class PasswordView(PublicFlowView):
    serializer_class = EmployeeRegistrationPasswordSerializer

    def post(self, request):
        registration = service.Registration.load(request.session, expected=service.Step.PASSWORD)
        user = service.registration_complete(session=request.session, ip=client_ip(request), **self.parsed(request))
        login(request, user, backend=activation.login_backend())
        return _step(registration, done=True)

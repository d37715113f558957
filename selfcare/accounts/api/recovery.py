"""API of the password recovery (SPEC F-PWD-1…4), for the app: the same steps as the pages.

The state between steps is kept in the server-side session (the session cookie), as on the web.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from selfcare.accounts.services import recovery as service
from selfcare.api.flows import PublicFlowView
from selfcare.core.ratelimit import client_ip


class StartSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, help_text="Username, or the employee's mobile number")


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=100)
    channel = serializers.ChoiceField(choices=list(service.CHANNELS), help_text="Where the code goes")


class CodeSerializer(serializers.Serializer):
    code = serializers.CharField(min_length=6, max_length=6)


class PasswordSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    security_question = serializers.CharField(max_length=200, required=False, allow_blank=True)
    security_answer = serializers.CharField(max_length=100, required=False, allow_blank=True)


class StepSerializer(serializers.Serializer):
    next = serializers.ChoiceField(choices=["question", "code", "password", "done"], help_text="The step to do next")
    security_question = serializers.CharField(help_text="The question to answer (step 'question'), else empty")
    security_question_required = serializers.BooleanField(help_text="A new question goes with the new password")


def _step(recovery, done=False):
    return Response(
        {
            "next": "done" if done else recovery.step,
            "security_question": service.recovery_question_text(recovery) if recovery.step == "question" else "",
            "security_question_required": bool(recovery.tre) and recovery.step == "password",
        }
    )


@extend_schema(request=StartSerializer, responses=StepSerializer, summary="Recovery: username or mobile number")
class StartView(PublicFlowView):
    serializer_class = StartSerializer

    def post(self, request):
        identifier = self.parsed(request)["username"]
        return _step(service.recovery_start(session=request.session, identifier=identifier, ip=client_ip(request)))


@extend_schema(request=AnswerSerializer, responses=StepSerializer, summary="Recovery: the security answer (TRE)")
class AnswerView(PublicFlowView):
    serializer_class = AnswerSerializer

    def post(self, request):
        data = self.parsed(request)
        return _step(service.recovery_answer(session=request.session, ip=client_ip(request), **data))


@extend_schema(request=None, responses=StepSerializer, summary="Recovery: send the code again")
class ResendView(PublicFlowView):
    def post(self, request):
        return _step(service.recovery_resend(session=request.session, ip=client_ip(request)))


@extend_schema(request=CodeSerializer, responses=StepSerializer, summary="Recovery: the code received")
class CodeView(PublicFlowView):
    serializer_class = CodeSerializer

    def post(self, request):
        return _step(service.recovery_verify_code(session=request.session, code=self.parsed(request)["code"]))


@extend_schema(request=PasswordSerializer, responses=StepSerializer, summary="Recovery: the new password")
class PasswordView(PublicFlowView):
    serializer_class = PasswordSerializer

    def post(self, request):
        recovery = service.Recovery.load(request.session, expected=service.Step.PASSWORD)
        service.recovery_complete(session=request.session, ip=client_ip(request), **self.parsed(request))
        return _step(recovery, done=True)

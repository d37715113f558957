"""API of the change of password (SPEC F-PWD-5): the same service as the page."""

from django.contrib.auth import update_session_auth_hash
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.accounts.services import password as service
from selfcare.core.decorators import PORTAL
from selfcare.core.ratelimit import client_ip


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False)
    security_question = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="TRE heritage employees and referents"
    )
    security_answer = serializers.CharField(max_length=100, required=False, allow_blank=True)


class PasswordChangedSerializer(serializers.Serializer):
    changed = serializers.BooleanField()


@extend_schema(request=PasswordChangeSerializer, responses=PasswordChangedSerializer, summary="Change my password")
class PasswordChangeView(APIView):
    access = PORTAL

    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        session = getattr(request, "session", None)
        user = service.password_change(
            user=request.user,
            keep_session_key=session.session_key if session is not None else None,
            ip=client_ip(request),
            **serializer.validated_data,
        )
        if session is not None and session.session_key:
            update_session_auth_hash(request, user)
        return Response({"changed": True})

"""API of the user's own account: delete it (SPEC F-ACC-1, employees only)."""

from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from selfcare.accounts.services.account import account_delete
from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap
from selfcare.core.ratelimit import client_ip


class AccountDeleteSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class AccountDeleteView(APIView):
    access = Access("capability", Cap.OWN_ACCOUNT_DELETE)

    @extend_schema(
        request=AccountDeleteSerializer,
        responses={204: None},
        summary="Delete my account (the line and the contract stay); confirm with the password",
    )
    def post(self, request):
        serializer = AccountDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        account_delete(user=request.user, password=serializer.validated_data["password"], ip=client_ip(request))
        logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)

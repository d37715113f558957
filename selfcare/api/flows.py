"""Base of the API views of the anonymous, multi-step flows (registration, activation, recovery)."""

from rest_framework.parsers import JSONParser
from rest_framework.views import APIView

from selfcare.core.decorators import PUBLIC


class PublicFlowView(APIView):
    """Anyone may call it; the flow's state lives in the server-side session between steps.

    No authentication class runs, so DRF checks no CSRF token: the views accept JSON only, which a
    cross-site HTML form cannot send, so another site cannot drive a flow in the user's browser
    (login CSRF through an activation or a registration). serializer_class, when set, is what
    parsed() validates.
    """

    access = PUBLIC
    authentication_classes = []
    parser_classes = [JSONParser]
    serializer_class = None

    def parsed(self, request) -> dict:
        serializer = self.serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

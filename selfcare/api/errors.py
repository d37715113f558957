"""One JSON error shape for every API failure: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from selfcare.core.errors import ApplicationError
from selfcare.core.pagination import InvalidCursor


def exception_handler(exc, context):
    if isinstance(exc, InvalidCursor):
        exc = exceptions.ValidationError({"cursor": [_("This cursor is not valid: start from the first page.")]})
    if isinstance(exc, ApplicationError):
        fields = {exc.field: [str(exc.message)]} if exc.field else {}
        return Response({"error": {"code": exc.code, "message": str(exc.message), "fields": fields}}, status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        body = {"code": "invalid", "message": "Invalid input.", "fields": detail}
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        body = {
            "code": codes if isinstance(codes, str) else "error",
            "message": str(exc.detail),
            "fields": {},
        }
    response.data = {"error": body}
    return response

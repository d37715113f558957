"""API of Costi Online (SPEC F-TRE-2, F-X-1, F-X-3), sharing the pages' services and selectors."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from selfcare.core.decorators import Access
from selfcare.core.pagination import InvalidCursor
from selfcare.core.permissions import Cap

VIEW = Access("capability", Cap.COSTS_VIEW)
# Reading needs COSTS_VIEW; the writes of the same endpoints check COSTS_MANAGE in the services.
CURSOR = OpenApiParameter(
    "cursor", str, description="The next_cursor or previous_cursor of a previous page; none for the first page"
)


def paged(selector, *, cursor: str | None, **kwargs):
    """A selector's page at `cursor`; a cursor that does not decode is a 400 on the cursor field."""
    try:
        return selector(cursor=cursor, **kwargs)
    except InvalidCursor:
        raise serializers.ValidationError(
            {"cursor": [_("This cursor is not valid: start from the first page.")]}
        ) from None

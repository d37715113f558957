"""API of Costi Online (SPEC F-TRE-2, F-X-1, F-X-3), sharing the pages' services and selectors."""

from drf_spectacular.utils import OpenApiParameter

from selfcare.core.decorators import Access
from selfcare.core.permissions import Cap

VIEW = Access("capability", Cap.COSTS_VIEW)
# Reading needs COSTS_VIEW; the writes of the same endpoints check COSTS_MANAGE in the services.
CURSOR = OpenApiParameter(
    "cursor", str, description="The next_cursor or previous_cursor of a previous page; none for the first page"
)

"""Reads of the Dispositivi page (SPEC F-PRD-5): the devices the company bought or rents.

Devices are company rows (`scope.company_rows`). A device given to a line the scope may not see
(a manager restricted to some cost centres or sites) is left out with its line; a device with no
line belongs to the company and is shown to every manager.
"""

from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower

from selfcare.core.pagination import DEFAULT_PAGE_SIZE, Page, keyset_page
from selfcare.core.scope import Scope
from selfcare.lines.models import Device

# By model whatever its case ("iPad" next to "Galaxy", not after "ZTE"), then by device ID, which is
# unique: every device has one place in the order.
KEYS = ["sort_model", "device_id"]


@dataclass(frozen=True)
class DeviceFilters:
    """What the manager asked for; empty values mean "any"."""

    q: str = ""
    kind: str = ""
    maintenance: str = ""
    instalments_left: bool = False

    @property
    def active(self) -> bool:
        return bool(self.q or self.kind or self.maintenance or self.instalments_left)


def _search(text: str) -> Q:
    """Part of the model, of the device ID (IMEI or serial) or of the line's number.

    Spaces and a leading + are ignored in digits, so "347 123" finds +39 347 123 4567.
    """
    text = text.strip()
    q = Q(model__icontains=text) | Q(device_id__icontains=text)
    compact = text.replace(" ", "").removeprefix("+")
    if compact.isdigit():
        q |= Q(device_id__contains=compact) | Q(line__number__contains=compact)
    return q


def device_queryset(*, scope: Scope, filters: DeviceFilters) -> QuerySet:
    """The scope's devices matching the filters, with their line and sort key (not yet ordered)."""
    qs = scope.company_rows(Device.objects.all()).filter(Q(line__isnull=True) | scope.line_filter("line__"))
    if filters.q.strip():
        qs = qs.filter(_search(filters.q))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.maintenance:
        qs = qs.filter(maintenance=filters.maintenance)
    if filters.instalments_left:
        qs = qs.filter(instalments_paid__lt=F("instalments_total"))
    return qs.select_related("line").annotate(sort_model=Lower("model"))


@dataclass
class DeviceList:
    page: Page
    total: int  # devices matching the filters
    filters: DeviceFilters
    company_has_devices: bool  # False: the "no devices yet" state; True with no match: "nothing matches"


def device_list(
    *, scope: Scope, filters: DeviceFilters, cursor: str | None = None, size: int = DEFAULT_PAGE_SIZE
) -> DeviceList:
    """One page of the scope's devices by model (any case) then device ID, filtered, with the count of matches.

    Two queries (count and page), a third only when nothing matches filters. Raises InvalidCursor
    on a cursor that does not decode.
    """
    qs = device_queryset(scope=scope, filters=filters)
    page = keyset_page(qs, keys=KEYS, cursor=cursor, size=size)
    total = qs.count() if (page.rows or cursor) else 0  # an empty first page: nothing to count
    if page.rows or total:
        has_devices = True
    elif filters.active:
        has_devices = device_queryset(scope=scope, filters=DeviceFilters()).exists()
    else:
        has_devices = False
    return DeviceList(page=page, total=total, filters=filters, company_has_devices=has_devices)

"""Keyset pagination: a page is "the next N rows after this key", never OFFSET.

A page costs the same at row 10 and at row 100,000, and rows added meanwhile do not shift the
pages. The ordering is a list of text fields or text annotations (NULLs coalesced to "") whose
last one is unique (a line's number, a device's ID), so every row has exactly one position. The
cursor carries the sort values of the page's first or last row; it is opaque to clients, and a
cursor that does not decode is refused.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field

from django.db.models import F, Q, QuerySet

DEFAULT_PAGE_SIZE = 25


class InvalidCursor(ValueError):
    """The cursor was not produced by this paginator (tampered, truncated or from another list)."""


@dataclass
class Page:
    rows: list
    next_cursor: str | None = None
    previous_cursor: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


def encode_cursor(values: list, direction: str) -> str:
    raw = json.dumps({"v": values, "d": direction}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> tuple[list, str]:
    """The sort values and direction ("n" next, "p" previous) of a cursor, or InvalidCursor."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        values, direction = data["v"], data["d"]
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise InvalidCursor(cursor) from exc
    ok_values = isinstance(values, list) and len(values) == width
    if not ok_values or direction not in ("n", "p") or not all(isinstance(v, str) for v in values):
        raise InvalidCursor(cursor)
    return values, direction


def _after(keys: list[str], values: list, descending: bool) -> Q:
    """Rows strictly after `values` in the order of `keys`: (k1 > v1) or (k1 = v1 and k2 > v2)..."""
    op = "lt" if descending else "gt"
    q = Q(pk__in=[])
    for i, key in enumerate(keys):
        term = Q(**{f"{key}__{op}": values[i]})
        for prior, value in zip(keys[:i], values[:i], strict=True):
            term &= Q(**{prior: value})
        q |= term
    return q


def first_page_if_invalid(selector, *args, cursor: str | None, **kwargs):
    """A page's selector at `cursor`, or its first page when the cursor does not decode (an old or
    edited link): pages start again rather than fail. The API answers such a cursor with a 400
    instead (selfcare.api.errors)."""
    try:
        return selector(*args, cursor=cursor, **kwargs)
    except InvalidCursor:
        return selector(*args, **kwargs)


def keyset_page(
    queryset: QuerySet,
    *,
    keys: list[str],
    descending: bool = False,
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
) -> Page:
    """One page of `queryset` ordered by `keys` (field or annotation names; the last one unique).

    Costs one query: it asks for one row more than the page to know whether another page follows.
    """
    direction = "n"
    if cursor:
        values, direction = decode_cursor(cursor, len(keys))
        backwards = direction == "p"
        queryset = queryset.filter(_after(keys, values, descending != backwards))
    backwards = direction == "p"
    order = [F(k).desc() if descending != backwards else F(k).asc() for k in keys]
    rows = list(queryset.order_by(*order)[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if backwards:
        rows.reverse()
    if not rows:
        return Page(rows=[])

    def key_of(row) -> list:
        return [_plain(getattr(row, k)) for k in keys]

    # Going forward, a following page exists when the extra row came back; a previous one when
    # we came from a cursor. Going backwards it is the other way round.
    has_next = more if not backwards else True
    has_previous = bool(cursor) if not backwards else more
    return Page(
        rows=rows,
        next_cursor=encode_cursor(key_of(rows[-1]), "n") if has_next else None,
        previous_cursor=encode_cursor(key_of(rows[0]), "p") if has_previous else None,
    )


def _plain(value) -> str:
    """A sort value in the cursor: the keys are text expressions (a NULL sorts as the empty text)."""
    return "" if value is None else str(value)

"""Usage records as the mediation delivers them: the column format and the check of each row.

A delivery is CSV (UTF-8, comma-separated, a header row) or, through the API, a JSON list of objects
with the same names. Columns, in this order:

    record_id         the mediation's identifier of the record, 1-64 characters
    number            the line's number: +39..., 39... or the national number
    started_at        ISO 8601 with a UTC offset, e.g. 2026-11-25T09:30:00+01:00 or ...Z
    type              voice, sms, mms, data, option or other
    direction         out or in (empty: out)
    other_party       the number or service called, up to 32 characters (may be empty)
    duration_seconds  whole seconds, 0 or more (empty: 0)
    volume_bytes      whole bytes, 0 or more (empty: 0)
    roaming_zone      empty at home, EU, or the operator's zone code (up to 8 letters/digits)
    cost              euro with a dot and up to 4 decimals, 0 or more (empty: 0)

A record is identified by (record_id, started_at): delivered again, it is stored once.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.utils.translation import gettext as _

from .models import Category, UsageRecord

COLUMNS = (
    "record_id", "number", "started_at", "type", "direction", "other_party",
    "duration_seconds", "volume_bytes", "roaming_zone", "cost",
)  # fmt: skip
CATEGORIES = frozenset(Category.values)
DIRECTIONS = {"": UsageRecord.Direction.OUTGOING.value, "out": "out", "in": "in"}
MAX_COST = Decimal("999999.9999")
MAX_DURATION = 2**31 - 1  # the column is an integer
ZERO = Decimal(0)
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)  # the mediation's clock may be slightly ahead
_ZONE = re.compile(r"[A-Z0-9]{0,8}")
_DIGITS = re.compile(r"\+?[0-9]{6,15}")


class Record(NamedTuple):
    """A valid row, ready to store (the line is resolved); its fields are the table's columns, in order."""

    line_id: int
    record_id: str
    started_at: datetime.datetime
    category: str
    direction: str
    other_party: str
    duration_seconds: int
    volume_bytes: int
    roaming_zone: str
    cost: Decimal


_new = tuple.__new__


class RowError(ValueError):
    """Why one row was refused (the message is shown to the operator as is)."""


def normalise_number(value: str) -> str:
    """The stored form (E.164) of a number as the mediation writes it, or "" if it is not one.

    No full validation per row: the number only has to match a line of the product, and a lookup
    of a well-formed string is enough to know that.
    """
    value = value.strip().replace(" ", "")
    if not _DIGITS.fullmatch(value):
        return ""
    if value.startswith("+"):
        return value
    if value.startswith("0039"):
        return "+" + value[2:]
    if value.startswith("39") and len(value) > 10:
        return "+" + value
    return "+39" + value


def raw_number(fields) -> str:
    """The number of a raw row (a list of strings or a dict) as written, to look lines up in bulk."""
    raw = fields.get("number") if isinstance(fields, dict) else (fields[1] if len(fields) > 1 else "")
    return _text(raw)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _whole(text: str, what: str) -> int:
    if not text:
        return 0
    try:
        number = int(text)
    except ValueError:
        raise RowError(_("%(field)s is not a whole number") % {"field": what}) from None
    if number < 0:
        raise RowError(_("%(field)s is negative") % {"field": what})
    if number > 2**62:
        raise RowError(_("%(field)s is too large") % {"field": what})
    return number


def parse_row(fields, *, line_ids: dict[str, int], now: datetime.datetime, oldest: datetime.datetime) -> Record:
    """Check one row (a list of the columns in order, or a dict by column name) and resolve its line.

    `line_ids` maps numbers, as written in the rows or normalised, to line ids. Raises RowError with
    the reason of the first problem found. Runs for every row of a delivery (a file of millions of
    rows is read on one core): kept lean — the common case (values as the mediation writes them)
    is tried first, with C-level lookups, and only a miss takes the slower, normalising path.
    """
    if isinstance(fields, dict):
        unknown = set(fields) - set(COLUMNS)
        if unknown:
            raise RowError(_("unknown field: %(name)s") % {"name": sorted(unknown)[0][:40]})
        fields = [_text(fields.get(name)) for name in COLUMNS]
    elif len(fields) != len(COLUMNS):
        raise RowError(
            _("%(found)d columns instead of %(expected)d") % {"found": len(fields), "expected": len(COLUMNS)}
        )
    else:
        try:
            fields = list(map(str.strip, fields))  # a CSV row: all strings
        except TypeError:
            fields = [_text(v) for v in fields]
    record_id, number, started, category, direction, other_party, duration, volume, zone, cost = fields
    if not record_id:
        raise RowError(_("record_id is missing"))
    if len(record_id) > 64:
        raise RowError(_("record_id is longer than 64 characters"))
    line_id = line_ids.get(number)
    if line_id is None:
        number = normalise_number(number)
        if not number:
            raise RowError(_("number is not a phone number"))
        line_id = line_ids.get(number)
        if line_id is None:
            raise RowError(_("unknown number %(number)s") % {"number": number})
    try:
        started_at = datetime.datetime.fromisoformat(started)
    except ValueError:
        raise RowError(_("started_at is not a date and time in ISO 8601")) from None
    if started_at.tzinfo is None:
        raise RowError(_("started_at has no UTC offset"))
    if started_at > now + FUTURE_TOLERANCE:
        raise RowError(_("started_at is in the future"))
    if started_at < oldest:
        raise RowError(_("started_at is older than the detail the product keeps"))
    if category not in CATEGORIES:
        category = category.lower()
        if category not in CATEGORIES:
            raise RowError(_("unknown type %(type)s") % {"type": category[:20]})
    direction = DIRECTIONS.get(direction) or DIRECTIONS.get(direction.lower())
    if direction is None:
        raise RowError(_("direction must be out or in"))
    if len(other_party) > 32:
        raise RowError(_("other_party is longer than 32 characters"))
    duration = _whole(duration, "duration_seconds") if duration != "0" else 0
    if duration > MAX_DURATION:
        raise RowError(_("%(field)s is too large") % {"field": "duration_seconds"})
    volume = _whole(volume, "volume_bytes") if volume != "0" else 0
    if zone:
        zone = zone.upper()
        if not _ZONE.fullmatch(zone):
            raise RowError(_("roaming_zone must be up to 8 letters or digits"))
    cost = ZERO if not cost or cost == "0" else _cost(cost)  # most records (within the offers) cost nothing
    # tuple.__new__ rather than Record(...): the same tuple without a Python-level call per row.
    return _new(
        Record, (line_id, record_id, started_at, category, direction, other_party, duration, volume, zone, cost)
    )


def _cost(text: str) -> Decimal:
    try:
        cost = Decimal(text)
    except InvalidOperation:
        raise RowError(_("cost is not a number")) from None
    if not cost.is_finite() or cost < 0:
        raise RowError(_("cost is negative") if cost.is_finite() else _("cost is not a number"))
    if cost > MAX_COST:
        raise RowError(_("cost is too large"))
    if cost.as_tuple().exponent < -4:
        raise RowError(_("cost has more than 4 decimals"))
    return cost

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

The rules of a row are defined here once: the formats below are regular expressions that mean the
same in Python and in PostgreSQL, the limits are constants, and each refusal is a reason code whose
message `reason()` writes. `parse_row` applies them in Python; on PostgreSQL the CSV path applies
the same rules, in the same order, in SQL (`services.CHECK_SQL`, built from these constants), and
the tests compare both on the same rows.
"""

import datetime
import re
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from .models import Category, UsageRecord

COLUMNS = (
    "record_id", "number", "started_at", "type", "direction", "other_party",
    "duration_seconds", "volume_bytes", "roaming_zone", "cost",
)  # fmt: skip
CATEGORIES = frozenset(Category.values)
DIRECTIONS = {"": UsageRecord.Direction.OUTGOING.value, "out": "out", "in": "in"}
MAX_RECORD_ID = 64
MAX_OTHER_PARTY = 32
MAX_COST = Decimal("999999.9999")
MAX_WHOLE = 2**62
MAX_DURATION = 2**31 - 1  # the column is an integer
COST_DECIMALS = 4
ZERO = Decimal(0)
FUTURE_TOLERANCE = datetime.timedelta(minutes=5)  # the mediation's clock may be slightly ahead
# Stripped around every value: ASCII white space (the same set for Python's strip and SQL's btrim).
WHITESPACE = " \t\n\r\x0b\x0c"

# Formats (whole-value matches). Only constructs that Python's re and PostgreSQL's regular
# expressions read the same way: [..] classes of ASCII characters, ?, {m,n}, |, (...).
_DATE = "[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_CLOCK = "([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?"
# Date and time with a UTC offset: Z, +HH, +HHMM or +HH:MM, up to 15:59 either way (real offsets
# go from -12:00 to +14:00); at most microseconds.
TIME_FORMAT = f"{_DATE}[T ]{_CLOCK}(Z|[+-](0[0-9]|1[0-5])(:?[0-5][0-9])?)"
# The same without the offset (refused with its own reason: the time would be ambiguous).
LOCAL_TIME_FORMAT = f"{_DATE}([T ]{_CLOCK})?"
WHOLE_FORMAT = "[+-]?[0-9]+"
COST_FORMAT = "[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)"
ZONE_FORMAT = "[A-Za-z0-9]{0,8}"  # stored in capitals

_TIME = re.compile(TIME_FORMAT)
_LOCAL_TIME = re.compile(LOCAL_TIME_FORMAT)
_WHOLE = re.compile(WHOLE_FORMAT)
_COST = re.compile(COST_FORMAT)
_ZONE = re.compile(ZONE_FORMAT)
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


def reason(code: str, detail: str = "") -> str:
    """The message of a refused row from its reason code, the same whichever check found it.

    `detail` is, for "columns", the number of columns found; for "number" and "type", the value as
    written; for "not_whole", "negative" and "too_large", the column's name.
    """
    if code == "columns":
        return _("%(found)d columns instead of %(expected)d") % {"found": int(detail), "expected": len(COLUMNS)}
    if code == "number":
        number = normalise_number(detail)
        if not number:
            return _("number is not a phone number")
        return _("unknown number %(number)s") % {"number": number}
    if code == "type":
        return _("unknown type %(type)s") % {"type": detail.lower()[:20]}
    if code == "not_whole":
        return _("%(field)s is not a whole number") % {"field": detail}
    if code == "negative":
        return _("%(field)s is negative") % {"field": detail}
    if code == "too_large":
        return _("%(field)s is too large") % {"field": detail}
    return {
        "record_id_missing": _("record_id is missing"),
        "record_id_long": _("record_id is longer than 64 characters"),
        "time_format": _("started_at is not a date and time in ISO 8601"),
        "time_offset": _("started_at has no UTC offset"),
        "time_future": _("started_at is in the future"),
        "time_old": _("started_at is older than the detail the product keeps"),
        "direction": _("direction must be out or in"),
        "other_party_long": _("other_party is longer than 32 characters"),
        "zone": _("roaming_zone must be up to 8 letters or digits"),
        "cost_format": _("cost is not a number"),
        "cost_negative": _("cost is negative"),
        "cost_large": _("cost is too large"),
        "cost_decimals": _("cost has more than 4 decimals"),
    }[code]


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
    return "" if value is None else str(value).strip(WHITESPACE)


def _whole(text: str, what: str) -> int:
    if not text:
        return 0
    if not _WHOLE.fullmatch(text):
        raise RowError(reason("not_whole", what))
    number = int(text)
    if number < 0:
        raise RowError(reason("negative", what))
    if number > MAX_WHOLE:
        raise RowError(reason("too_large", what))
    return number


def parse_row(fields, *, line_ids: dict[str, int], now: datetime.datetime, oldest: datetime.datetime) -> Record:
    """Check one row (a list of the columns in order, or a dict by column name) and resolve its line.

    `line_ids` maps numbers, as written in the rows or normalised, to line ids. Raises RowError with
    the reason of the first problem found, in the order of the columns (the SQL checks of the CSV
    path on PostgreSQL follow the same order).
    """
    if isinstance(fields, dict):
        unknown = set(fields) - set(COLUMNS)
        if unknown:
            raise RowError(_("unknown field: %(name)s") % {"name": sorted(unknown)[0][:40]})
        fields = [_text(fields.get(name)) for name in COLUMNS]
    elif len(fields) != len(COLUMNS):
        raise RowError(reason("columns", len(fields)))
    else:
        fields = [_text(v) for v in fields]
    record_id, number, started, category, direction, other_party, duration, volume, zone, cost = fields
    if not record_id:
        raise RowError(reason("record_id_missing"))
    if len(record_id) > MAX_RECORD_ID:
        raise RowError(reason("record_id_long"))
    line_id = line_ids.get(number)
    if line_id is None:
        line_id = line_ids.get(normalise_number(number))
        if line_id is None:
            raise RowError(reason("number", number))
    if not _TIME.fullmatch(started):
        raise RowError(reason("time_offset" if _LOCAL_TIME.fullmatch(started) else "time_format"))
    try:
        started_at = datetime.datetime.fromisoformat(started)
    except ValueError:  # a day the month does not have
        raise RowError(reason("time_format")) from None
    if started_at > now + FUTURE_TOLERANCE:
        raise RowError(reason("time_future"))
    if started_at < oldest:
        raise RowError(reason("time_old"))
    if category.lower() not in CATEGORIES:
        raise RowError(reason("type", category))
    category = category.lower()
    direction = DIRECTIONS.get(direction.lower())
    if direction is None:
        raise RowError(reason("direction"))
    if len(other_party) > MAX_OTHER_PARTY:
        raise RowError(reason("other_party_long"))
    duration = _whole(duration, "duration_seconds")
    if duration > MAX_DURATION:
        raise RowError(reason("too_large", "duration_seconds"))
    volume = _whole(volume, "volume_bytes")
    if not _ZONE.fullmatch(zone):
        raise RowError(reason("zone"))
    zone = zone.upper()
    cost = ZERO if not cost else _cost(cost)
    # tuple.__new__ rather than Record(...): the same tuple without a Python-level call per row.
    return _new(
        Record, (line_id, record_id, started_at, category, direction, other_party, duration, volume, zone, cost)
    )


def _cost(text: str) -> Decimal:
    if not _COST.fullmatch(text):
        raise RowError(reason("cost_format"))
    cost = Decimal(text)
    if cost < 0:
        raise RowError(reason("cost_negative"))
    if cost > MAX_COST:
        raise RowError(reason("cost_large"))
    if cost.as_tuple().exponent < -COST_DECIMALS:
        raise RowError(reason("cost_decimals"))
    return cost

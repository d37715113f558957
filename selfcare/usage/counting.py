"""Which allowance a usage record uses, and how much of it (the rating rule of the counters).

- Internet at home uses the Internet allowance; Internet in the EU uses the roaming allowance (the
  EU's fair-use part); Internet in other zones is paid per use and uses no allowance.
- Outgoing calls and SMS at home and in the EU use the minutes and SMS allowances.
- Everything else (incoming traffic, MMS, options, other, calls from outside the EU) uses none.

A counter adds up the exact raw amounts (bytes, seconds, messages) of the records whose Rome day falls
in its period, and shows them in its unit: MB rounded down, minutes rounded up, SMS as they are.
The same rule is written in SQL in `services.INGEST_SQL`; the tests compare both with a recomputation.
"""

from selfcare.catalog.models import AllowanceKind

MB = 1024 * 1024


def counter_use(category: str, direction: str, zone: str, seconds: int, volume: int) -> tuple[str, int] | None:
    """(allowance kind, raw amount) that one record adds to its line's counters, or None."""
    if category == "data":
        if zone == "":
            return AllowanceKind.DATA_MB.value, volume
        if zone == "EU":
            return AllowanceKind.ROAMING_DATA_MB.value, volume
        return None
    if direction != "out" or zone not in ("", "EU"):
        return None
    if category == "voice":
        return AllowanceKind.VOICE_MINUTES.value, seconds
    if category == "sms":
        return AllowanceKind.SMS.value, 1
    return None


def used_from_raw(kind: str, raw: int) -> int:
    """A counter's use in its allowance's unit from its raw amount."""
    if kind == AllowanceKind.VOICE_MINUTES:
        return -(-raw // 60)
    if kind == AllowanceKind.SMS:
        return raw
    return raw // MB

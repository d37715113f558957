"""Amounts of an allowance as people read them: GB for data, minutes, SMS."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from selfcare.catalog.models import AllowanceKind

register = template.Library()

MB_PER_GB = 1024


@register.filter
def allowance_amount(value, kind) -> str:
    """Format a counter value stored in the allowance's unit (MB, minutes, messages)."""
    if value is None:
        return ""
    if kind in (AllowanceKind.DATA_MB, AllowanceKind.ROAMING_DATA_MB):
        gb = Decimal(value) / MB_PER_GB
        # One decimal below 10 GB, where a tenth still matters; whole GB above.
        digits = 1 if gb < 10 else 0
        return _("%(amount)s GB") % {"amount": number_format(gb, digits, use_l10n=True, force_grouping=True)}
    if kind == AllowanceKind.VOICE_MINUTES:
        return _("%(amount)s min") % {"amount": number_format(value, 0, force_grouping=True)}
    return _("%(amount)s SMS") % {"amount": number_format(value, 0, force_grouping=True)}


@register.filter
def data_volume(volume_bytes) -> str:
    """Bytes of traffic as MB below 1 GB and as GB above, the way bills show them."""
    if volume_bytes is None:
        return ""
    mb = Decimal(volume_bytes) / (1024 * 1024)
    if mb < MB_PER_GB:
        return _("%(amount)s MB") % {"amount": number_format(mb, 1 if mb < 10 else 0, force_grouping=True)}
    return _("%(amount)s GB") % {"amount": number_format(mb / MB_PER_GB, 2, force_grouping=True)}


@register.filter
def call_duration(seconds) -> str:
    """Seconds of a call as m:ss (h:mm:ss from an hour on)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

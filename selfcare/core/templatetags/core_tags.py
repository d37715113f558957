from django import template

from selfcare.core.validators import format_phone_number

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """An E.164 number grouped for reading: +39 347 123 4567."""
    return format_phone_number(value) if value else ""

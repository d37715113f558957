"""Validators for Italian and telecom identifiers, each with a message the user can act on.

The checksums come from python-stdnum and phonenumbers; nothing here re-implements them.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import imei, luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale, iva

# Longest input any identifier field accepts before parsing; longer is refused outright.
MAX_IDENTIFIER_INPUT = 64


def _reject_oversized(value: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_IDENTIFIER_INPUT:
        raise ValidationError(_("This value is too long."), code="too_long")
    return value


def clean_vat_number(value: str) -> str:
    """Return the 11-digit partita IVA or raise a ValidationError saying what is wrong."""
    value = _reject_oversized(value)
    compact = iva.compact(value) if value else ""
    if compact.upper().startswith("IT"):
        compact = compact[2:]
    if not re.fullmatch(r"[0-9]{11}", compact):
        raise ValidationError(_("A partita IVA has exactly 11 digits."), code="vat_format")
    try:
        return iva.validate(compact)
    except StdnumError:
        raise ValidationError(
            _("This partita IVA is not valid: check the digits (the last one is a check digit)."),
            code="vat_checksum",
        ) from None


def validate_vat_number(value: str) -> None:
    clean_vat_number(value)


def clean_fiscal_code(value: str) -> str:
    """Return a codice fiscale (16 characters for a person, 11 digits for a company), upper case."""
    value = _reject_oversized(value).upper().replace(" ", "")
    if not (re.fullmatch(r"[A-Z0-9]{16}", value) or re.fullmatch(r"[0-9]{11}", value)):
        raise ValidationError(
            _("A codice fiscale has 16 letters and digits (11 digits for a company)."), code="cf_format"
        )
    try:
        return codicefiscale.validate(value)
    except StdnumError:
        raise ValidationError(
            _("This codice fiscale is not valid: check the characters (the last one is a check letter)."),
            code="cf_checksum",
        ) from None


def validate_fiscal_code(value: str) -> None:
    clean_fiscal_code(value)


def clean_imei(value: str) -> str:
    """Return a 15-digit IMEI with a valid Luhn check digit."""
    value = _reject_oversized(value).replace(" ", "").replace("-", "")
    if not re.fullmatch(r"[0-9]{15}", value):
        raise ValidationError(_("An IMEI has exactly 15 digits."), code="imei_format")
    try:
        imei.validate(value)
    except StdnumError:
        raise ValidationError(_("This IMEI is not valid: check the digits."), code="imei_checksum") from None
    return value


def validate_imei(value: str) -> None:
    clean_imei(value)


def clean_iccid(value: str) -> str:
    """Return an Italian SIM ICCID: 19 or 20 digits starting 8939, Luhn check digit."""
    value = _reject_oversized(value).replace(" ", "")
    if not re.fullmatch(r"8939[0-9]{15,16}", value):
        raise ValidationError(
            _("An Italian SIM serial (ICCID) has 19 or 20 digits and starts with 8939."), code="iccid_format"
        )
    if not luhn.is_valid(value):
        raise ValidationError(_("This SIM serial (ICCID) is not valid: check the digits."), code="iccid_checksum")
    return value


def validate_iccid(value: str) -> None:
    clean_iccid(value)


def clean_phone_number(value: str, *, mobile: bool | None = None) -> str:
    """Return an Italian number in E.164 (+39...), accepting it with or without +39 and spaces.

    mobile=True accepts only mobile numbers, mobile=False only fixed ones, None either.
    """
    value = _reject_oversized(value)
    if not re.fullmatch(r"[+0-9][0-9 ./-]*", value or "-"):
        raise ValidationError(_("Enter the number with digits only, for example 347 123 4567."), code="phone_format")
    try:
        parsed = phonenumbers.parse(value, "IT")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("Enter an Italian number, for example 347 123 4567."), code="phone_format") from None
    if parsed.country_code != 39 or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("This is not a valid Italian number."), code="phone_invalid")
    kind = phonenumbers.number_type(parsed)
    is_mobile = kind == phonenumbers.PhoneNumberType.MOBILE
    if mobile is True and not is_mobile:
        raise ValidationError(_("Enter a mobile number (it starts with 3)."), code="phone_not_mobile")
    if mobile is False and kind != phonenumbers.PhoneNumberType.FIXED_LINE:
        raise ValidationError(_("Enter a fixed-line number (it starts with 0)."), code="phone_not_fixed")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def validate_phone_number(value: str) -> None:
    clean_phone_number(value)


def format_phone_number(e164: str) -> str:
    """Show a stored E.164 number grouped the Italian way: +39 347 123 4567."""
    try:
        parsed = phonenumbers.parse(e164, "IT")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def validate_sdi_code(value: str) -> None:
    """Codice destinatario: 7 letters or digits (0000000 when e-invoices go to the PEC address)."""
    if not re.fullmatch(r"[A-Z0-9]{7}", value or ""):
        raise ValidationError(
            _("The recipient code (codice destinatario) has exactly 7 capital letters or digits."),
            code="sdi_format",
        )


def validate_pin(value: str) -> None:
    if not re.fullmatch(r"[0-9]{4}", value or ""):
        raise ValidationError(_("A SIM PIN has exactly 4 digits."), code="pin_format")


def validate_puk(value: str) -> None:
    if not re.fullmatch(r"[0-9]{8}", value or ""):
        raise ValidationError(_("A SIM PUK has exactly 8 digits."), code="puk_format")

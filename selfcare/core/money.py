"""Money helpers: euro amounts are Decimal, rounded half-up to the cent as FatturaPA expects."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats

CENT = Decimal("0.01")
VAT_STANDARD = Decimal("22.00")


def quantize_money(amount: Decimal | int | str) -> Decimal:
    """Round an amount to the cent, half up (FatturaPA rounding of totals)."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def vat_of(taxable: Decimal, rate: Decimal = VAT_STANDARD) -> Decimal:
    """VAT on a taxable amount at a rate given in percent, rounded to the cent."""
    return quantize_money(Decimal(taxable) * Decimal(rate) / Decimal(100))


def money_field_kwargs(**extra):
    """Common arguments of a euro amount column (12 digits, 2 decimals)."""
    return {"max_digits": 12, "decimal_places": 2, **extra}


def format_money(amount: Decimal) -> str:
    """An amount as readers of the active language write it, two decimals: 1.234,56 in Italian."""
    return formats.number_format(amount, 2, use_l10n=True, force_grouping=True)

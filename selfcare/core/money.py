"""Money helpers: euro amounts are Decimal, rounded half-up to the cent as FatturaPA expects."""

from decimal import ROUND_HALF_UP, Decimal

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

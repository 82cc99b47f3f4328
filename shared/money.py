"""Money in DKK: Decimal with two decimals, rounded half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated

from pydantic import PlainSerializer

CENT = Decimal("0.01")
VAT_RATE = Decimal("0.25")


def dkk(value: Decimal | int | str) -> Decimal:
    """Round an amount to whole øre, half up (the Danish invoicing convention)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def vat_of(taxable_total: Decimal, rate: Decimal = VAT_RATE) -> Decimal:
    """VAT computed once per invoice on the sum of its taxable lines."""
    return dkk(taxable_total * rate)


def format_dkk(amount: Decimal) -> str:
    """Danish notation: 1.234,50 kr."""
    sign = "-" if amount < 0 else ""
    whole, _, frac = f"{abs(dkk(amount)):.2f}".partition(".")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{'.'.join(groups)},{frac} kr."


def amount_text(value: Decimal) -> str:
    """An amount as it crosses JSON: a string, so no float ever touches money."""
    return str(dkk(value))


Amount = Annotated[Decimal, PlainSerializer(amount_text, return_type=str, when_used="json")]

"""Mileage at the state's dated rate (statens takster), split at the yearly km threshold."""

from __future__ import annotations

from decimal import Decimal

from services.billing.domain.rating_text import DASH, kr, plain
from services.billing.domain.work import RatedLine, RatingContext, WorkEntry
from shared.errors import DomainError
from shared.money import dkk

ZERO = Decimal("0")


def mileage_lines(entry: WorkEntry, context: RatingContext) -> list[RatedLine]:
    """The entry's km as one line, or two when this trip crosses the yearly threshold.

    The rate is the one in force on the day the entry starts; km already driven this year
    (context.km_driven_this_year, kept by the caller) decide how much is still below the
    threshold. Mileage is never discounted and is taxable like the work it belongs to.
    """
    if entry.km <= 0:
        return []
    day = entry.start.date()
    try:
        rate = context.rates.mileage_on(day)
    except ValueError as exc:
        raise DomainError(str(exc), field="start") from exc
    threshold = Decimal(rate.threshold_km_per_year)
    driven = context.km_driven_this_year
    below = min(entry.km, max(ZERO, threshold - driven))
    above = entry.km - below
    lines: list[RatedLine] = []
    limit = f"{_km(threshold)} km a year"
    if below > 0:
        lines.append(
            _line(
                entry,
                below,
                rate.rate_per_km,
                f"state mileage rate from {rate.valid_from.isoformat()}: "
                f"{kr(rate.rate_per_km)}/km up to {limit} ({_km(driven)} km driven before)",
            )
        )
    if above > 0:
        lines.append(
            _line(
                entry,
                above,
                rate.rate_above_threshold,
                f"state mileage rate from {rate.valid_from.isoformat()}: "
                f"{kr(rate.rate_above_threshold)}/km above {limit} "
                f"({_km(driven + below)} km driven before)",
            )
        )
    return lines


def _km(value: Decimal) -> str:
    """Km for staff, grouped like the terms write them: 20,000."""
    return f"{Decimal(plain(value)):,}"


def _line(entry: WorkEntry, km: Decimal, rate: Decimal, rule: str) -> RatedLine:
    return RatedLine(
        description=(
            f"Kørsel {entry.start:%d.%m.%Y}: {plain(km)} km à {kr(rate)} (statens takst)"
            + (f" {DASH} {entry.description}" if entry.description else "")
        ),
        quantity=km,
        unit="km",
        unit_price=rate,
        discount=ZERO,
        amount=dkk(km * rate),
        rule=rule,
        day=entry.start.date(),
        km=km,
    )

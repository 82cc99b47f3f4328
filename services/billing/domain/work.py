"""Work entries and how they are rated: the types the rating engine works with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from shared.profile import Rates, Tier

WorkKind = Literal["consulting", "remote", "onsite", "setup"]


@dataclass(frozen=True)
class WorkEntry:
    """Time spent for a customer, in the provider's local time (Europe/Copenhagen, naive)."""

    entry_id: str
    kind: WorkKind
    start: datetime
    end: datetime
    km: Decimal = Decimal("0")
    devices: int = 0
    description: str = ""


@dataclass(frozen=True)
class RatingContext:
    """What rating needs to know about the customer and the provider at the entry's time."""

    rates: Rates
    has_agreement: bool
    tier: Tier | None
    included_remote_hours_left: Decimal
    km_driven_this_year: Decimal


@dataclass(frozen=True)
class RatedLine:
    """One invoice line from a work entry, saying how it was rated."""

    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount: Decimal
    amount: Decimal
    rule: str
    day: date
    included_hours_used: Decimal = Decimal("0")
    km: Decimal = Decimal("0")

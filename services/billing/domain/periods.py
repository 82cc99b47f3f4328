"""Billing periods and what a subscription should have cost in each (pure date and money math)."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.calendar import (
    add_months,
    end_of_month,
    end_of_quarter,
    last_business_day_of_month,
    last_business_day_of_quarter,
    term_anniversary,
)

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "yearly": 12}
MONTH_NAMES = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip


@dataclass(frozen=True)
class Period:
    """An inclusive span of days."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days it has."""
        return (self.end - self.start).days + 1

    def label(self, cadence: str) -> str:
        """How the period reads on a Danish invoice."""
        if cadence == "monthly":
            return f"{MONTH_NAMES[self.start.month - 1]} {self.start.year}"
        if cadence == "quarterly":
            return f"{(self.start.month - 1) // 3 + 1}. kvartal {self.start.year}"
        return f"{self.start:%d.%m.%Y}–{self.end:%d.%m.%Y}"


@dataclass(frozen=True)
class Segment:
    """From this day on, the subscription runs at this quantity and monthly unit price (0 = stopped)."""

    start: date
    quantity: int
    unit_price: Decimal


def is_run_day(day: date, run_on: str) -> bool:
    """True on the profile's invoice-run day: last business day of the month or the quarter."""
    if run_on == "last_business_day_of_month":
        return day == last_business_day_of_month(day.year, day.month)
    return day == last_business_day_of_quarter(day.year, day.month)


def billing_horizon(run_date: date, run_on: str) -> date:
    """Subscriptions are invoiced in advance up to here: the end of the next month or quarter."""
    if run_on == "last_business_day_of_month":
        return end_of_month(add_months(run_date.replace(day=1), 1))
    return end_of_quarter(add_months(end_of_quarter(run_date).replace(day=1), 1))


@functools.lru_cache(maxsize=4096)
def period_containing(day: date, cadence: str, anchor: date) -> Period:
    """The billing period of a day: calendar month or quarter, or the yearly term from the start."""
    if cadence == "monthly":
        return Period(day.replace(day=1), end_of_month(day))
    if cadence == "quarterly":
        end = end_of_quarter(day)
        return Period(date(end.year, end.month - 2, 1), end)
    terms = 0
    while term_anniversary(anchor, 12 * (terms + 1)) <= day:
        terms += 1
    start = anchor if terms == 0 else term_anniversary(anchor, 12 * terms)
    return Period(start, term_anniversary(anchor, 12 * (terms + 1)) - timedelta(days=1))


def periods_from(first: date, horizon: date, cadence: str, anchor: date) -> Iterator[Period]:
    """Every period that starts on or before the horizon, from the one holding `first`."""
    period = period_containing(first, cadence, anchor)
    while period.start <= horizon:
        yield period
        period = period_containing(period.end + timedelta(days=1), cadence, anchor)


def cost_in_period(
    period: Period, segments: Sequence[Segment], cadence: str
) -> tuple[Decimal, str]:
    """What the segments cost in the period (unrounded) and how that reads, prorated by day."""
    months = MONTHS_PER_PERIOD[cadence]
    total = Decimal("0")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        seg_end = (
            segments[index + 1].start - timedelta(days=1) if index + 1 < len(segments) else date.max
        )
        first, last = max(segment.start, period.start), min(seg_end, period.end)
        if first > last or segment.quantity == 0:
            continue
        days = (last - first).days + 1
        total += (
            segment.quantity * segment.unit_price * months * Decimal(days) / Decimal(period.days)
        )
        share = "" if days == period.days else f" ({days}/{period.days} dage)"
        parts.append(f"{segment.quantity} × {segment.unit_price:.2f} kr./md.{share}")
    return total, ", ".join(parts)

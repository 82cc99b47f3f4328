"""Cutting a work entry's time into parts that each fall in one rate band.

The bands are the provider's: normal hours on business days, weekday after-hours, and
weekend/holiday. A "holiday" here is every Danish bank closing day (public holidays plus
24 Dec, 31 Dec, 5 June and the Friday after Ascension Day), because the platform's calendar
is Nationalbanken's and those are days the provider's normal hours do not run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Literal

from shared.calendar import closing_day_name
from shared.profile import Rates

BandKind = Literal["normal", "after_hours", "weekend_holiday"]

_WEEKDAY_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_WEEKDAY_DA = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")


@dataclass(frozen=True)
class Reason:
    """Why a stretch of time is in its band: English for staff, Danish for the customer."""

    en: str
    da: str


@dataclass(frozen=True)
class TimePart:
    """A stretch of an entry's time in one band; reasons are empty in normal hours."""

    start: datetime
    end: datetime
    band: BandKind
    reasons: tuple[Reason, ...]

    @property
    def seconds(self) -> int:
        return int((self.end - self.start).total_seconds())


def day_off(day: date) -> Reason | None:
    """Why a day is rated at the weekend/holiday rate, or None on a business day."""
    name = closing_day_name(day)
    if name is not None:
        # A closing day on a Saturday (e.g. 2. Juledag 2026) is shown by its holiday name.
        return Reason(f"public holiday ({name})", name)
    if day.weekday() >= 5:
        return Reason(_WEEKDAY_EN[day.weekday()], _WEEKDAY_DA[day.weekday()])
    return None


def _classify(moment: datetime, rates: Rates) -> tuple[BandKind, Reason | None]:
    off = day_off(moment.date())
    if off is not None:
        return "weekend_holiday", off
    start, end = rates.normal_hours_start, rates.normal_hours_end
    clock = moment.time()
    if clock < start:
        return "after_hours", Reason(
            f"weekday before {start:%H:%M}", f"hverdag før kl. {start:%H:%M}"
        )
    if clock >= end:
        return "after_hours", Reason(f"weekday after {end:%H:%M}", f"hverdag efter kl. {end:%H:%M}")
    return "normal", None


def _cuts(start: datetime, end: datetime, rates: Rates) -> list[datetime]:
    """Every moment strictly inside (start, end) where the band may change."""
    cuts: set[datetime] = set()
    day = start.date()
    while day <= end.date():
        for clock in (time(0), rates.normal_hours_start, rates.normal_hours_end):
            moment = datetime.combine(day, clock)
            if start < moment < end:
                cuts.add(moment)
        day += timedelta(days=1)
    return sorted(cuts)


def split_by_band(start: datetime, end: datetime, rates: Rates) -> list[TimePart]:
    """The entry's time cut at every band change, in order.

    Neighbouring pieces in the same band are joined again (e.g. Monday 22:00 to Tuesday
    02:00 is one after-hours part): the customer is split only where the rate changes, so a
    midnight that does not change the band does not cost an extra started unit.
    """
    edges = [start, *_cuts(start, end, rates), end]
    parts: list[TimePart] = []
    for piece_start, piece_end in pairwise(edges):
        band, reason = _classify(piece_start, rates)
        reasons = (reason,) if reason is not None else ()
        if parts and parts[-1].band == band:
            last = parts[-1]
            merged = last.reasons + tuple(r for r in reasons if r not in last.reasons)
            parts[-1] = TimePart(last.start, piece_end, band, merged)
        else:
            parts.append(TimePart(piece_start, piece_end, band, reasons))
    return parts

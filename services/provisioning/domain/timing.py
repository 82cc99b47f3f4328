"""Retry backoff and the restore promise, as pure arithmetic.

Backoff uses the wall clock (it paces calls to a vendor, no business rule); the restore
promise uses the platform's business clock, which moves a day at a time: the deadline
is the restore date at 00:00 (Europe/Copenhagen) plus `restore_within_hours`, and a
restore is in time while the business day in force started before the deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently an action is tried before it is dead-lettered."""

    max_attempts: int
    base_seconds: float
    max_seconds: float

    def delay(self, tries: int, retry_after: float | None, draw: float) -> float:
        """Seconds before the next try: full jitter over an exponential ceiling.

        `draw` is uniform in [0, 1); a vendor's Retry-After is a floor, since trying
        sooner only earns another 429.
        """
        ceiling = min(self.max_seconds, self.base_seconds * 2.0 ** max(0, tries - 1))
        delay = draw * ceiling
        return max(delay, retry_after) if retry_after is not None else delay

    def exhausted(self, tries_this_round: int) -> bool:
        """True when the last allowed try of this round has failed."""
        return tries_this_round >= self.max_attempts


def start_of(day: date, zone: ZoneInfo) -> datetime:
    """Midnight of a business day in the platform's time zone, in UTC."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def restore_deadline(restored_on: date, within_hours: int, zone: ZoneInfo) -> datetime:
    """The restore date's midnight plus the promised hours (real hours, in UTC)."""
    return start_of(restored_on, zone) + timedelta(hours=within_hours)


def past_deadline(deadline: datetime, business_day: date, zone: ZoneInfo) -> bool:
    """The business day in force began at or after the deadline."""
    return start_of(business_day, zone) >= deadline

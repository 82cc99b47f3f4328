"""Time as an event: the clock stream emits one DayStarted per day and catches up missed days."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from shared.calendar import is_business_day
from shared.contracts.clock import DayStarted
from shared.errors import DomainError
from shared.store.eventstore import EventStore, Metadata, NewEvent, retry_on_conflict

log = logging.getLogger("msp.clock")

CLOCK_STREAM = "clock"
CLOCK_KEY = "clock"  # one key: every consumer sees the days in order
MAX_DAYS_PER_ADVANCE = 3660


async def current_day(store: EventStore) -> date | None:
    """The last day the clock started."""
    stream = await store.read_stream(CLOCK_STREAM)
    return date.fromisoformat(stream[-1].data["date"]) if stream else None


async def start_next_day(store: EventStore, until: date, meta: Metadata) -> date | None:
    """Start the day after the last one (or `until` on a fresh clock); None when already there."""

    async def attempt() -> date | None:
        async with store.transaction(meta) as tx:
            stream = await tx.load(CLOCK_STREAM)
            last = date.fromisoformat(stream[-1].data["date"]) if stream else None
            if last is not None and last >= until:
                return None
            day = until if last is None else last + timedelta(days=1)
            started = DayStarted(
                date=day, is_business_day=is_business_day(day), catching_up=day < until
            )
            new = NewEvent(type="DayStarted", data=started.model_dump(mode="json"))
            await tx.append(CLOCK_STREAM, len(stream), [new])
            await tx.set_business_date(day)
            await tx.publish(
                started,
                topic="clock.events",
                customer_id=None,
                subject=CLOCK_KEY,
                event_id=new.event_id,
            )
            return day

    return await retry_on_conflict(attempt)


async def advance_to(store: EventStore, until: date, meta: Metadata) -> list[date]:
    """Emit every day up to and including `until`, each in its own transaction."""
    last = await current_day(store)
    if last is not None and until < last:
        raise DomainError(f"the clock is at {last}; it never goes back", field="to")
    if last is not None and (until - last).days > MAX_DAYS_PER_ADVANCE:
        raise DomainError(f"advance at most {MAX_DAYS_PER_ADVANCE} days at once", field="to")
    started: list[date] = []
    while (day := await start_next_day(store, until, meta)) is not None:
        started.append(day)
    return started


def today_in(timezone: str) -> date:
    """Today's date where the provider is (the ticker's only wall-clock read)."""
    return datetime.now(ZoneInfo(timezone)).date()


async def run_ticker(store: EventStore, timezone: str, interval_seconds: float = 60.0) -> None:
    """Production ticker: start each new day, catching up every day that was missed."""
    meta = Metadata(actor="system:clock")
    while True:
        try:
            await advance_to(store, today_in(timezone), meta)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("clock tick failed; will try again", exc_info=True)
        await asyncio.sleep(interval_seconds)

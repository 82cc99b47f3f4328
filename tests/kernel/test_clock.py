"""Time as an event: days in order, missed days caught up, never backwards."""

from __future__ import annotations

from datetime import date

import pytest

from shared.clock import advance_to, current_day
from shared.errors import DomainError
from shared.store.eventstore import Metadata
from tests.kernel.stores import open_store

META = Metadata(actor="test")


async def test_advancing_the_clock_starts_every_missed_day_once(database_url: str) -> None:
    async with open_store(database_url) as store:
        assert await advance_to(store, date(2026, 2, 13), META) == [date(2026, 2, 13)]
        started = await advance_to(store, date(2026, 2, 16), META)
        again = await advance_to(store, date(2026, 2, 16), META)
        days = [e.data for e in await store.read_stream("clock")]
        assert await current_day(store) == date(2026, 2, 16)
        assert await store.business_date() == date(2026, 2, 16)
    assert started == [date(2026, 2, 14), date(2026, 2, 15), date(2026, 2, 16)]
    assert again == []
    assert [d["is_business_day"] for d in days] == [True, False, False, True]
    assert [d["catching_up"] for d in days] == [False, True, True, False]


async def test_the_clock_never_goes_back(database_url: str) -> None:
    async with open_store(database_url) as store:
        await advance_to(store, date(2026, 3, 1), META)
        with pytest.raises(DomainError, match="never goes back"):
            await advance_to(store, date(2026, 2, 1), META)


async def test_each_day_is_published_once_on_the_clock_topic(database_url: str) -> None:
    async with open_store(database_url) as store:
        await advance_to(store, date(2026, 1, 30), META)
        await advance_to(store, date(2026, 2, 1), META)
        from sqlalchemy import select

        from shared.envelope import CloudEvent
        from shared.store.schema import outbox

        async with store.engine.connect() as conn:
            rows = (await conn.execute(select(outbox).order_by(outbox.c.id))).mappings().all()
    envelopes = [CloudEvent.from_json(row["payload"]) for row in rows]
    assert {row["topic"] for row in rows} == {"clock.events"}
    assert [e.data["date"] for e in envelopes] == ["2026-01-30", "2026-01-31", "2026-02-01"]
    assert [e.businessdate for e in envelopes] == [
        date(2026, 1, 30),
        date(2026, 1, 31),
        date(2026, 2, 1),
    ]

"""SQLite connections close without leaving a task behind, however their close is reached."""

from __future__ import annotations

import asyncio
from pathlib import Path

from shared.store.engine import make_engine


async def test_a_close_that_meets_a_forced_stop_ends_instead_of_waiting_for_ever(
    tmp_path: Path,
) -> None:
    # What happens when a task is cancelled inside a SQLite statement: SQLAlchemy closes the
    # connection gracefully in a shielded task and, because of the cancellation, also stops
    # its worker thread at once. The graceful close then asked the stopped thread to stop
    # again and waited for an answer that never came: a task parked for ever, which a
    # test's teardown (or anything waiting for every task) waited on in turn.
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite'}")
    try:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            closing = asyncio.create_task(driver.close())
            await asyncio.sleep(0)  # the graceful close has asked the thread to close
            driver.stop()  # the forced stop
            await asyncio.wait_for(closing, timeout=10)
            assert not driver._thread.is_alive() or await _thread_ends(driver._thread)
            await conn.invalidate()
    finally:
        await engine.dispose()


async def _thread_ends(thread: object) -> bool:
    for _ in range(100):
        if not thread.is_alive():  # type: ignore[attr-defined]
            return True
        await asyncio.sleep(0.05)
    return False

"""The assets read models are derived from the service's own events: a replay gives the same answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shared.store.replay import rebuild_projections
from tests.assets.builders import three_moves_in_march
from tests.e2e.platform import RunningPlatform, embedded


async def answers(running: RunningPlatform, customer_id: str) -> list[Any]:
    base = f"/customers/{customer_id}"
    paths = ["/hardware", "/moves", "/workbooks", "/overview", "/reconciliation"]
    return [await running.call("assets", "GET", base + path) for path in paths] + [
        await running.call("assets", "GET", "/customers")
    ]


async def test_replaying_the_assets_events_rebuilds_the_same_read_models(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        customer = await three_moves_in_march(running)
        await running.advance_to("2026-03-31")
        before = await answers(running, customer.customer_id)
        replayed = await rebuild_projections(running.platform.runtimes["assets"].store)
        after = await answers(running, customer.customer_id)
        download = await running.clients["assets"].get(
            f"/customers/{customer.customer_id}/workbooks/2026-03.xlsx"
        )
    assert replayed > 10
    assert after == before
    assert download.status_code == 200, "the issued file is kept beside the events, not replayed"

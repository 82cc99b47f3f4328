"""The webhook outbox and ops' read models on PostgreSQL (the distributed store)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from services.ops.domain.webhooks import RETRY_DELAYS
from shared.store.replay import rebuild_projections
from tests.e2e.platform import embedded
from tests.ops.harness import LOOPBACK_ONLY, FakeClock, ops_runtime, worker
from tests.ops.test_views import snapshot, worked_example

pytestmark = pytest.mark.postgres


async def test_on_postgresql_a_receiver_down_three_times_gets_it_on_the_fourth_and_replay_rebuilds(
    tmp_path: Path, pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPS_DATABASE_URL", pg_database)
    monkeypatch.setenv("OPS_WEBHOOK_ALLOWED_NETWORKS", LOOPBACK_ONLY)
    answers: list[int | None] = [None, 500, None]

    def receiver(request: httpx.Request) -> httpx.Response:
        answer = answers.pop(0) if answers else 204
        if answer is None:
            raise httpx.ConnectError("connection refused")
        return httpx.Response(answer)

    clock = FakeClock()
    async with embedded(tmp_path) as running:
        assert ops_runtime(running).store.postgres
        sender = worker(running, clock, httpx.MockTransport(receiver))
        hook = await running.call(
            "ops",
            "POST",
            "/webhooks",
            expect=201,
            json={"url": "http://127.0.0.1:9/h", "event_types": ["CustomerRegistered"]},
        )
        await worked_example(running)
        await running.advance_to("2026-02-16")
        await sender.deliver_due()
        for delay in RETRY_DELAYS[:3]:
            clock.advance(delay)
            await sender.deliver_due()
        clock.advance(timedelta(days=1))
        await sender.deliver_due()
        found = await running.call("ops", "GET", f"/webhooks/{hook['endpoint_id']}/deliveries")
        before = await snapshot(running)
        await rebuild_projections(ops_runtime(running).store)
        after = await snapshot(running)
    assert [(d["status"], d["attempts"]) for d in found] == [("delivered", 4)]
    assert before == after
    assert before["dunning_view"][0]["stage"] == "reminder_1"

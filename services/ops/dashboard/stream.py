"""Server-Sent Events: each newly observed event, rendered as a row, pushed to the browser.

Each connection lives a short while and the browser reconnects with Last-Event-ID, so a
server shutting down never waits on an open stream and no event is skipped.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse

from services.ops.dashboard.read import events
from services.ops.dashboard.render import fragment
from services.ops.dashboard.session import SessionDep
from shared.service import Runtime, RuntimeDep

router = APIRouter(prefix="/dashboard", include_in_schema=False)
POLL_SECONDS = 0.5
LIFETIME_SECONDS = 15.0
RECONNECT_MS = 1000


@router.get("/stream")
async def stream(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    customer_id: str | None = None,
    name: str | None = None,
    context: str | None = None,
    after: int | None = None,
) -> StreamingResponse:
    resume = request.headers.get("last-event-id")
    start = int(resume) if resume and resume.isdigit() else after
    filters = events.Filters(customer_id or None, name or None, context or None)
    return StreamingResponse(
        _events(request, runtime, filters, start),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )


async def _events(
    request: Request, runtime: Runtime, filters: events.Filters, start: int | None
) -> AsyncIterator[str]:
    if start is None:
        async with runtime.store.engine.connect() as conn:
            start = await events.last_seq(conn)
    seen = start
    yield f"retry: {RECONNECT_MS}\n: connected\n\n"
    loop = asyncio.get_running_loop()
    ends = loop.time() + LIFETIME_SECONDS
    while loop.time() < ends and not await request.is_disconnected():
        async with runtime.store.engine.connect() as conn:
            rows = await events.event_rows(conn, filters, after_seq=seen, limit=50)
        for row in rows:
            seen = row["seq"]
            payload = {
                "seq": row["seq"],
                "event_id": row["event_id"],
                "name": row["name"],
                "context": row["context"],
                "customer_id": row["customer_id"],
                "html": fragment("_event_row.html", row=row, fresh=True),
            }
            yield f"id: {seen}\nevent: observed\ndata: {json.dumps(payload)}\n\n"
        if not rows:
            await asyncio.sleep(POLL_SECONDS)

"""Helpers for the ops tests: the ops app and runtime, a fake clock, a real HTTP server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI

from services.ops.webhooks.worker import DeliveryWorker
from services.ops.wiring import parts
from shared.envelope import utcnow
from shared.service import Runtime
from tests.e2e.platform import RunningPlatform

NORDHAVN = {
    "name": "Nordhavn Revision ApS",
    "cvr": "13585628",
    "address": "Nordhavnsgade 4, 2150 Nordhavn",
}
HAVNEKONTORET = {
    "name": "Havnekontoret ApS",
    "cvr": "30000013",
    "address": "Kajen 2, 8000 Aarhus C",
}
LOOPBACK_ONLY = '["127.0.0.0/8"]'


class FakeClock:
    """Time for the delivery worker that moves only when the test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delay: timedelta) -> None:
        """Let time pass."""
        self.now += delay


def ops_runtime(running: RunningPlatform) -> Runtime:
    """The running ops service."""
    return running.platform.runtimes["ops"]


def ops_app(running: RunningPlatform) -> FastAPI:
    """The ops app the harness already made (apps() may only be built once per runtime)."""
    transport = running.clients["ops"]._transport
    assert isinstance(transport, httpx.ASGITransport)
    app: FastAPI = transport.app  # type: ignore[assignment]
    return app


def worker(
    running: RunningPlatform, clock: FakeClock, transport: httpx.AsyncBaseTransport
) -> DeliveryWorker:
    """The ops delivery worker, on fake time and a fake network, with the bare schedule."""
    found = parts(ops_runtime(running)).worker
    found.clock = clock
    found.transport = transport
    found.jitter = lambda delay: delay
    return found


async def register_customer(running: RunningPlatform, who: dict[str, str]) -> str:
    """Register a customer at agreements; returns the id."""
    created = await running.call("agreements", "POST", "/customers", expect=201, json=who)
    return str(created["customer_id"])


async def login(client: httpx.AsyncClient, key: str) -> httpx.Response:
    """Log in to the dashboard with an API key (the client keeps the session cookie)."""
    return await client.post("/dashboard/login", data={"api_key": key, "next": "/dashboard"})


@asynccontextmanager
async def served(app: FastAPI) -> AsyncIterator[str]:
    """The app on a real socket (for streams and the browser); yields its base URL."""
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=5,  # an open stream is cut, not waited for
        )
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)


def anonymous(running: RunningPlatform) -> httpx.AsyncClient:
    """A client of ops without a key or a session."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=ops_app(running)), base_url="http://ops"
    )


def json_of(response: httpx.Response) -> Any:
    """The body, after checking the request worked."""
    assert response.is_success, f"{response.status_code} {response.text}"
    return response.json()

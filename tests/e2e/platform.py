"""An embedded platform for end-to-end tests, with an HTTP client per service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import httpx

from shared.platform import EmbeddedPlatform
from shared.settings import ApiKeySetting, PlatformSettings


@dataclass
class RunningPlatform:
    platform: EmbeddedPlatform
    clients: dict[str, httpx.AsyncClient]
    admin_key: str

    async def settle(self) -> None:
        await self.platform.settle()

    async def call(
        self, service: str, method: str, path: str, expect: int = 200, **kwargs: object
    ) -> Any:
        """Call a service and check the status; returns the JSON body."""
        response = await self.clients[service].request(method, path, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == expect, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        await self.settle()
        return response.json() if response.content else None

    async def advance_to(self, day: str) -> None:
        """Start the days up to and including day."""
        await self.call("ops", "POST", "/clock/advance", json={"to": day})


class Caller(Protocol):
    async def call(
        self, service: str, method: str, path: str, expect: int = 200, **kwargs: Any
    ) -> Any: ...


async def customer_with_agreement(
    running: Caller, who: dict[str, str], *orders: dict[str, Any]
) -> str:
    """Register a customer at agreements, sign its agreement and order each subscription;
    returns the customer's id."""
    created = await running.call("agreements", "POST", "/customers", expect=201, json=who)
    customer = str(created["customer_id"])
    await running.call(
        "agreements", "POST", f"/customers/{customer}/agreement", expect=201, json={}
    )
    for order in orders:
        await running.call(
            "agreements",
            "POST",
            f"/customers/{customer}/agreement/subscriptions",
            expect=201,
            json=order,
        )
    return customer


@asynccontextmanager
async def embedded(
    var_dir: Path, api_keys: list[ApiKeySetting] | None = None, profile: str = "safe-it"
) -> AsyncIterator[RunningPlatform]:
    """All six services in this process on SQLite files under var_dir."""
    settings = PlatformSettings(
        var_dir=var_dir,
        consumer_retry_backoff_seconds=0.01,
        api_keys=api_keys or [],
        profile=profile,
    )
    platform = EmbeddedPlatform(settings)
    await platform.start()
    assert platform.admin_key
    headers = {"authorization": f"Bearer {platform.admin_key}"}
    clients = {
        name: httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url=f"http://{name}", headers=headers
        )
        for name, app in platform.apps().items()
    }
    try:
        yield RunningPlatform(platform, clients, platform.admin_key)
    finally:
        for client in clients.values():
            await client.aclose()
        await platform.stop()

"""An embedded platform for end-to-end tests, with an HTTP client per service."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

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


@asynccontextmanager
async def embedded(
    var_dir: Path, api_keys: list[ApiKeySetting] | None = None
) -> AsyncIterator[RunningPlatform]:
    """All six services in this process on SQLite files under var_dir."""
    settings = PlatformSettings(
        var_dir=var_dir, consumer_retry_backoff_seconds=0.01, api_keys=api_keys or []
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

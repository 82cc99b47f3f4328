"""The embedded platform served to in-process clients that run their own event loop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from shared import scenario
from shared.cli import demo_scenario
from shared.platform import EmbeddedPlatform
from shared.settings import ApiKeySetting, PlatformSettings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class HostedPlatform:
    """One embedded platform (with the demo data) behind one ASGI app per service.

    Clients such as schemathesis run ASGI apps on an event loop of their own: the platform
    is started by the first app's lifespan, on that loop, and stopped by the lifespan's
    shutdown once `closing` is set.
    """

    def __init__(self, var_dir: Path, api_keys: list[ApiKeySetting]) -> None:
        self.platform = EmbeddedPlatform(
            PlatformSettings(
                var_dir=var_dir, api_keys=api_keys, consumer_retry_backoff_seconds=0.01
            )
        )
        self.closing = False
        self._apps: dict[str, Callable[[Scope, Receive, Send], Awaitable[None]]] = {}

    def app(self, name: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        """The ASGI app of one service (the same object each time: one lifespan each)."""
        if name not in self._apps:
            self._apps[name] = self._serving(name)
        return self._apps[name]

    def _serving(self, name: str) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
        async def serve(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "lifespan":
                await self._lifespan(receive, send)
                return
            await self.platform.apps()[name](scope, receive, send)

        return serve

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        # Started once by whichever app starts first; clients may end and restart lifespans
        # between tests, so only close() stops the platform.
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                if not self.platform.runtimes:
                    await self.platform.start()
                    demo = demo_scenario(self.platform.platform.profile)
                    assert demo is not None
                    await scenario.play(self.platform, scenario.load(demo))
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.closing and self.platform.runtimes:
                    await self.platform.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

"""Services for the fault tests: real runtimes and apps, in this process, on a chosen bus.

Each service gets its own store (SQLite files, or PostgreSQL databases) and either one shared
in-process bus (the embedded mode) or a Kafka bus of its own (as in the distributed mode, one
client per service). The test can then break the infrastructure under them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from shared.auth import KeyRing
from shared.bus.kafka import KafkaBus
from shared.bus.local import LocalBus
from shared.bus.port import Bus, Outgoing
from shared.envelope import CloudEvent, utcnow
from shared.ids import new_id
from shared.platform import service_spec
from shared.service import Runtime, create_app
from shared.settings import SERVICE_SETTINGS, ApiKeySetting, KafkaSettings, PlatformSettings
from tests.e2e.platform import customer_with_agreement

KEY = "msp_fault-suite-operator"
HEADERS = {"authorization": f"Bearer {KEY}"}
MAX_ATTEMPTS = 3


@dataclass
class Services:
    """Running services: runtimes, an HTTP client per app, the buses they use."""

    runtimes: dict[str, Runtime]
    clients: dict[str, httpx.AsyncClient]
    buses: list[Bus] = field(default_factory=list)

    async def call(
        self, service: str, method: str, path: str, expect: int | None = 200, **kwargs: Any
    ) -> Any:
        """Call a service; checks the status when expect is given; returns the JSON body."""
        response = await self.clients[service].request(method, path, **kwargs)
        if expect is not None:
            assert response.status_code == expect, (
                f"{method} {path}: {response.status_code} {response.text}"
            )
        return response.json() if response.content else None

    async def pending(self) -> int:
        """Outbox rows not yet published plus messages not yet handled."""
        total = 0
        for runtime in self.runtimes.values():
            total += await runtime.relay.pending()
        for bus in self.buses:
            total += await bus.lag()
        return total

    async def settle(self, timeout: float = 60.0) -> None:
        """Wait until every outbox is empty and every subscription caught up."""
        deadline = asyncio.get_running_loop().time() + timeout
        quiet = 0
        pending = -1
        while quiet < 3:
            pending = await self.pending()
            quiet = quiet + 1 if pending == 0 else 0
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{pending} messages still in flight after {timeout}s")
            await asyncio.sleep(0.05)

    def stores(self) -> dict[str, Any]:
        """Each service's event store (for the ledger)."""
        return {name: runtime.store for name, runtime in self.runtimes.items()}


def platform_settings(var_dir: Path, **overrides: Any) -> PlatformSettings:
    """Settings for the fault tests: an admin key, fast retries, no demo data."""
    values: dict[str, Any] = {
        "var_dir": var_dir,
        "api_keys": [ApiKeySetting(name="fault-operator", key=SecretStr(KEY), scopes=["admin"])],
        "consumer_max_attempts": MAX_ATTEMPTS,
        "consumer_retry_backoff_seconds": 0.02,
        "demo": False,
        **overrides,
    }
    return PlatformSettings(**values)


@asynccontextmanager
async def services(
    names: Sequence[str],
    var_dir: Path,
    *,
    kafka: KafkaSettings | None = None,
    database_urls: Mapping[str, str] | None = None,
    platform: PlatformSettings | None = None,
) -> AsyncIterator[Services]:
    """Start the named services: on Kafka if settings are given, else on one in-process bus."""
    var_dir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before anything runs
    settings = platform or platform_settings(var_dir)
    keyring = KeyRing(settings.api_keys)
    shared: LocalBus | None = None
    if kafka is None:
        shared = LocalBus(
            var_dir / "bus.sqlite",
            max_attempts=settings.consumer_max_attempts,
            backoff_seconds=settings.consumer_retry_backoff_seconds,
        )
        await shared.start()
    runtimes: dict[str, Runtime] = {}
    buses: list[Bus] = [shared] if shared is not None else []
    try:
        for name in names:
            overrides = {"database_url": database_urls[name]} if database_urls else {}
            bus: Bus
            if shared is not None:
                bus = shared
            else:
                assert kafka is not None
                bus = KafkaBus(
                    kafka,
                    client_id=f"msp-{name}",
                    max_attempts=settings.consumer_max_attempts,
                    backoff_seconds=settings.consumer_retry_backoff_seconds,
                )
                buses.append(bus)
            runtime = Runtime(
                spec=service_spec(name),
                platform=settings,
                settings=SERVICE_SETTINGS[name](**overrides),
                bus=bus,
                keyring=keyring,
                owns_bus=False,  # Kafka buses are started below, all at once
            )
            runtimes[name] = runtime
            await runtime.start()  # one at a time: alembic's context is process-wide
        if shared is None:
            # The Kafka buses together: each joins its consumer groups, seconds apiece.
            await asyncio.gather(*(bus.start() for bus in buses))
        clients = {
            name: httpx.AsyncClient(
                transport=httpx.ASGITransport(
                    app=create_app(runtime, manage_runtime=False), raise_app_exceptions=False
                ),
                base_url=f"http://{name}",
                headers=HEADERS,
                timeout=30,
            )
            for name, runtime in runtimes.items()
        }
        try:
            yield Services(runtimes, clients, buses)
        finally:
            for client in clients.values():
                await client.aclose()
    finally:
        for runtime in reversed(list(runtimes.values())):
            await runtime.stop()
        await asyncio.gather(*(bus.stop() for bus in buses), return_exceptions=True)


def envelope(
    type_: str, data: Mapping[str, Any], *, customer_id: str | None = None, source: str = "test"
) -> CloudEvent:
    """An envelope as a publisher would put it on the bus."""
    return CloudEvent(
        id=new_id(),
        source=source,
        type=type_,
        time=utcnow(),
        customerid=customer_id,
        correlationid=new_id(),
        actor="fault-suite",
        data=dict(data),
    )


def outgoing(topic: str, key: str, value: CloudEvent | bytes) -> Outgoing:
    """A message for the bus: an envelope (with its id in the ce_id header) or raw bytes."""
    if isinstance(value, CloudEvent):
        return Outgoing(topic, key, value.to_json(), (("ce_id", value.id.encode()),))
    return Outgoing(topic, key, value)


async def eventually(
    check: Callable[[], Awaitable[bool]], *, what: str, timeout: float = 60.0
) -> None:
    """Wait until check() is true."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for: {what}")
        await asyncio.sleep(0.1)


def dumps(value: Any) -> str:
    """Pretty JSON for failure messages."""
    return json.dumps(value, indent=1, default=str)[:4000]


def cvr(number: int) -> str:
    """The number-th valid Danish CVR number (modulus 11) from 3000000x on."""
    weights = (2, 7, 6, 5, 4, 3, 2)
    found = -1
    base = 3_000_000
    while True:
        digits = [int(c) for c in str(base)]
        rest = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        check = (11 - rest) % 11
        if check < 10:
            found += 1
            if found == number:
                return f"{base}{check}"
        base += 1


async def customers_before_the_run(
    running: Services, customers: int, *, start: str, first_cvr: int = 0
) -> None:
    """Customers with an agreement and web hosting from `start`, the clock on to 29 January:
    the next day, 30 January, is the month-end invoice run."""
    await running.call("ops", "POST", "/clock/advance", json={"to": start})
    await running.settle()
    for number in range(customers):
        await customer_with_agreement(
            running,
            {"name": f"Kunde {number} ApS", "cvr": cvr(first_cvr + number)},
            {"sku": "hosting-standard", "quantity": 1},
        )
    await running.call("ops", "POST", "/clock/advance", json={"to": "2026-01-29"})
    await running.settle(timeout=180)

"""Running services: one process with all six (embedded) or one process per service (distributed)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI

from shared.auth import KeyRing, embedded_keys
from shared.bus.kafka import KafkaBus
from shared.bus.local import LocalBus
from shared.bus.port import Bus
from shared.contracts import load_all
from shared.service import Runtime, ServiceSpec, create_app
from shared.settings import SERVICE_SETTINGS, KafkaSettings, PlatformSettings

log = logging.getLogger("msp.platform")

SERVICES = ("ops", "agreements", "billing", "dunning", "provisioning", "assets")


def service_spec(name: str) -> ServiceSpec:
    """The spec from services/<name>/bootstrap.py."""
    if name not in SERVICES:
        raise ValueError(f"unknown service {name!r}; choose from {', '.join(SERVICES)}")
    module = importlib.import_module(f"services.{name}.bootstrap")
    spec: ServiceSpec = module.spec()
    return spec


def build_runtime(
    name: str, platform: PlatformSettings, bus: Bus, keyring: KeyRing, *, owns_bus: bool
) -> Runtime:
    """A service runtime from settings (the bootstrap the lifespan and the CLI call)."""
    load_all()
    return Runtime(
        spec=service_spec(name),
        platform=platform,
        settings=SERVICE_SETTINGS[name](),
        bus=bus,
        keyring=keyring,
        owns_bus=owns_bus,
    )


def distributed_bus(name: str, platform: PlatformSettings) -> Bus:
    """The bus for one service process: Kafka when configured, else a local log under var/."""
    kafka = KafkaSettings()
    if platform.mode == "distributed" and not kafka.bootstrap_servers:
        raise RuntimeError("MSP_MODE=distributed needs KAFKA_BOOTSTRAP_SERVERS")
    if kafka.bootstrap_servers:
        return KafkaBus(
            kafka,
            client_id=f"msp-{name}",
            max_attempts=platform.consumer_max_attempts,
            backoff_seconds=platform.consumer_retry_backoff_seconds,
        )
    return LocalBus(
        platform.var_dir / "bus.sqlite",
        max_attempts=platform.consumer_max_attempts,
        backoff_seconds=platform.consumer_retry_backoff_seconds,
    )


def service_app(name: str, *, freeze_heap: bool = False) -> FastAPI:
    """One service as an ASGI app that starts its own runtime (uvicorn factory target)."""
    platform = PlatformSettings()
    keyring = KeyRing(platform.api_keys)
    runtime = build_runtime(name, platform, distributed_bus(name, platform), keyring, owns_bus=True)
    return create_app(runtime, freeze_heap=freeze_heap)


@dataclass
class EmbeddedPlatform:
    """All services in one process: one SQLite file each, and the durable in-process bus."""

    platform: PlatformSettings
    names: Sequence[str] = SERVICES
    runtimes: dict[str, Runtime] = field(default_factory=dict)
    admin_key: str | None = None
    bus: LocalBus | None = None
    _apps: dict[str, FastAPI] = field(default_factory=dict)

    async def start(self) -> None:
        """Create var/, the key file on first start, every runtime, then the bus."""
        self.platform.var_dir.mkdir(parents=True, exist_ok=True)
        keys, self.admin_key = embedded_keys(self.platform.var_dir)
        keyring = KeyRing([*self.platform.api_keys, *keys])
        self.bus = LocalBus(
            self.platform.var_dir / "bus.sqlite",
            max_attempts=self.platform.consumer_max_attempts,
            backoff_seconds=self.platform.consumer_retry_backoff_seconds,
        )
        await self.bus.start()
        for name in self.names:
            runtime = build_runtime(name, self.platform, self.bus, keyring, owns_bus=False)
            await runtime.start()
            self.runtimes[name] = runtime

    async def stop(self) -> None:
        """Stop every runtime and the bus."""
        for runtime in reversed(list(self.runtimes.values())):
            await runtime.stop()
        self.runtimes.clear()
        self._apps = {}
        if self.bus is not None:
            await self.bus.stop()

    async def settle(self, timeout: float = 60.0) -> None:
        """Wait until every outbox is empty and every subscription has caught up."""
        assert self.bus is not None
        deadline = asyncio.get_running_loop().time() + timeout
        quiet = 0
        while quiet < 2:
            # Outboxes first: while one holds rows, counting the bus's lag is wasted work.
            pending = 0
            for runtime in self.runtimes.values():
                pending = await runtime.relay.pending()
                if pending:
                    break
            if not pending:
                pending = await self.bus.lag()
            quiet = quiet + 1 if pending == 0 else 0
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{pending} messages still in flight after {timeout}s")
            await asyncio.sleep(0.01)

    def apps(self) -> dict[str, FastAPI]:
        """Each service's app over the already running runtime (built once: metrics register once)."""
        if not self._apps:
            self._apps = {
                name: create_app(rt, manage_runtime=False) for name, rt in self.runtimes.items()
            }
        return self._apps

    def url(self, name: str) -> str:
        """Where a service listens."""
        port = self.runtimes[name].settings.resolved_port()
        return f"http://{self.platform.public_host}:{port}"

    async def serve_forever(self) -> None:
        """Serve every app on its port until SIGINT or SIGTERM."""
        servers = [
            _QuietServer(
                uvicorn.Config(
                    app,
                    host=self.platform.host,
                    port=self.runtimes[name].settings.resolved_port(),
                    log_level="warning",
                    lifespan="off",
                )
            )
            for name, app in self.apps().items()
        ]
        await serve_until_signalled(servers)


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to the platform (several share a loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def serve_until_signalled(servers: Sequence[uvicorn.Server]) -> None:
    """Run servers together; SIGINT or SIGTERM stops them all gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    waiter = asyncio.create_task(stop.wait())
    await asyncio.wait([waiter, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for server in servers:
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    waiter.cancel()


def app_from_environment() -> FastAPI:
    """uvicorn factory for `msp serve`: the service named in MSP_SERVICE."""
    import os

    return service_app(os.environ["MSP_SERVICE"], freeze_heap=True)

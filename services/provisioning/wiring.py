"""What one provisioning runtime owns: settings, vendor ports, simulators, the worker's wake-up."""

from __future__ import annotations

import asyncio
import os
import socket
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from services.provisioning.adapters.seeding import SimulatorSeeder
from services.provisioning.adapters.vendors import VendorPorts, build_ports
from services.provisioning.settings import ProvisioningOptions
from services.provisioning.worker import ActionWorker, BusinessClock
from shared.service import Runtime
from shared.store.eventstore import EventStore

# ServiceSpec has no place for a service's own objects; they ride on the runtime they serve.
_ATTRIBUTE = "_provisioning_wiring"
STOP_GRACE_SECONDS = 5.0


@dataclass
class Wiring:
    """Built from settings once per runtime, when the kernel asks for the handlers."""

    options: ProvisioningOptions
    zone: ZoneInfo
    clock: BusinessClock
    ports: VendorPorts
    seeder: SimulatorSeeder | None
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    def from_settings(cls, runtime: Runtime) -> Wiring:
        """Ports from the environment; simulators where no vendor URL is configured."""
        options = ProvisioningOptions()
        zone = ZoneInfo(runtime.platform.timezone)
        clock = BusinessClock(zone)
        ports = build_ports(
            options, production=runtime.platform.environment == "production", now=clock.now
        )
        seeder = SimulatorSeeder(ports.simulators) if ports.simulators else None
        return cls(options, zone, clock, ports, seeder)

    def worker(self, store: EventStore, name: str) -> ActionWorker:
        """An action worker over these ports."""
        return ActionWorker(
            store=store,
            ports=self.ports,
            options=self.options,
            zone=self.zone,
            name=name,
            business=self.clock,
            wake=self.wake,
            stopping=self.stopping,
        )

    async def nudge(self) -> None:
        """Wake the workers: something became due (after a commit)."""
        self.wake.set()


def wiring_of(runtime: Runtime) -> Wiring:
    """The runtime's wiring, built on first use."""
    found: Wiring | None = getattr(runtime, _ATTRIBUTE, None)
    if found is None:
        found = Wiring.from_settings(runtime)
        setattr(runtime, _ATTRIBUTE, found)
    return found


async def action_workers(runtime: Runtime) -> None:
    """Background job: run the action workers until the service stops, then close the ports."""
    wiring = wiring_of(runtime)
    tasks: list[asyncio.Task[None]] = []
    try:
        if not wiring.options.worker_enabled:
            await asyncio.Event().wait()  # tests drive workers themselves
        prefix = f"{socket.gethostname()}:{os.getpid()}"
        for n in range(1, wiring.options.worker_concurrency + 1):
            worker = wiring.worker(runtime.store, f"{prefix}:{n}")
            tasks.append(asyncio.create_task(worker.run(), name=f"provisioning:worker:{n}"))
        await asyncio.gather(*tasks)
    finally:
        # Let each worker finish its round rather than cancel it inside a database call
        # (a connection cancelled mid-call is closed late, after the store is disposed).
        wiring.stopping.set()
        wiring.wake.set()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await wiring.ports.aclose()

"""The provisioning service alone on the embedded bus: publish other contexts' events, watch actions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.provisioning.vendors.simulation import Simulation
from services.provisioning.wiring import Wiring, wiring_of
from shared.bus.port import Outgoing
from shared.contracts import Contract
from shared.contracts import agreements as a
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.money import Amount
from shared.platform import EmbeddedPlatform
from shared.service import Runtime
from shared.settings import PlatformSettings

UNFINISHED = ("pending", "in_flight", "failed")

# Fast tries for tests: tiny backoffs, short vendor timeouts (a withheld answer costs 50 ms).
FAST = {
    "PROVISIONING_WORKER_POLL_SECONDS": "0.05",  # consumers wake it sooner
    "PROVISIONING_RETRY_BASE_SECONDS": "0.01",
    "PROVISIONING_RETRY_MAX_SECONDS": "0.05",
    "PROVISIONING_CALL_BASE_DELAY_SECONDS": "0.001",
    "PROVISIONING_CALL_MAX_DELAY_SECONDS": "0.01",
    "PROVISIONING_LEASE_SECONDS": "30",
    "PARTNER_CENTER_TIMEOUT_SECONDS": "0.05",
    "PLESK_TIMEOUT_SECONDS": "0.05",
    "ESET_TIMEOUT_SECONDS": "0.05",
    "SUPEROPS_TIMEOUT_SECONDS": "0.05",
    "NINJAONE_TIMEOUT_SECONDS": "0.05",
}


def fast_env(monkeypatch: pytest.MonkeyPatch, **extra: str) -> None:
    """Settings that keep the worker quick; `extra` overrides or adds."""
    for name, value in {**FAST, **extra}.items():
        monkeypatch.setenv(name, value)


@dataclass
class Provisioning:
    """A running provisioning service and its API."""

    platform: EmbeddedPlatform
    api: httpx.AsyncClient

    @property
    def runtime(self) -> Runtime:
        return self.platform.runtimes["provisioning"]

    @property
    def wiring(self) -> Wiring:
        return wiring_of(self.runtime)

    def sim(self, vendor: str) -> Simulation:
        return self.wiring.ports.simulators[vendor]

    async def publish(self, message: Contract, *, customer_id: str, on: date) -> None:
        """Put another context's event on the bus, as its relay would."""
        envelope = CloudEvent.of(
            message,
            source=f"/services/{message.context}",
            customerid=customer_id,
            businessdate=on,
            actor="test",
        )
        assert self.platform.bus is not None
        topic = f"{message.context}.events"
        await self.platform.bus.publish(
            [Outgoing(topic=topic, key=customer_id, value=envelope.to_json())]
        )
        await self.platform.settle()

    async def start_day(self, day: date) -> None:
        business = day.weekday() < 5
        await self.publish(
            DayStarted(date=day, is_business_day=business), customer_id="clock", on=day
        )

    async def subscription(
        self,
        customer_id: str,
        subscription_id: str,
        *,
        sku: str,
        kind: str,
        reference: Mapping[str, str],
        quantity: int = 1,
        on: date = date(2026, 1, 2),
    ) -> None:
        started = a.SubscriptionStarted(
            customer_id=customer_id,
            subscription_id=subscription_id,
            sku=sku,
            name=sku,
            quantity=quantity,
            billing_period="monthly",
            unit_price=Amount("95.00"),
            payment_terms_days=7,
            suspendable=True,
            service_kind=kind,
            start=on,
            vendor_reference=dict(reference),
        )
        await self.publish(started, customer_id=customer_id, on=on)

    async def actions(self, *states: str) -> list[dict[str, Any]]:
        response = await self.api.get("/actions", params={"state": list(states)})
        assert response.status_code == 200, response.text
        return list(response.json())

    async def action(self, action_id: str) -> dict[str, Any]:
        response = await self.api.get(f"/actions/{action_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    async def settle_actions(self, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until no action is pending, in flight or waiting to retry; returns them all."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await self.platform.settle()
            if not await self.actions(*UNFINISHED):
                await self.platform.settle()
                return await self.actions()
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"actions still unfinished: {await self.actions(*UNFINISHED)}")
            await asyncio.sleep(0.01)

    async def published(self, *names: str) -> list[CloudEvent]:
        """Provisioning's public events on the bus, oldest first."""
        assert self.platform.bus is not None
        events = [
            CloudEvent.from_json(delivery.value)
            for _, delivery in await self.platform.bus.read_log(limit=100_000)
            if delivery.topic == "provisioning.events"
        ]
        return [e for e in events if not names or e.event_name in names]


@asynccontextmanager
async def provisioning(var_dir: Path) -> AsyncIterator[Provisioning]:
    """The provisioning service alone, embedded (SQLite unless PROVISIONING_DATABASE_URL)."""
    settings = PlatformSettings(var_dir=var_dir, consumer_retry_backoff_seconds=0.01)
    platform = EmbeddedPlatform(settings, names=("provisioning",))
    await platform.start()
    app = platform.apps()["provisioning"]
    api = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://provisioning",
        headers={"authorization": f"Bearer {platform.admin_key}"},
    )
    try:
        yield Provisioning(platform, api)
    finally:
        await api.aclose()
        await platform.stop()

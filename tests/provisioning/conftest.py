"""Contract fixtures: each port's rules run against the simulator (real client) and the fake."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar, cast

import pytest

from services.provisioning.vendors.fakes import (
    FakeAntivirus,
    FakeHosting,
    FakeLicenses,
    FakeMonitoring,
    FakeVendor,
)
from services.provisioning.vendors.ports import (
    AntivirusPort,
    HostingPort,
    HostingStatus,
    LicenceSeatState,
    LicensePort,
    LicenseState,
    MonitoringPort,
    MonitoringState,
    SubscriptionStatus,
)
from services.provisioning.vendors.simulation import Simulation
from tests.provisioning import simulated

P = TypeVar("P")


@dataclass
class Harness(Generic[P]):
    """A port plus a view of what reached the vendor behind it."""

    port: P
    writes: Callable[[], list[tuple[str | None, str | None]]]  # (resource, request id) sent
    changes: Callable[[], list[str | None]]  # one entry per state change, by resource


def _of_simulation(port: P, sim: Simulation) -> Harness[P]:
    return Harness(
        port,
        writes=lambda: [(r.resource, r.request_id) for r in sim.calls.writes()],
        changes=lambda: [r.resource for r in sim.calls.changes()],
    )


def _of_fake(fake: FakeVendor, port: P) -> Harness[P]:
    return Harness(
        port,
        writes=lambda: [(w.resource, w.request_id) for w in fake.writes],
        changes=lambda: [w.resource for w in fake.writes],
    )


@dataclass(frozen=True)
class Sub:
    """A subscription to seed, in port terms."""

    status: str = "active"
    auto_renew: bool = True
    cancellable_until: datetime | None = None
    commitment_end: date = date(2027, 1, 31)


LicenceSeed = Mapping[tuple[str, str], Sub]


def _state(subscription_id: str, sub: Sub) -> LicenseState:
    return LicenseState(
        subscription_id=subscription_id,
        status=cast(SubscriptionStatus, sub.status),
        auto_renew_enabled=sub.auto_renew,
        quantity=1,
        cancellation_allowed_until=sub.cancellable_until,
        commitment_end_date=sub.commitment_end,
    )


@pytest.fixture(params=["simulator", "fake"])
async def licences(
    request: pytest.FixtureRequest,
) -> AsyncIterator[Callable[[LicenceSeed], Harness[LicensePort]]]:
    opened: list[simulated.Simulated[Any, Any]] = []

    def make(seed: LicenceSeed) -> Harness[LicensePort]:
        if request.param == "fake":
            fake = FakeLicenses({k: _state(k[1], s) for k, s in seed.items()}, now=simulated.now)
            return _of_fake(fake, fake)
        nested: dict[str, dict[str, Any]] = {}
        for (tenant, subscription), sub in seed.items():
            nested.setdefault(tenant, {})[subscription] = {
                "status": sub.status,
                "autoRenewEnabled": sub.auto_renew,
                "cancellationAllowedUntilDate": (
                    sub.cancellable_until.isoformat() if sub.cancellable_until else None
                ),
                "commitmentEndDate": f"{sub.commitment_end.isoformat()}T00:00:00Z",
            }
        built = simulated.partner_center(nested)
        opened.append(built)
        return _of_simulation(built.client, built.sim)

    yield make
    for built in opened:
        await built.aclose()


@pytest.fixture(params=["simulator", "fake"])
async def hosting(
    request: pytest.FixtureRequest,
) -> AsyncIterator[Callable[[Mapping[str, HostingStatus]], Harness[HostingPort]]]:
    opened: list[simulated.Simulated[Any, Any]] = []

    def make(domains: Mapping[str, HostingStatus]) -> Harness[HostingPort]:
        if request.param == "fake":
            fake = FakeHosting(domains)
            return _of_fake(fake, fake)
        built = simulated.plesk(domains)
        opened.append(built)
        return _of_simulation(built.client, built.sim)

    yield make
    for built in opened:
        await built.aclose()


AntivirusSeed = Mapping[str, tuple[str, LicenceSeatState]]  # licence key -> (company, state)


@pytest.fixture(params=["simulator", "fake"])
async def antivirus(
    request: pytest.FixtureRequest,
) -> AsyncIterator[Callable[[AntivirusSeed], Harness[AntivirusPort]]]:
    opened: list[simulated.Simulated[Any, Any]] = []

    def make(licences: AntivirusSeed) -> Harness[AntivirusPort]:
        if request.param == "fake":
            fake = FakeAntivirus(licences)
            return _of_fake(fake, fake)
        seed = {
            "licenses": {
                key: {"company": company, "state": state}
                for key, (company, state) in licences.items()
            }
        }
        built = simulated.eset(seed)
        opened.append(built)
        return _of_simulation(built.client, built.sim)

    yield make
    for built in opened:
        await built.aclose()


NINJA_STATES = {"monitored": ["monitored"] * 2, "paused": ["maintenance"] * 2, "removed": []}
SUPEROPS_STATES = {"monitored": "Active", "paused": "Inactive", "removed": "Archived"}


@pytest.fixture(params=["superops", "ninjaone", "fake"])
async def monitoring(
    request: pytest.FixtureRequest,
) -> AsyncIterator[Callable[[Mapping[str, MonitoringState]], Harness[MonitoringPort]]]:
    opened: list[simulated.Simulated[Any, Any]] = []

    def make(clients: Mapping[str, MonitoringState]) -> Harness[MonitoringPort]:
        if request.param == "fake":
            fake = FakeMonitoring(clients)
            return _of_fake(fake, fake)
        built: simulated.Simulated[Any, Any]
        if request.param == "superops":
            built = simulated.superops({c: SUPEROPS_STATES[s] for c, s in clients.items()})
        else:
            # Each client is an organization with two devices (ids 10 * org + 1, + 2).
            built = simulated.ninjaone(
                {
                    client: {
                        10 * int(client) + i: device
                        for i, device in enumerate(NINJA_STATES[state], start=1)
                    }
                    for client, state in clients.items()
                }
            )
        opened.append(built)
        return _of_simulation(built.client, built.sim)

    yield make
    for built in opened:
        await built.aclose()

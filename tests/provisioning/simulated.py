"""Real vendor clients wired to in-process simulators through httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import httpx

from services.provisioning.vendors.eset import EsetAntivirus, EsetSettings, EsetSimulation
from services.provisioning.vendors.ninjaone import (
    NinjaOneMonitoring,
    NinjaOneSettings,
    NinjaOneSimulation,
)
from services.provisioning.vendors.partner_center import (
    PartnerCenterLicenses,
    PartnerCenterSettings,
    PartnerCenterSimulation,
)
from services.provisioning.vendors.plesk import PleskHosting, PleskSettings, PleskSimulation
from services.provisioning.vendors.simulation import FaultPlan, Simulation
from services.provisioning.vendors.superops import (
    SuperOpsMonitoring,
    SuperOpsSettings,
    SuperOpsSimulation,
)

# Tue 10 Mar 2026: the day Safe IT closes services permanently in DOMAIN.md's worked example.
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TIMEOUT = 1.0  # generous: contract tests never wait for it
FAST_TIMEOUT = 0.05  # fault tests: a withheld response costs this much

P = TypeVar("P")
S = TypeVar("S", bound=Simulation)
Wrap = Callable[[httpx.AsyncBaseTransport], httpx.AsyncBaseTransport]


def now() -> datetime:
    return NOW


@dataclass
class Simulated(Generic[P, S]):
    """A client, the simulator behind it, and the HTTP session joining them."""

    client: P
    sim: S
    http: httpx.AsyncClient

    async def aclose(self) -> None:
        await self.http.aclose()


def _session(sim: Simulation, wrap: Wrap | None) -> httpx.AsyncClient:
    transport: httpx.AsyncBaseTransport = httpx.ASGITransport(app=sim.app())
    return httpx.AsyncClient(transport=wrap(transport) if wrap else transport)


def partner_center(
    seed: Mapping[str, Any],
    *,
    faults: FaultPlan | None = None,
    timeout: float = TIMEOUT,
    client_secret: str = "sim-secret",
    wrap: Wrap | None = None,
) -> Simulated[PartnerCenterLicenses, PartnerCenterSimulation]:
    sim = PartnerCenterSimulation(seed, faults=faults, now=now)
    settings = PartnerCenterSettings(
        base_url="http://partner-center.sim/v1",
        token_url="http://partner-center.sim/partner-tenant/oauth2/v2.0/token",
        client_id="sim-client",
        client_secret=client_secret,
        timeout_seconds=timeout,
    )
    http = _session(sim, wrap)
    return Simulated(PartnerCenterLicenses(settings, http=http, now=now), sim, http)


def plesk(
    seed: Mapping[str, Any],
    *,
    faults: FaultPlan | None = None,
    timeout: float = TIMEOUT,
    api_key: str = "sim-plesk-key",
    wrap: Wrap | None = None,
) -> Simulated[PleskHosting, PleskSimulation]:
    sim = PleskSimulation(seed, faults=faults)
    settings = PleskSettings(
        base_url="http://plesk.sim/api/v2", api_key=api_key, timeout_seconds=timeout
    )
    http = _session(sim, wrap)
    return Simulated(PleskHosting(settings, http=http), sim, http)


def eset(
    seed: Mapping[str, Any],
    *,
    faults: FaultPlan | None = None,
    timeout: float = TIMEOUT,
    password: str = "sim-password",
    wrap: Wrap | None = None,
) -> Simulated[EsetAntivirus, EsetSimulation]:
    sim = EsetSimulation(seed, faults=faults)
    settings = EsetSettings(
        base_url="http://eset.sim/api",
        username="sim-user",
        password=password,
        timeout_seconds=timeout,
    )
    http = _session(sim, wrap)
    return Simulated(EsetAntivirus(settings, http=http), sim, http)


def superops(
    seed: Mapping[str, Any],
    *,
    faults: FaultPlan | None = None,
    timeout: float = TIMEOUT,
    api_token: str = "sim-superops-token",
    wrap: Wrap | None = None,
    **settings_fields: Any,
) -> Simulated[SuperOpsMonitoring, SuperOpsSimulation]:
    sim = SuperOpsSimulation(seed, faults=faults)
    settings = SuperOpsSettings(
        url="http://superops.sim/msp",
        api_token=api_token,
        customer_subdomain="sim-msp",
        timeout_seconds=timeout,
        **settings_fields,
    )
    http = _session(sim, wrap)
    return Simulated(SuperOpsMonitoring(settings, http=http), sim, http)


def ninjaone(
    seed: Mapping[str, Any],
    *,
    faults: FaultPlan | None = None,
    timeout: float = TIMEOUT,
    client_secret: str = "sim-ninja-secret",
    wrap: Wrap | None = None,
) -> Simulated[NinjaOneMonitoring, NinjaOneSimulation]:
    sim = NinjaOneSimulation(seed, faults=faults)
    settings = NinjaOneSettings(
        base_url="http://ninjaone.sim",
        client_id="sim-ninja-client",
        client_secret=client_secret,
        timeout_seconds=timeout,
        page_size=2,  # small pages, so paging is exercised
    )
    http = _session(sim, wrap)
    return Simulated(NinjaOneMonitoring(settings, http=http, now=now), sim, http)


class RecordingTransport(httpx.AsyncBaseTransport):
    """Passes requests through and remembers them; `before` / `after` may meddle (or raise)."""

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        before: Callable[[httpx.Request], None] | None = None,
        after: Callable[[httpx.Request, httpx.Response], None] | None = None,
    ) -> None:
        self.inner = inner
        self.before = before
        self.after = after
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.before:
            self.before(request)
        response = await self.inner.handle_async_request(request)
        if self.after:
            self.after(request, response)
        return response

    def paths(self, method: str | None = None) -> list[str]:
        return [r.url.path for r in self.requests if method is None or r.method == method]


def recording(
    build: Callable[..., Simulated[P, S]],
    seed: Mapping[str, Any],
    *,
    before: Callable[[httpx.Request], None] | None = None,
    after: Callable[[httpx.Request, httpx.Response], None] | None = None,
    **options: Any,
) -> tuple[Simulated[P, S], RecordingTransport]:
    """A simulated client whose every request is also kept on a RecordingTransport."""
    wires: list[RecordingTransport] = []

    def wrap(inner: httpx.AsyncBaseTransport) -> httpx.AsyncBaseTransport:
        wires.append(RecordingTransport(inner, before, after))
        return wires[0]

    built = build(seed, wrap=wrap, **options)
    return built, wires[0]


def sent_json(request: httpx.Request) -> Any:
    """The JSON body a request carried."""
    return httpx.Response(200, content=request.content).json()

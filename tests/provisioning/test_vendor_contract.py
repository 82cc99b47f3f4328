"""Rules every vendor adapter keeps, checked against each simulator through the real client."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.provisioning.vendors import VendorError, WriteOutcome, call_with_retries
from services.provisioning.vendors.simulation import FaultPlan
from services.provisioning.vendors.simulators import simulator_apps
from tests.provisioning import simulated
from tests.provisioning.simulated import FAST_TIMEOUT, Simulated


@dataclass(frozen=True)
class Case:
    """How to seed `n` resources at one vendor, suspend one, and check it."""

    build: Callable[..., Simulated[Any, Any]]
    seed: Callable[[int], dict[str, Any]]
    resources: Callable[[int], list[str]]
    suspend: Callable[[Any, str, str], Awaitable[WriteOutcome]]
    suspended: Callable[[Any, str], Awaitable[bool]]
    logged_as: Callable[[str], list[str]]  # the call-log resources one resource maps to


async def _pc_suspended(client: Any, sub: str) -> bool:
    return bool((await client.get("tenant", sub)).status == "suspended")


CASES = {
    "partner_center": Case(
        simulated.partner_center,
        lambda n: {"tenant": {f"sub-{i}": {} for i in range(n)}},
        lambda n: [f"sub-{i}" for i in range(n)],
        lambda c, r, rid: c.suspend("tenant", r, request_id=rid),
        _pc_suspended,
        lambda r: [f"tenant/{r}"],
    ),
    "plesk": Case(
        simulated.plesk,
        lambda n: {f"kunde-{i}.dk": "active" for i in range(n)},
        lambda n: [f"kunde-{i}.dk" for i in range(n)],
        lambda c, r, rid: c.suspend(r, request_id=rid),
        lambda c, r: _eq(c.status(r), "suspended"),
        lambda r: [r],
    ),
    "eset": Case(
        simulated.eset,
        lambda n: {"licenses": {f"{i:03d}-AAA-BBB": {"company": f"c{i}"} for i in range(n)}},
        lambda n: [f"{i:03d}-AAA-BBB" for i in range(n)],
        lambda c, r, rid: c.suspend(r, request_id=rid),
        lambda c, r: _eq(c.licence_state(r), "suspended"),
        lambda r: [r],
    ),
    "superops": Case(
        simulated.superops,
        lambda n: {str(i): "Active" for i in range(1, n + 1)},
        lambda n: [str(i) for i in range(1, n + 1)],
        lambda c, r, rid: c.pause_monitoring(r, request_id=rid),
        lambda c, r: _eq(c.monitoring_state(r), "paused"),
        lambda r: [r],
    ),
    "ninjaone": Case(
        simulated.ninjaone,
        # Two devices per organization: 60 devices for 30 organizations.
        lambda n: {str(o): [10 * o + 1, 10 * o + 2] for o in range(1, n // 2 + 1)},
        lambda n: [str(o) for o in range(1, n // 2 + 1)],
        lambda c, r, rid: c.pause_monitoring(r, request_id=rid),
        lambda c, r: _eq(c.monitoring_state(r), "paused"),
        lambda r: [f"device/{10 * int(r) + 1}", f"device/{10 * int(r) + 2}"],
    ),
}
VENDORS = sorted(CASES)


async def _eq(value: Awaitable[object], expected: object) -> bool:
    return await value == expected


@pytest.mark.parametrize("vendor", VENDORS)
async def test_with_thirty_percent_faults_every_suspend_lands_exactly_once(vendor: str) -> None:
    case, n = CASES[vendor], 60
    faults = FaultPlan.at(0.30, seed=2026, timeout_seconds=5.0)
    if vendor == "partner_center":
        faults = faults.model_copy(update={"stale_etag_rate": 0.1})
    built = case.build(case.seed(n), faults=faults, timeout=FAST_TIMEOUT)
    seen: Counter[object] = Counter()

    async def no_wait(seconds: float) -> None:
        seen["waited"] += 1

    async def suspend(resource: str) -> WriteOutcome:
        async def attempt() -> WriteOutcome:
            try:
                return await case.suspend(built.client, resource, f"dun-2026-{resource}")
            except VendorError as error:
                seen[error.status or error.code] += 1
                raise

        return await call_with_retries(
            attempt,
            attempts=100,
            base_delay=0.01,
            max_delay=1.0,
            sleep=no_wait,
            rng=random.Random(7),
        )

    outcomes = await asyncio.gather(*(suspend(r) for r in case.resources(n)))

    built.sim.set_faults(FaultPlan())  # calm, to read the result back
    assert set(outcomes) <= {WriteOutcome.CHANGED, WriteOutcome.ALREADY}
    for resource in case.resources(n):
        assert await case.suspended(built.client, resource), resource
        for logged in case.logged_as(resource):
            assert len(built.sim.calls.changes(logged)) == 1, (
                logged,
                built.sim.calls.writes(logged),
            )
    # The faults really happened, including writes that landed while the answer was lost.
    assert seen[503] and seen[429] and seen["timeout"]
    assert any(record.fault == "timeout" for record in built.sim.calls.changes())
    await built.aclose()


@pytest.mark.parametrize("vendor", VENDORS)
@pytest.mark.parametrize(
    ("fault", "status", "retry_after"),
    [
        (FaultPlan(error_rate=1.0), 503, None),
        (FaultPlan(throttle_rate=1.0, retry_after_seconds=7), 429, 7.0),
        (FaultPlan(timeout_rate=1.0, timeout_seconds=5.0), None, None),
    ],
    ids=["5xx", "429", "timeout"],
)
async def test_5xx_429_and_timeouts_arrive_as_retryable_vendor_errors(
    vendor: str, fault: FaultPlan, status: int | None, retry_after: float | None
) -> None:
    case = CASES[vendor]
    built = case.build(case.seed(2), faults=fault, timeout=FAST_TIMEOUT)

    with pytest.raises(VendorError) as failed:
        await case.suspend(built.client, case.resources(2)[0], "dun-2026-1")

    error = failed.value
    assert (error.vendor, error.status, error.retryable) == (vendor, status, True)
    assert error.retry_after == retry_after
    await built.aclose()


SECRET = "S3cr3t-do-not-leak-4f9a"
ACCESS_TOKEN = "access-tok-0d1e-never-shown"


def _with_secret(vendor: str, wrap: simulated.Wrap | None = None) -> Simulated[Any, Any]:
    case = CASES[vendor]
    secret_argument = {
        "partner_center": "client_secret",
        "plesk": "api_key",
        "eset": "password",
        "superops": "api_token",
        "ninjaone": "client_secret",
    }[vendor]
    return case.build(case.seed(2), wrap=wrap, **{secret_argument: SECRET})


class EchoingVendor(httpx.AsyncBaseTransport):
    """A hostile vendor: grants tokens, then answers every call with the request echoed back."""

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/token"):
            return httpx.Response(200, json={"access_token": ACCESS_TOKEN, "expires_in": 3600})
        if path.endswith("/Token/Get"):
            return httpx.Response(200, json={"accessToken": ACCESS_TOKEN, "refreshToken": "r"})
        echo = f"{dict(request.headers)} {(await request.aread()).decode()}"
        body = {
            "code": "echo",
            "description": echo,
            "message": echo,
            "errorMessage": echo,
            "errors": [{"message": echo}],
        }
        return httpx.Response(400, json=body)


@pytest.mark.parametrize("vendor", VENDORS)
async def test_credentials_never_appear_in_errors_or_logs(
    vendor: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    refused = _with_secret(vendor)  # the simulator does not know this secret
    echoed = _with_secret(vendor, wrap=lambda _: EchoingVendor())

    for built in (refused, echoed):
        case = CASES[vendor]
        with pytest.raises(VendorError) as failed:
            await case.suspend(built.client, case.resources(2)[0], "dun-2026-1")
        shown = [str(failed.value), repr(failed.value), repr(built.client), caplog.text]
        assert not [text for text in shown if SECRET in text or ACCESS_TOKEN in text]
        await built.aclose()
    assert "***" in str(failed.value)  # the echo was blanked, not dropped


def test_simulator_apps_serve_every_vendor() -> None:
    apps = simulator_apps({"plesk": {"kunde.dk": "active"}})

    assert sorted(apps) == VENDORS
    assert apps["plesk"].state.simulation.snapshot() == {"domains": {"kunde.dk": "active"}}

"""Partner Center specifics: read-before-write, etags, MS-RequestId, tokens, error envelopes."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from services.provisioning.vendors import VendorError, WriteOutcome, call_with_retries
from services.provisioning.vendors.partner_center import (
    PartnerCenterLicenses,
    PartnerCenterSettings,
    PartnerCenterSimulation,
    ms_request_id,
)
from services.provisioning.vendors.simulation import FaultPlan
from tests.provisioning import simulated
from tests.provisioning.simulated import RecordingTransport, recording, sent_json

TENANT = "8f1c2b44-0d3e-4a51-9c2e-7a1d5e3b9f01"
SUB = "5d7e0c9a-2b1f-4c3d-8e6f-a1b2c3d4e5f6"
RESOURCE = f"{TENANT}/{SUB}"


async def no_wait(seconds: float) -> None:
    return None


def recorded(
    before: Any = None, after: Any = None
) -> tuple[simulated.Simulated[PartnerCenterLicenses, PartnerCenterSimulation], RecordingTransport]:
    seed: dict[str, Any] = {TENANT: {SUB: {}}}
    return recording(simulated.partner_center, seed, before=before, after=after)


async def test_suspending_patches_the_whole_subscription_with_the_etag_it_read() -> None:
    built, wire = recorded()
    etag = built.sim.subscriptions[(TENANT, SUB)]["attributes"]["etag"]

    await built.client.suspend(TENANT, SUB, request_id="dun-0042-suspend")

    (patch,) = [r for r in wire.requests if r.method == "PATCH"]
    body = sent_json(patch)
    assert body["status"] == "suspended"
    assert {"id", "offerId", "quantity", "autoRenewEnabled", "attributes"} <= set(body)
    assert patch.headers["If-Match"] == etag
    assert patch.headers["MS-RequestId"] == ms_request_id("dun-0042-suspend", etag)
    assert wire.paths("GET")[-1] == f"/v1/customers/{TENANT}/subscriptions/{SUB}"


async def test_a_stale_etag_is_refused_by_partner_center_and_the_client_rereads() -> None:
    sims: list[Any] = []

    def another_writer_first(request: httpx.Request) -> None:
        if request.method == "PATCH" and not sims[1:]:
            sims.append("written")
            sims[0].touch(TENANT, SUB)  # someone else changed it after our read

    built, wire = recorded(another_writer_first)
    sims.insert(0, built.sim)

    outcome = await built.client.suspend(TENANT, SUB, request_id="dun-0042-suspend")

    assert outcome is WriteOutcome.CHANGED
    assert [c.status_code for c in built.sim.calls.writes(RESOURCE)] == [412, 200]
    assert len(built.sim.calls.changes(RESOURCE)) == 1
    assert len(wire.paths("GET")) == 2  # read, then read again after the 412
    first, second = [r.headers["MS-RequestId"] for r in wire.requests if r.method == "PATCH"]
    assert first != second  # Partner Center wants a fresh id after any answer


async def test_after_stale_etags_on_every_try_the_412_is_given_back_as_retryable() -> None:
    built = simulated.partner_center({TENANT: {SUB: {}}}, faults=FaultPlan(stale_etag_rate=1.0))

    with pytest.raises(VendorError) as stale:
        await built.client.suspend(TENANT, SUB, request_id="dun-0042-suspend")

    assert (stale.value.status, stale.value.retryable) == (412, True)
    assert len(built.sim.calls.writes(RESOURCE)) == 4  # the first try and three re-reads
    assert built.sim.calls.changes() == []


async def test_a_retry_after_a_timeout_sends_the_same_ms_request_id() -> None:
    dropped: list[str] = []

    def lose_first_patch(request: httpx.Request) -> None:
        if request.method == "PATCH" and not dropped:
            dropped.append(request.headers["MS-RequestId"])
            raise httpx.ReadTimeout("no answer", request=request)

    built, wire = recorded(lose_first_patch)

    outcome = await call_with_retries(
        lambda: built.client.suspend(TENANT, SUB, request_id="dun-0042-suspend"),
        attempts=3,
        base_delay=0.01,
        max_delay=0.1,
        sleep=no_wait,
    )

    assert outcome is WriteOutcome.CHANGED
    sent = [r.headers["MS-RequestId"] for r in wire.requests if r.method == "PATCH"]
    assert sent == [dropped[0], dropped[0]]


async def test_a_write_whose_answer_was_lost_is_not_written_again() -> None:
    lost: list[str] = []

    def lose_first_patch_answer(request: httpx.Request, response: httpx.Response) -> None:
        if request.method == "PATCH" and not lost:
            lost.append(request.headers["MS-RequestId"])
            raise httpx.ReadTimeout("the answer never came", request=request)

    built, wire = recorded(after=lose_first_patch_answer)

    outcome = await call_with_retries(
        lambda: built.client.suspend(TENANT, SUB, request_id="dun-0042-suspend"),
        attempts=3,
        base_delay=0.01,
        max_delay=0.1,
        sleep=no_wait,
    )

    assert outcome is WriteOutcome.ALREADY  # the retry read "suspended" and wrote nothing
    assert len(wire.paths("PATCH")) == 1
    assert len(built.sim.calls.changes(RESOURCE)) == 1


async def test_an_expired_token_is_replaced_and_the_call_goes_through() -> None:
    built, wire = recorded()
    await built.client.get(TENANT, SUB)
    built.sim.expire_tokens()

    state = await built.client.get(TENANT, SUB)

    assert state.status == "active"
    assert len([p for p in wire.paths("POST") if p.endswith("/token")]) == 2


async def test_partner_center_errors_arrive_as_vendor_errors_with_code_and_description() -> None:
    built = simulated.partner_center({TENANT: {SUB: {"status": "deleted"}}})

    with pytest.raises(VendorError) as refused:
        await built.client.reactivate(TENANT, SUB, request_id="dun-0042-restore")

    error = refused.value
    assert (error.vendor, error.status, error.code, error.retryable) == (
        "partner_center",
        400,
        "3000",
        False,
    )
    assert error.message == "A cancelled subscription cannot be changed."


async def test_throttling_carries_the_retry_after_and_a_numeric_code_is_kept() -> None:
    def partner_center(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/token"):
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        body = {"code": 3000, "description": "Too many requests", "data": [], "source": "PartnerFD"}
        return httpx.Response(429, json=body, headers={"Retry-After": "7"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(partner_center))
    client = PartnerCenterLicenses(PartnerCenterSettings(token_url="http://login/token"), http=http)

    with pytest.raises(VendorError) as throttled:
        await client.get(TENANT, SUB)

    assert (throttled.value.status, throttled.value.code) == (429, "3000")
    assert (throttled.value.retryable, throttled.value.retry_after) == (True, 7.0)


async def test_the_simulator_refuses_a_cancellation_after_the_window() -> None:
    built = simulated.partner_center({TENANT: {SUB: {}}})
    token = built.sim.issue_token()
    url = f"http://partner-center.sim/v1/customers/{TENANT}/subscriptions/{SUB}"

    response = await built.http.patch(
        url, json={"status": "deleted"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 400
    assert response.json()["source"] == "PartnerFD"
    assert built.sim.subscriptions[(TENANT, SUB)]["status"] == "active"


def test_the_ms_request_id_is_a_guid_fixed_by_the_callers_id_and_the_etag() -> None:
    first = ms_request_id("dun-0042-suspend", "etag-1")

    assert uuid.UUID(first).version == 5
    assert ms_request_id("dun-0042-suspend", "etag-1") == first
    assert ms_request_id("dun-0042-suspend", "etag-2") != first
    assert ms_request_id("dun-0043-suspend", "etag-1") != first

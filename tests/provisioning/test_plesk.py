"""Plesk specifics: the API key, the request id, error envelopes, deletion."""

from __future__ import annotations

import pytest

from services.provisioning.vendors import VendorError
from tests.provisioning import simulated
from tests.provisioning.simulated import recording

SITE = "bageriet-hansen.dk"


async def test_plesk_errors_arrive_as_vendor_errors_with_code_and_message() -> None:
    built = simulated.plesk({SITE: "active"}, api_key="not-the-key")

    with pytest.raises(VendorError) as refused:
        await built.client.suspend(SITE, request_id="dun-0042-suspend")

    error = refused.value
    assert (error.vendor, error.status, error.code) == ("plesk", 401, "1001")
    assert (error.message, error.retryable) == ("Authentication failed.", False)


async def test_a_status_plesk_does_not_know_is_refused_with_its_code_and_message() -> None:
    built = simulated.plesk({SITE: "active"})

    response = await built.http.put(
        "http://plesk.sim/api/v2/domains/1/status",
        json={"status": "paused"},
        headers={"X-API-Key": "sim-plesk-key"},
    )

    assert response.status_code == 400
    assert response.json() == {"code": 1019, "message": "Invalid status 'paused'."}


async def test_every_write_carries_the_api_key_and_the_callers_request_id() -> None:
    built, wire = recording(simulated.plesk, {SITE: "active"})

    await built.client.suspend(SITE, request_id="dun-0042-suspend")

    (put,) = [r for r in wire.requests if r.method == "PUT"]
    assert put.url.path == "/api/v2/domains/1/status"
    assert put.headers["X-API-Key"] == "sim-plesk-key"
    assert put.headers["X-Request-Id"] == "dun-0042-suspend"
    assert all("X-Request-Id" not in r.headers for r in wire.requests if r.method == "GET")


async def test_a_deleted_domain_leaves_the_api_but_stays_in_the_simulators_state() -> None:
    built = simulated.plesk({SITE: "suspended"})

    await built.client.delete(SITE, request_id="dun-0042-delete")

    listed = await built.http.get(
        "http://plesk.sim/api/v2/domains", headers={"X-API-Key": "sim-plesk-key"}
    )
    assert listed.json() == []
    assert built.sim.snapshot() == {"domains": {SITE: "deleted"}}

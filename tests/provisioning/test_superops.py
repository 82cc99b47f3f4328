"""SuperOps specifics: headers, GraphQL errors, the configurable (unverified) operations."""

from __future__ import annotations

import httpx
import pytest

from services.provisioning.vendors import VendorError
from services.provisioning.vendors.superops import SuperOpsMonitoring, SuperOpsSettings
from tests.provisioning import simulated
from tests.provisioning.simulated import recording, sent_json


async def test_graphql_errors_arrive_as_vendor_errors_with_code_and_message() -> None:
    built = simulated.superops({"41": "Active"})

    with pytest.raises(VendorError) as missing:
        await built.client.pause_monitoring("99", request_id="r")

    error = missing.value
    assert (error.status, error.code, error.message) == (200, "NOT_FOUND", "Client 99 not found")
    assert not error.retryable


async def test_a_wrong_subdomain_is_refused_and_not_retried() -> None:
    built = simulated.superops({"41": "Active"})
    sim_app = built.sim.app()
    settings = SuperOpsSettings(
        url="http://superops.sim/msp", api_token="sim-superops-token", customer_subdomain="other"
    )
    client = SuperOpsMonitoring(
        settings, http=httpx.AsyncClient(transport=httpx.ASGITransport(app=sim_app))
    )

    with pytest.raises(VendorError) as refused:
        await client.monitoring_state("41")

    assert (refused.value.status, refused.value.code, refused.value.retryable) == (
        401,
        "UNAUTHENTICATED",
        False,
    )


async def test_a_rate_limit_inside_a_200_answer_is_retryable() -> None:
    def busy(request: httpx.Request) -> httpx.Response:
        body = {"errors": [{"message": "slow down", "extensions": {"code": "RATE_LIMITED"}}]}
        return httpx.Response(200, json=body)

    client = SuperOpsMonitoring(
        SuperOpsSettings(), http=httpx.AsyncClient(transport=httpx.MockTransport(busy))
    )

    with pytest.raises(VendorError) as throttled:
        await client.monitoring_state("41")

    assert (throttled.value.code, throttled.value.retryable) == ("RATE_LIMITED", True)


async def test_the_graphql_operations_come_from_settings() -> None:
    mutation = (
        "mutation pause($input: UpdateClientInput!) { updateClient(input: $input) { status } }"
    )
    built, wire = recording(simulated.superops, {"41": "Active"}, update_mutation=mutation)

    await built.client.pause_monitoring("41", request_id="dun-0042-suspend")

    assert sent_json(wire.requests[-1]) == {
        "query": mutation,
        "variables": {"input": {"accountId": "41", "status": "Inactive"}},
    }
    assert wire.requests[-1].headers["CustomerSubDomain"] == "sim-msp"
    assert wire.requests[-1].headers["X-Request-Id"] == "dun-0042-suspend"

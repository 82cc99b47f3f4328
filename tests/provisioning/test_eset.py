"""ESET specifics: documented "already" answers, maintenance, token renewal, error layouts."""

from __future__ import annotations

import httpx
import pytest

from services.provisioning.vendors import VendorError, WriteOutcome
from services.provisioning.vendors.eset import EsetAntivirus, EsetSettings
from services.provisioning.vendors.simulation import FaultPlan
from tests.provisioning import simulated
from tests.provisioning.simulated import recording

COMPANY = "0b6f7c1e-5a44-4d7b-9e0f-3c2d1a0b9e8f"
LAPTOPS = "3AB-C4D-E5F"
SEED = {"licenses": {LAPTOPS: {"company": COMPANY, "state": "normal"}}}


async def test_eset_already_suspended_is_answered_with_code_8_21_and_read_as_success() -> None:
    built = simulated.eset({"licenses": {LAPTOPS: {"company": COMPANY, "state": "suspended"}}})

    outcome = await built.client.suspend(LAPTOPS, request_id="dun-0042-suspend")

    assert outcome is WriteOutcome.ALREADY
    (answer,) = built.sim.calls.writes(LAPTOPS)
    assert (answer.status_code, answer.changed, answer.request_id) == (
        400,
        False,
        "dun-0042-suspend",
    )


async def test_eset_maintenance_is_a_retryable_vendor_error() -> None:
    built = simulated.eset(SEED, faults=FaultPlan(error_rate=1.0, error_status=503))

    with pytest.raises(VendorError) as down:
        await built.client.licence_state(LAPTOPS)

    assert (down.value.status, down.value.code, down.value.retryable) == (503, "99.2", True)


async def test_an_expired_token_is_renewed_with_the_refresh_token() -> None:
    built, wire = recording(simulated.eset, SEED)
    await built.client.licence_state(LAPTOPS)
    built.sim.expire_tokens()

    assert await built.client.licence_state(LAPTOPS) == "normal"

    token_calls = [p for p in wire.paths() if "/Token/" in p]
    assert token_calls == ["/api/Token/Get", "/api/Token/Renew"]


async def test_when_the_renewal_is_refused_the_client_logs_in_again() -> None:
    built, wire = recording(simulated.eset, SEED)
    await built.client.licence_state(LAPTOPS)
    built.sim.end_sessions()  # the 30-minute session is over

    assert await built.client.licence_state(LAPTOPS) == "normal"

    token_calls = [p for p in wire.paths() if "/Token/" in p]
    assert token_calls == ["/api/Token/Get", "/api/Token/Renew", "/api/Token/Get"]


async def test_deleting_a_company_suspends_it_before_deleting_it() -> None:
    built = simulated.eset(SEED)

    await built.client.delete_company(COMPANY, request_id="dun-0042-close")

    assert [(c.action, c.request_id, c.changed) for c in built.sim.calls.writes(COMPANY)] == [
        ("suspend_company", "dun-0042-close:suspend", True),
        ("delete_company", "dun-0042-close:delete", True),
    ]


async def test_an_error_body_nested_under_error_is_read_too() -> None:
    def ema(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/Token/Get"):
            return httpx.Response(200, json={"accessToken": "a", "refreshToken": "r"})
        nested = {"error": {"code": 8, "subCode": 21, "message": "LicenseIsAlreadySuspend"}}
        return httpx.Response(400, json=nested)

    http = httpx.AsyncClient(transport=httpx.MockTransport(ema))
    client = EsetAntivirus(EsetSettings(base_url="http://ema/api"), http=http)

    assert await client.suspend(LAPTOPS, request_id="r") is WriteOutcome.ALREADY

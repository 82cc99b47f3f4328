"""After the last try an action is dead-lettered with the vendor's error; an operator retries it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.provisioning.vendors.simulation import FaultPlan
from shared.contracts import dunning as d
from tests.provisioning.harness import Provisioning, fast_env, provisioning

CUSTOMER = "c-havnekontoret"
ON = date(2026, 2, 23)
ACTION = "sub-hosting-suspend-1"


async def hosting_ordered(running: Provisioning, domain: str) -> None:
    await running.start_day(ON)
    await running.subscription(
        CUSTOMER,
        "sub-hosting",
        sku="hosting-standard",
        kind="hosting",
        reference={"domain": domain},
    )


async def hosting_suspended(running: Provisioning) -> None:
    await running.publish(
        d.ServiceSuspended(
            customer_id=CUSTOMER,
            invoice_number=1,
            subscription_id="sub-hosting",
            sku="hosting-standard",
            service_kind="hosting",
            suspended_on=ON,
        ),
        customer_id=CUSTOMER,
        on=ON,
    )


async def test_an_action_is_dead_lettered_after_the_last_try_and_an_operator_retry_completes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_env(monkeypatch, PROVISIONING_MAX_ATTEMPTS="3")
    async with provisioning(tmp_path) as running:
        plesk = running.sim("plesk")
        plesk.set_faults(FaultPlan(error_rate=1.0))  # Plesk is down
        await hosting_ordered(running, "havnekontoret.dk")
        await hosting_suspended(running)
        await running.settle_actions()
        dead = await running.actions("dead_lettered")
        detail = await running.action(ACTION)
        failures = await running.published(
            "ProvisioningActionFailed", "ProvisioningActionDeadLettered"
        )

        plesk.set_faults(FaultPlan())  # Plesk is back
        retried = await running.api.post(f"/actions/{ACTION}/retry")
        await running.settle_actions()
        done = await running.action(ACTION)
        again = await running.api.post(f"/actions/{ACTION}/retry")
        suspended = await running.published("HostingSuspended")
        changes = [c.state for c in plesk.calls.changes("havnekontoret.dk")]
    assert [a["action_id"] for a in dead] == [ACTION]
    assert detail["last_error"] == {
        "vendor": "plesk",
        "status": 503,
        "code": "503",
        "message": "simulated outage",
        "retryable": True,
    }
    assert [(t["attempt"], t["outcome"]) for t in detail["attempt_log"]] == [
        (1, "failed"),
        (2, "failed"),
        (3, "dead_lettered"),
    ]
    assert [(e.event_name, e.data.get("attempt", e.data.get("attempts"))) for e in failures] == [
        ("ProvisioningActionFailed", 1),
        ("ProvisioningActionFailed", 2),
        ("ProvisioningActionDeadLettered", 3),
    ]
    assert failures[-1].data["error"]["message"] == "simulated outage"
    assert retried.status_code == 200, retried.text
    assert done["state"] == "done"
    assert done["attempt_log"][-1]["outcome"] == "succeeded"
    assert changes == ["suspended"]
    assert len(suspended) == 1
    assert again.status_code == 409
    assert "only a dead-lettered action can be retried" in again.json()["detail"][0]["msg"]


async def test_a_refusal_no_retry_can_help_is_dead_lettered_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_env(monkeypatch, PROVISIONING_MAX_ATTEMPTS="5")
    async with provisioning(tmp_path) as running:
        await hosting_ordered(running, "unknown-domain.dk")
        running.sim("plesk").load({})  # the domain was removed at Plesk by hand
        await hosting_suspended(running)
        await running.settle_actions()
        detail = await running.action(ACTION)
    assert detail["state"] == "dead_lettered"
    assert detail["attempts"] == 1
    assert detail["last_error"]["status"] == 404
    assert "unknown-domain.dk is not on the Plesk server" in detail["last_error"]["message"]

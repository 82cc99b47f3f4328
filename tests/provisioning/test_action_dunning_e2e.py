"""End to end through agreements, billing and dunning: the worked example reaches the vendors.

Safe IT's customer orders Microsoft 365 licences and web hosting on 2 Jan 2026, leaves the
invoices of 30 Jan unpaid, is suspended by dunning (reminder 2), pays everything on
24 Feb and is restored; 30% of the simulated vendors' answers fail along the way.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.provisioning.vendors.simulation import FaultPlan
from services.provisioning.wiring import wiring_of
from tests.e2e.platform import RunningPlatform, customer_with_agreement, embedded
from tests.provisioning.harness import UNFINISHED, fast_env

DUNNING_CONSUMER = Path(__file__).resolve().parents[2] / "services" / "dunning" / "consumer.py"
TENANT = "5b1d7e2a-0000-4000-8000-00000000c0de"
ORDERS = [
    {
        "sku": "m365-business-standard",
        "quantity": 5,
        "vendor_reference": {"tenant_id": TENANT, "vendor_subscription_id": "pc-standard"},
    },
    {
        "sku": "m365-business-basic",
        "quantity": 3,
        "vendor_reference": {"tenant_id": TENANT, "vendor_subscription_id": "pc-basic"},
    },
    {"sku": "hosting-standard", "quantity": 1, "vendor_reference": {"domain": "nordhavn.dk"}},
]

pytestmark = pytest.mark.skipif(
    not DUNNING_CONSUMER.exists(), reason="runs once services/dunning/consumer.py exists"
)


async def settle_actions(running: RunningPlatform, timeout: float = 60.0) -> list[dict[str, Any]]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await running.settle()
        unfinished = await running.call(
            "provisioning", "GET", "/actions", params={"state": list(UNFINISHED)}
        )
        if not unfinished:
            await running.settle()
            return list(await running.call("provisioning", "GET", "/actions"))
        assert asyncio.get_running_loop().time() < deadline, unfinished
        await asyncio.sleep(0.02)


async def events(running: RunningPlatform, name: str) -> list[dict[str, Any]]:
    return list(await running.call("ops", "GET", "/events", params={"name": name, "limit": 500}))


async def test_the_worked_example_suspends_and_restores_each_licence_once_at_the_vendors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_env(monkeypatch)
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-02")
        customer = await customer_with_agreement(
            running, {"name": "Nordhavn Revision ApS", "cvr": "13585628"}, *ORDERS
        )
        simulators = wiring_of(running.platform.runtimes["provisioning"]).ports.simulators
        partner_center, plesk = simulators["partner_center"], simulators["plesk"]
        seeded = partner_center.snapshot()["subscriptions"]
        for seed, sim in ((41, partner_center), (43, plesk)):
            sim.set_faults(
                FaultPlan(
                    seed=seed,
                    error_rate=0.1,
                    throttle_rate=0.1,
                    retry_after_seconds=0.01,
                    timeout_rate=0.1,
                    timeout_seconds=0.2,
                )
            )

        await running.advance_to("2026-02-23")
        suspended = await settle_actions(running)
        suspensions = await events(running, "ServiceSuspended")
        await running.advance_to("2026-02-24")
        balance = await running.call("billing", "GET", f"/customers/{customer}/balance")
        invoice = next(
            i for i in await running.call("billing", "GET", "/invoices") if i["kind"] == "run"
        )
        await running.call(
            "billing",
            "POST",
            "/payments",
            expect=201,
            json={
                "amount": str(Decimal(balance["owed"])),
                "paid_on": "2026-02-24",
                "reference": invoice["payment_id"],
            },
        )
        await settle_actions(running)
        await running.advance_to("2026-02-27")
        restored = await settle_actions(running)
        deactivated = await events(running, "LicenseDeactivated")
        reactivated = await events(running, "LicenseReactivated")
        hosting = await events(running, "HostingRestored")
        breaches = await running.call("provisioning", "GET", "/restore-breaches")
        licence_changes = {
            vendor_id: [c.state for c in partner_center.calls.changes(f"{TENANT}/{vendor_id}")]
            for vendor_id in ("pc-standard", "pc-basic")
        }
        hosting_changes = [c.state for c in plesk.calls.changes("nordhavn.dk")]
    assert set(seeded) == {f"{TENANT}/pc-standard", f"{TENANT}/pc-basic"}, "seeded as ordered"
    assert sorted((s["business_date"], s["envelope"]["data"]["sku"]) for s in suspensions) == [
        ("2026-02-16", "m365-business-basic"),
        ("2026-02-16", "m365-business-standard"),
        ("2026-02-23", "hosting-standard"),
    ], "Microsoft 365 is due 7 days after the invoice, hosting 14: reminder 2 a week apart"
    assert [a["state"] for a in suspended] == ["done"] * 3
    assert [a["state"] for a in restored] == ["done"] * 6
    assert licence_changes == {
        "pc-standard": ["suspended", "active"],
        "pc-basic": ["suspended", "active"],
    }
    assert hosting_changes == ["suspended", "active"]
    assert len(deactivated) == len(reactivated) == 2
    assert [h["envelope"]["data"]["within_promise"] for h in hosting] == [True]
    assert breaches == []

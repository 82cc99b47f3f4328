"""DOMAIN.md's worked example at the vendors, with 30% of simulator calls failing.

Safe IT's invoice of 30 Jan 2026 for Microsoft 365 licences and web hosting goes unpaid:
dunning suspends the services on Mon 23 Feb; the customer pays on Wed 25 Feb and dunning
restores them. Here dunning's contract events are put on the bus directly; the version
through the real dunning service is test_action_dunning_e2e.py.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from services.provisioning.vendors.simulation import FaultPlan
from shared.contracts import dunning as d
from shared.money import Amount
from tests.provisioning.harness import Provisioning, fast_env, provisioning

SAFE_IT_CUSTOMER = "c-safe-it-kunde"
TENANT = "3f2a8c1e-0000-4000-8000-000000000001"
LICENCES = {  # our subscription -> (SKU, Partner Center subscription id, seats)
    "sub-m365-standard": ("m365-business-standard", "pc-sub-standard", 5),
    "sub-m365-basic": ("m365-business-basic", "pc-sub-basic", 3),
}
HOSTING = ("sub-hosting", "hosting-standard", "kunde-webshop.dk")


def thirty_percent(seed: int) -> FaultPlan:
    """10% 5xx, 10% 429 (with Retry-After), 10% answers withheld after the write landed."""
    return FaultPlan(
        seed=seed,
        error_rate=0.1,
        throttle_rate=0.1,
        retry_after_seconds=0.01,
        timeout_rate=0.1,
        timeout_seconds=0.2,
    )


async def order_services(running: Provisioning) -> None:
    for subscription, (sku, vendor_id, seats) in LICENCES.items():
        await running.subscription(
            SAFE_IT_CUSTOMER,
            subscription,
            sku=sku,
            kind="m365",
            quantity=seats,
            reference={"tenant_id": TENANT, "vendor_subscription_id": vendor_id},
        )
    subscription, sku, domain = HOSTING
    await running.subscription(
        SAFE_IT_CUSTOMER, subscription, sku=sku, kind="hosting", reference={"domain": domain}
    )


def services() -> list[tuple[str, str, str]]:
    return [
        *((subscription, sku, "m365") for subscription, (sku, _, _) in LICENCES.items()),
        (HOSTING[0], HOSTING[1], "hosting"),
    ]


async def test_every_licence_is_deactivated_once_and_reactivated_once_despite_failing_vendors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast_env(monkeypatch)
    async with provisioning(tmp_path) as running:
        await running.start_day(date(2026, 1, 2))
        await order_services(running)
        partner_center, plesk = running.sim("partner_center"), running.sim("plesk")
        partner_center.set_faults(thirty_percent(seed=23))
        plesk.set_faults(thirty_percent(seed=25))

        await running.start_day(date(2026, 2, 23))
        for subscription, sku, kind in services():
            await running.publish(
                d.ServiceSuspended(
                    customer_id=SAFE_IT_CUSTOMER,
                    invoice_number=1,
                    subscription_id=subscription,
                    sku=sku,
                    service_kind=kind,
                    suspended_on=date(2026, 2, 23),
                ),
                customer_id=SAFE_IT_CUSTOMER,
                on=date(2026, 2, 23),
            )
        suspended = await running.settle_actions()
        shown = (await running.api.get("/simulators/partner_center/state")).json()
        state_after_suspension = {
            key: body["status"] for key, body in shown["subscriptions"].items()
        }
        no_simulator = await running.api.get("/simulators/managewp/state")

        await running.start_day(date(2026, 2, 25))
        for subscription, sku, kind in services():
            await running.publish(
                d.ServiceRestored(
                    customer_id=SAFE_IT_CUSTOMER,
                    invoice_number=1,
                    subscription_id=subscription,
                    sku=sku,
                    service_kind=kind,
                    restored_on=date(2026, 2, 25),
                    after_permanent_closure=False,
                    restore_within_hours=48 if kind == "hosting" else None,
                    reopening_fee=Amount("0"),
                    extra_work_hours=Amount("0"),
                ),
                customer_id=SAFE_IT_CUSTOMER,
                on=date(2026, 2, 25),
            )
        restored = await running.settle_actions()
        await running.start_day(date(2026, 2, 27))
        breaches = (await running.api.get("/restore-breaches")).json()
        events = await running.published()

    assert [a["state"] for a in suspended] == ["done"] * 3
    assert [a["state"] for a in restored] == ["done"] * 6
    assert state_after_suspension == {
        f"{TENANT}/pc-sub-standard": "suspended",
        f"{TENANT}/pc-sub-basic": "suspended",
    }, "the simulated Partner Center shows the licences suspended"
    assert no_simulator.status_code == 404
    faulted = [c for c in partner_center.calls.all() + plesk.calls.all() if c.fault]
    assert {"error", "throttle"} <= {c.fault for c in faulted}, "the faults did happen"
    for _, vendor_id, _ in LICENCES.values():
        changes = [c.state for c in partner_center.calls.changes(f"{TENANT}/{vendor_id}")]
        assert changes == ["suspended", "active"], f"{vendor_id}: deactivated once, restored once"
    assert [c.state for c in plesk.calls.changes(HOSTING[2])] == ["suspended", "active"]
    names = [e.event_name for e in events]
    assert names.count("LicenseDeactivated") == 2
    assert names.count("LicenseReactivated") == 2
    assert names.count("HostingSuspended") == names.count("HostingRestored") == 1
    hosting_back = next(e for e in events if e.event_name == "HostingRestored")
    assert hosting_back.data["within_promise"] is True
    assert hosting_back.data["restore_deadline"].startswith("2026-02-26T23:00:00")
    assert breaches == []
    assert "ProvisioningActionDeadLettered" not in names

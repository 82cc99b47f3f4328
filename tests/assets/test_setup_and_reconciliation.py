"""Device setup for billing, and devices reconciled against PC security packages."""

from __future__ import annotations

from pathlib import Path

from tests.assets.builders import event_data, laptop, register_customer
from tests.e2e.platform import RunningPlatform, embedded


async def set_up_one_device(
    running: RunningPlatform, tier: str | None, name: str
) -> list[dict[str, object]]:
    customer = await register_customer(running, tier=tier, sign=tier is not None, name=name)
    base = f"/customers/{customer.customer_id}/hardware"
    device = await running.call("assets", "POST", base, expect=201, json=laptop("PF3K9A1"))
    await running.call(
        "assets",
        "POST",
        f"{base}/{device['hardware_id']}/setups",
        expect=201,
        json={"hours_spent": "1.25"},
    )
    return await event_data(running, customer.customer_id, "DeviceSetupCompleted")


async def test_device_setup_tells_billing_the_hours_and_whether_the_tier_is_silver_or_gold(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        silver = await set_up_one_device(running, "it-agreement-silver", "Nordhavn Revision ApS")
        gold = await set_up_one_device(running, "it-agreement-gold", "Vejle Tømrer ApS")
        bronze = await set_up_one_device(running, "it-agreement-bronze", "Fjord Fisk ApS")
        none = await set_up_one_device(running, None, "Kolding Kaffe ApS")
    rated = [(e[0]["agreement_tier"], e[0]["silver_or_gold"]) for e in (silver, gold, bronze, none)]
    assert rated == [
        ("it-agreement-silver", True),
        ("it-agreement-gold", True),
        ("it-agreement-bronze", False),
        (None, False),
    ]
    assert silver[0]["hours_spent"] == "1.25"
    assert silver[0]["completed_on"] == "2026-03-02"
    assert silver[0]["serial"] == "PF3K9A1"


async def test_reconciliation_shows_devices_without_a_package_and_packages_without_a_device(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running, tier="it-agreement-bronze")
        agreement = f"/customers/{customer.customer_id}/agreement/subscriptions"
        packages = await running.call(
            "agreements", "POST", agreement, expect=201, json={"sku": "pc-security", "quantity": 2}
        )
        base = f"/customers/{customer.customer_id}/hardware"
        devices = []
        for n in range(1, 7):
            kind = "desktop" if n == 6 else "laptop"
            created = await running.call(
                "assets", "POST", base, expect=201, json=laptop(f"PC{n}", product_type=kind)
            )
            devices.append(created["hardware_id"])
        await running.call(
            "assets",
            "POST",
            base,
            expect=201,
            json={**laptop("SCREEN1"), "product_type": "monitor", "name": "Dell P2723DE"},
        )
        old = await running.call("assets", "POST", base, expect=201, json=laptop("OLD1"))
        await running.call(
            "assets", "POST", f"{base}/{old['hardware_id']}/retire", json={"reason": "Stjålet"}
        )
        short = await running.call(
            "assets", "GET", f"/customers/{customer.customer_id}/reconciliation"
        )
        await running.call(
            "agreements",
            "PATCH",
            f"{agreement}/{packages['subscription_id']}",
            json={"quantity": 4},
        )
        surplus = await running.call(
            "assets", "GET", f"/customers/{customer.customer_id}/reconciliation"
        )
    assert (short["devices"], short["packages"]) == (6, 5), (
        "3 in Bronze + 2 subscribed; no monitor, no retired"
    )
    assert [d["serial"] for d in short["devices_without_package"]] == ["PC6"]
    assert short["packages_without_device"] == []
    assert [(s["source"], s["quantity"]) for s in short["sources"]] == [
        ("included in it-agreement-bronze", 3),
        ("pc-security subscription", 2),
    ]
    assert "included_pc_security" in short["example_fields"], "Bronze's 3 is an example value"
    assert (surplus["devices"], surplus["packages"]) == (6, 7)
    assert surplus["devices_without_package"] == []
    assert surplus["packages_without_device"] == [
        {
            "source": "pc-security subscription",
            "subscription_id": packages["subscription_id"],
            "quantity": 4,
            "unused": 1,
        }
    ]


async def test_warranty_expiring_is_raised_once_thirty_days_before_the_end(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        customer = await register_customer(running)
        base = f"/customers/{customer.customer_id}/hardware"
        expiring = await running.call(
            "assets", "POST", base, expect=201, json=laptop("PF1", purchase_date="2025-04-15")
        )
        stolen = await running.call(
            "assets", "POST", base, expect=201, json=laptop("PF2", purchase_date="2025-04-15")
        )
        await running.call(
            "assets", "POST", f"{base}/{stolen['hardware_id']}/retire", json={"reason": "Stjålet"}
        )
        await running.advance_to("2026-03-15")
        day_before = await event_data(running, customer.customer_id, "WarrantyExpiring")
        await running.advance_to("2026-03-16")
        on_the_day = await event_data(running, customer.customer_id, "WarrantyExpiring")
        await running.advance_to("2026-04-20")
        later = await event_data(running, customer.customer_id, "WarrantyExpiring")
        device = await running.call("assets", "GET", f"{base}/{expiring['hardware_id']}")
    assert expiring["warranty_end"] == "2026-04-15"
    assert day_before == []
    assert [(e["serial"], e["days_left"], e["noticed_on"]) for e in on_the_day] == [
        ("PF1", 30, "2026-03-16")
    ]
    assert len(later) == 1, "once per item"
    assert device["warranty_noticed_on"] == "2026-03-16"

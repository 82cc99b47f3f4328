"""Agreements over HTTP: what a finance person sees when signing, ordering and cancelling."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.e2e.platform import RunningPlatform, embedded

NORDHAVN = {
    "name": "Nordhavn Revision ApS",
    "cvr": "13585628",
    "finance_email": "bogholderi@nordhavn.dk",
}


async def register(running: RunningPlatform, **extra: Any) -> str:
    created = await running.call(
        "agreements", "POST", "/customers", expect=201, json={**NORDHAVN, **extra}
    )
    return str(created["customer_id"])


async def event_names(running: RunningPlatform, customer_id: str) -> list[str]:
    log = await running.call(
        "ops", "GET", "/events", params={"customer_id": customer_id, "context": "agreements"}
    )
    return [e["name"] for e in reversed(log)]


def refusal(body: dict[str, Any]) -> tuple[list[str], str]:
    detail = body["detail"][0]
    return [str(part) for part in detail["loc"]], detail["msg"]


async def test_a_silver_agreement_lists_its_tier_and_subscriptions(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-02-02")
        customer = await register(running)
        agreement = await running.call(
            "agreements",
            "POST",
            f"/customers/{customer}/agreement",
            expect=201,
            json={"tier": "it-agreement-silver"},
        )
        licences = await running.call(
            "agreements",
            "POST",
            f"/customers/{customer}/agreement/subscriptions",
            expect=201,
            json={"sku": "m365-business-standard", "quantity": 12, "billing_period": "yearly"},
        )
        devices = await running.call(
            "agreements",
            "POST",
            f"/customers/{customer}/agreement/subscriptions",
            expect=201,
            json={"sku": "pc-security", "quantity": 12},
        )
    assert agreement["tier"] == "it-agreement-silver"
    assert agreement["first_security_check_due"] == "2026-08-02", "six months after signing"
    assert [s["sku"] for s in agreement["subscriptions"]] == ["it-agreement-silver"]
    assert licences["unit_price"] == "76.00", "95.00 a month less 20% when billed yearly"
    assert devices["unit_price"] == "125.00", "the volume price from 10 devices"
    assert devices["payment_terms_days"] == 7


async def test_cancelling_states_the_end_date_and_the_rule_and_the_subscription_ends_after_it(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-01-05")
        customer = await register(running)
        await running.call(
            "agreements", "POST", f"/customers/{customer}/agreement", expect=201, json={}
        )
        hosting = await running.call(
            "agreements",
            "POST",
            f"/customers/{customer}/agreement/subscriptions",
            expect=201,
            json={"sku": "hosting-standard", "quantity": 1},
        )
        await running.advance_to("2026-02-10")
        cancelled = await running.call(
            "agreements",
            "POST",
            f"/customers/{customer}/agreement/subscriptions/{hosting['subscription_id']}/cancel",
            json={},
        )
        await running.advance_to("2026-03-31")
        on_last_day = await running.call("agreements", "GET", f"/customers/{customer}/agreement")
        await running.advance_to("2026-04-01")
        after = await running.call("agreements", "GET", f"/customers/{customer}/agreement")
        names = await event_names(running, customer)
    assert cancelled["end_date"] == "2026-03-31"
    assert "current month plus one month" in cancelled["rule"]
    assert on_last_day["subscriptions"][0]["status"] == "cancelling"
    assert after["subscriptions"][0]["status"] == "ended"
    assert names == [
        "CustomerRegistered",
        "AgreementSigned",
        "SubscriptionStarted",
        "SubscriptionCancellationRequested",
        "SubscriptionEnded",
    ]


async def test_bad_input_is_refused_naming_the_field_and_stores_nothing(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-02-02")
        customer = await register(running)
        await running.call(
            "agreements", "POST", f"/customers/{customer}/agreement", expect=201, json={}
        )
        orders = f"/customers/{customer}/agreement/subscriptions"
        unknown = await running.call(
            "agreements", "POST", orders, expect=422, json={"sku": "m365-e5", "quantity": 1}
        )
        zero = await running.call(
            "agreements", "POST", orders, expect=422, json={"sku": "pc-security", "quantity": 0}
        )
        early = await running.call(
            "agreements",
            "POST",
            orders,
            expect=422,
            json={"sku": "pc-security", "quantity": 2, "start": "2026-01-15"},
        )
        period = await running.call(
            "agreements",
            "POST",
            orders,
            expect=422,
            json={"sku": "pc-security", "quantity": 2, "billing_period": "yearly"},
        )
        bad_cvr = await running.call(
            "agreements", "POST", "/customers", expect=422, json={**NORDHAVN, "cvr": "13585627"}
        )
        agreement = await running.call("agreements", "GET", f"/customers/{customer}/agreement")
        customers = await running.call("agreements", "GET", "/customers")
        names = await event_names(running, customer)
    assert refusal(unknown) == (
        ["body", "sku"],
        "unknown SKU 'm365-e5' in the Safe IT-Solutions catalogue",
    )
    assert refusal(zero)[0] == ["body", "quantity"]
    assert "greater than 0" in refusal(zero)[1]
    assert refusal(early)[0] == ["body", "start"]
    assert "before the customer was registered (2026-02-02)" in refusal(early)[1]
    assert refusal(period) == (
        ["body", "billing_period"],
        "pc-security is billed monthly, not yearly",
    )
    assert refusal(bad_cvr)[0] == ["body", "cvr"]
    assert agreement["subscriptions"] == []
    assert len(customers) == 1
    assert names == ["CustomerRegistered", "AgreementSigned"]


async def test_a_price_change_needs_thirty_days_notice_naming_the_earliest_date(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        await running.advance_to("2026-03-02")
        too_soon = await running.call(
            "agreements",
            "POST",
            "/catalogue/price-changes",
            expect=422,
            json={"sku": "pc-security", "unit_price": "145.00", "effective_from": "2026-03-15"},
        )
        announced = await running.call(
            "agreements",
            "POST",
            "/catalogue/price-changes",
            expect=201,
            json={"sku": "pc-security", "unit_price": "145.00", "effective_from": "2026-04-01"},
        )
        catalogue = await running.call("agreements", "GET", "/catalogue")
    assert refusal(too_soon) == (
        ["body", "effective_from"],
        "a price change needs 30 days' notice: the earliest allowed date is 2026-04-01",
    )
    assert announced["previous_unit_price"] == "135.00"
    pc = next(p for p in catalogue if p["sku"] == "pc-security")
    assert [c["effective_from"] for c in pc["price_changes"]] == ["2026-04-01"]
    assert pc["example_fields"] == ["volume_tiers"], "example values are labelled as such"


async def test_a_mico_customer_starts_on_trial_and_every_package_change_confirms_the_whole_agreement(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path, profile="mico") as running:
        await running.advance_to("2026-01-12")
        customer = await register(running)
        signed = await running.call(
            "agreements", "POST", f"/customers/{customer}/agreement", expect=201, json={}
        )
        orders = f"/customers/{customer}/agreement/subscriptions"
        await running.call(
            "agreements", "POST", orders, expect=201, json={"sku": "MCOSAABAS", "quantity": 1}
        )
        await running.call(
            "agreements", "POST", orders, expect=201, json={"sku": "MCOSABBRU", "quantity": 8}
        )
        second_base = await running.call(
            "agreements", "POST", orders, expect=422, json={"sku": "MCOSAABAS", "quantity": 1}
        )
        during_trial = await running.call("agreements", "GET", f"/customers/{customer}/agreement")
        await running.advance_to("2026-02-02")
        converted = await running.call(
            "agreements", "POST", f"/customers/{customer}/agreement/convert-trial"
        )
        confirmations = await running.call(
            "agreements", "GET", f"/customers/{customer}/agreement/order-confirmations"
        )
        page = await running.clients["agreements"].get(
            f"/customers/{customer}/agreement/order-confirmations/3.html"
        )
        names = await event_names(running, customer)
    assert signed["status"] == "trial"
    assert refusal(second_base)[0] == ["body", "sku"]
    assert "at most 1 per agreement" in refusal(second_base)[1]
    assert {s["status"] for s in during_trial["subscriptions"]} == {"pending"}, (
        "nothing invoiced on trial"
    )
    assert converted["status"] == "active"
    assert {(s["sku"], s["start_date"]) for s in converted["subscriptions"]} == {
        ("MCOSAABAS", "2026-02-02"),
        ("MCOSABBRU", "2026-02-02"),
    }
    assert [c["number"] for c in confirmations] == [1, 2, 3]
    assert [len(c["lines"]) for c in confirmations] == [1, 2, 2], "each lists the whole agreement"
    assert page.status_code == 200
    assert "Ordrebekræftelse nr. 3" in page.text and "Brugerpakke" in page.text
    assert "3 måneders varsel til udgangen af det efterfølgende kvartal" in page.text
    assert names == [
        "CustomerRegistered",
        "AgreementSigned",
        "TrialStarted",
        "OrderConfirmationIssued",
        "OrderConfirmationIssued",
        "TrialConverted",
        "SubscriptionStarted",
        "SubscriptionStarted",
        "OrderConfirmationIssued",
    ]

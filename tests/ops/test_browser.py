"""The dashboard in a real browser (Debian's chromium driven by Playwright, never a downloaded one).

Logs in, opens every page and takes a screenshot of each. Screenshots go to pytest's tmp_path,
or to the folder in MSP_SCREENSHOTS (e.g. MSP_SCREENSHOTS=docs/screenshots to refresh the
docs). The full walk through DOMAIN.md's worked example with provisioning's answers comes
once that service is complete; the steps below are its skeleton.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.platform import RunningPlatform, embedded
from tests.ops.harness import (
    HAVNEKONTORET,
    LOOPBACK_ONLY,
    NORDHAVN,
    ops_app,
    register_customer,
    served,
)

HANSEN = {
    "name": "Hansen & Søn Rådgivning ApS",
    "cvr": "29403473",
    "address": "Ørstedsgade 12, 8000 Aarhus C",
}

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


async def seeded(running: RunningPlatform) -> list[str]:
    """Nordhavn's hosting (the worked example), Havnekontoret's licences (no vendor reference,
    so provisioning is blocked), and Hansen & Søn, who pay after the suspension (a restore)."""
    await running.advance_to("2026-01-02")
    await running.call(
        "ops",
        "POST",
        "/webhooks",
        expect=201,
        json={
            "url": "http://127.0.0.1:9/erp",
            "event_types": ["dunning.*"],
            "description": "ERP (down)",
        },
    )
    customers = []
    hosting = {"sku": "hosting-standard", "quantity": 1}
    for who, order in (
        (NORDHAVN, hosting | {"vendor_reference": {"domain": "nordhavn-revision.dk"}}),
        (HAVNEKONTORET, {"sku": "m365-business-basic", "quantity": 12}),
        (HANSEN, hosting | {"vendor_reference": {"domain": "hansen-soen.dk"}}),
    ):
        customer = await register_customer(running, who)
        await running.call(
            "agreements", "POST", f"/customers/{customer}/agreement", expect=201, json={}
        )
        await running.call(
            "agreements",
            "POST",
            f"/customers/{customer}/agreement/subscriptions",
            expect=201,
            json=order,
        )
        customers.append(customer)
    await running.advance_to("2026-02-24")
    for invoice in await running.call(
        "billing", "GET", "/invoices", params={"customer_id": customers[2]}
    ):
        payment = {
            "amount": invoice["balance"],
            "invoice_number": invoice["invoice_number"],
            "paid_on": "2026-02-24",
        }
        await running.call("billing", "POST", "/payments", expect=201, json=payment)
    await running.advance_to("2026-03-09")
    return customers


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go."""
    folder = Path(os.environ.get("MSP_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def taken(shots: Path) -> set[str]:
    """The screenshots in the folder, by page."""
    return {p.stem for p in shots.glob("*.png")}


async def test_staff_log_in_and_every_page_opens(
    tmp_path: Path, shots: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.async_api import async_playwright

    monkeypatch.setenv("OPS_WEBHOOK_ALLOWED_NETWORKS", LOOPBACK_ONLY)
    async with embedded(tmp_path / "var") as running, served(ops_app(running)) as base:
        nordhavn, *_ = await seeded(running)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            await page.goto(f"{base}/dashboard/dunning")
            assert "/dashboard/login" in page.url, "a visitor without a session is sent to log in"
            await page.screenshot(path=shots / "login.png")
            await page.fill("#api_key", running.admin_key)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{base}/dashboard/dunning")

            # The clock control starts the next day: reminder 3 and permanent closure on 10 March.
            await page.click("button[name=days][value='1']")
            await page.wait_for_selector("text=Tue 10 Mar 2026")
            await running.settle()
            await page.reload()
            await page.wait_for_selector(".lane-closed_permanently .case")

            for name, path in (
                ("dunning", "/dashboard/dunning"),
                ("overview", "/dashboard"),
                ("events", "/dashboard/events"),
                ("customers", "/dashboard/customers"),
                ("customer", f"/dashboard/customers/{nordhavn}"),
                ("receivables", "/dashboard/receivables"),
                ("provisioning", "/dashboard/provisioning"),
                ("webhooks", "/dashboard/webhooks"),
            ):
                response = await page.goto(f"{base}{path}")
                assert response is not None and response.ok, path
                await page.wait_for_selector("[data-live-indicator].on")
                # The event list is long: its first screenful says what it is.
                await page.screenshot(path=shots / f"{name}.png", full_page=name != "events")

            await page.goto(f"{base}/dashboard/events?name=ReminderIssued")
            await page.click("tbody tr a")
            await page.wait_for_selector("text=CloudEvents JSON")
            await page.screenshot(path=shots / "event.png", full_page=True)
            await browser.close()
    expected = {
        "login",
        "dunning",
        "overview",
        "events",
        "customers",
        "customer",
        "receivables",
        "provisioning",
        "webhooks",
        "event",
    }
    assert taken(shots) >= expected

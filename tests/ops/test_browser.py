"""The dashboard in a real browser (Debian's chromium driven by Playwright, never a downloaded one).

A member of staff logs in, walks DOMAIN.md's worked example with the clock control in the top
bar, and watches Nordhavn's invoice of 30 January move across the dunning board: overdue on
Saturday 14 February, reminder 1 on Monday 16 February, reminder 2 with the hosting suspended
on Monday 23 February, closed permanently on Tuesday 10 March, and its hosted data deleted on
Thursday 9 April. Then every page is opened. Screenshots of each page and of the board at each
stage go to pytest's tmp_path, or to the folder in MSP_SCREENSHOTS
(MSP_SCREENSHOTS=docs/screenshots refreshes the docs).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.platform import RunningPlatform, customer_with_agreement, embedded
from tests.ops.harness import (
    HAVNEKONTORET,
    LOOPBACK_ONLY,
    NORDHAVN,
    ops_app,
    served,
)

HANSEN = {
    "name": "Hansen & Søn Rådgivning ApS",
    "cvr": "29403473",
    "address": "Ørstedsgade 12, 8000 Aarhus C",
}

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# DOMAIN.md section 4, the worked example: how the staff member moves the clock, the business
# date the top bar then shows, and where Nordhavn's card stands with what it says comes next.
WORKED_EXAMPLE = [
    ({"to": "2026-02-14"}, "Sat 14 Feb 2026", "overdue", "1. rykker on Mon 16 Feb"),
    ({"days": "1"}, "Sun 15 Feb 2026", "overdue", "1. rykker on Mon 16 Feb"),
    ({"days": "1"}, "Mon 16 Feb 2026", "reminder_1", "2. rykker + suspend on Mon 23 Feb"),
    (
        {"days": "7"},
        "Mon 23 Feb 2026",
        "reminder_2",
        "inkassovarsel + close permanently on Tue 10 Mar",
    ),
    (
        {"to": "2026-03-10"},
        "Tue 10 Mar 2026",
        "closed_permanently",
        "Sletning af hostede data on Thu 9 Apr",
    ),
    ({"to": "2026-04-09"}, "Thu 9 Apr 2026", "deletion_due", "End of the ladder"),
]
STAGE_SHOTS = {
    "overdue": "dunning-1-overdue",
    "reminder_1": "dunning-2-reminder-1",
    "reminder_2": "dunning-3-reminder-2-suspended",
    "closed_permanently": "dunning-4-closed",
    "deletion_due": "dunning-5-deletion-due",
}

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and os.environ.get("CI") != "true",
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)


async def seeded(running: RunningPlatform) -> list[str]:
    """On Friday 2 January: Nordhavn's hosting (the worked example), Havnekontoret's licences
    (no vendor reference, so provisioning is blocked), Hansen & Søn's hosting (they pay after
    the suspension: a restore), and an ERP webhook endpoint that is down."""
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
        customers.append(await customer_with_agreement(running, who, order))
    return customers


async def pay_everything(running: RunningPlatform, customer: str) -> None:
    """The customer pays every open invoice in full (the dunned one and its fee invoice)."""
    invoices = await running.call(
        "billing", "GET", "/invoices", params={"customer_id": customer, "status": "open"}
    )
    for invoice in invoices:
        payment = {"amount": invoice["balance"], "invoice_number": invoice["invoice_number"]}
        await running.call("billing", "POST", "/payments", expect=201, json=payment)


async def advance(page: Any, running: RunningPlatform, how: dict[str, str], shown: str) -> None:
    """Use the clock control in the top bar, wait for the new date, let the services react."""
    if "to" in how:
        await page.fill("input[name=to]", how["to"])
        await page.click("form[data-clock] button[type=submit]")
    else:
        await page.click(f"form[data-clock] button[name=days][value='{how['days']}']")
    await page.wait_for_selector(f"[data-today]:has-text('{shown}')")
    await running.settle()
    await page.reload()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go."""
    folder = Path(os.environ.get("MSP_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def taken(shots: Path) -> set[str]:
    """The screenshots in the folder, by page."""
    return {p.stem for p in shots.glob("*.png")}


async def test_staff_watch_the_worked_example_cross_the_dunning_board(
    tmp_path: Path, shots: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.async_api import async_playwright

    monkeypatch.setenv("OPS_WEBHOOK_ALLOWED_NETWORKS", LOOPBACK_ONLY)
    async with embedded(tmp_path / "var") as running, served(ops_app(running)) as base:
        nordhavn, _, hansen = await seeded(running)
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = await browser.new_page(viewport={"width": 1440, "height": 900})
            await page.goto(f"{base}/dashboard/dunning")
            assert "/dashboard/login" in page.url, "a visitor without a session is sent to log in"
            await page.screenshot(path=shots / "login.png")
            await page.fill("#api_key", running.admin_key)
            await page.click("button[type=submit]")
            await page.wait_for_url(f"{base}/dashboard/dunning")

            # Friday 30 January: the invoice run (the last business day of January).
            await advance(page, running, {"to": "2026-01-30"}, "Fri 30 Jan 2026")
            await page.wait_for_selector(".lane-overdue .empty")
            (invoice,) = await running.call(
                "billing", "GET", "/invoices", params={"customer_id": nordhavn}
            )
            assert invoice["due_date"] == "2026-02-13"
            # Nordhavn's card for that invoice: "#<number>" on the card, not a longer number.
            ours = re.compile(rf"#{invoice['invoice_number']}(?!\d)")

            for how, shown, lane, next_step in WORKED_EXAMPLE:
                await advance(page, running, how, shown)
                cards = page.locator(".case", has_text=NORDHAVN["name"]).filter(has_text=ours)
                await page.locator(f".lane-{lane} .case").filter(has_text=ours).wait_for()
                assert await cards.count() == 1, f"{shown}: the card is in one column only"
                text = " ".join((await cards.inner_text()).split())
                assert next_step in text, f"{shown}: {text}"
                if lane == "reminder_2":
                    assert "1 service suspended" in text
                    # Hansen & Søn were suspended the same day; they pay, and are restored.
                    await pay_everything(running, hansen)
                    await page.reload()
                    settled = page.locator("table.data tr", has_text=HANSEN["name"])
                    assert "paid" in await settled.inner_text()
                if shown != "Sun 15 Feb 2026":
                    await page.screenshot(path=shots / f"{STAGE_SHOTS[lane]}.png", full_page=True)

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
            await page.locator("header.top .clock").screenshot(path=shots / "clock.png")

            # Nordhavn's hosting closed permanently: the day that caused it, and what it caused.
            await page.goto(
                f"{base}/dashboard/events?name=ServicePermanentlyClosed&customer_id={nordhavn}"
            )
            await page.click("tbody tr a")
            await page.wait_for_selector("text=CloudEvents JSON")
            chain = " ".join((await page.inner_text("main")).split())
            assert "DayStarted 10 Mar 2026 started" in chain, chain
            assert "Hosting of nordhavn-revision.dk closed at Plesk" in chain, chain
            await page.screenshot(path=shots / "event.png", full_page=True)
            await browser.close()
    expected = {
        "login",
        "dunning",
        *STAGE_SHOTS.values(),
        "overview",
        "events",
        "customers",
        "customer",
        "receivables",
        "provisioning",
        "webhooks",
        "clock",
        "event",
    }
    assert taken(shots) >= expected

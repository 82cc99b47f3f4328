"""The demo data `make run` loads on its first start: a customer at every stage, as staff see it
on the dashboard when it opens (the dunning board, the customer list and customer pages)."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape
from pathlib import Path

import httpx

from shared import scenario
from shared.cli import demo_scenario
from tests.e2e.platform import RunningPlatform, embedded
from tests.ops.harness import anonymous, login

# The demo is loaded while the person who ran `make run` waits (about half a minute on a quiet
# two-core machine); the bound leaves room for a busy CI machine.
LOAD_SECONDS = 120


def text(html: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def lanes(board_html: str) -> dict[str, list[str]]:
    """Each column of the dunning board and the text of the cards in it."""
    found: dict[str, list[str]] = {}
    for lane in board_html.split('<section class="lane lane-')[1:]:
        key, _, body = lane.partition('"')
        body = body.split("</section>")[0]
        found[key] = [text(card) for card in body.split('<article class="case">')[1:]]
    return found


def in_lane(board: dict[str, list[str]], lane: str, customer: str) -> str:
    """The card of the customer in the column (fails if there is none)."""
    cards = [card for card in board[lane] if customer in card]
    assert cards, f"{customer} is not in {lane}: {board[lane]}"
    return cards[0]


@asynccontextmanager
async def demo(
    tmp_path: Path, profile: str
) -> AsyncIterator[tuple[RunningPlatform, httpx.AsyncClient]]:
    """A fresh platform with the profile's demo loaded, and a dashboard session."""
    path = demo_scenario(profile)
    assert path is not None, f"{profile} has no demo"
    async with embedded(tmp_path / "var", profile=profile) as running:
        started = time.monotonic()
        await scenario.play(running.platform, scenario.load(path))
        elapsed = time.monotonic() - started
        assert elapsed < LOAD_SECONDS, f"the demo took {elapsed:.0f} s to load"
        async with anonymous(running) as dashboard:
            assert (await login(dashboard, running.admin_key)).status_code == 303
            yield running, dashboard


async def page(dashboard: httpx.AsyncClient, path: str) -> str:
    response = await dashboard.get(path)
    assert response.status_code == 200, f"{path}: {response.status_code}"
    return response.text


async def customer_ids(running: RunningPlatform) -> dict[str, str]:
    return {
        c["name"]: c["customer_id"] for c in await running.call("agreements", "GET", "/customers")
    }


async def test_safe_it_demo_opens_with_a_customer_at_every_stage(tmp_path: Path) -> None:
    async with demo(tmp_path, "safe-it") as (running, dashboard):
        board_html = await page(dashboard, "/dashboard/dunning")
        assert "Sat 14 Mar 2026" in text(board_html)
        board = lanes(board_html)

        assert "1. rykker" in in_lane(board, "overdue", "Havnekontoret ApS")
        assert "2. rykker" in in_lane(board, "reminder_1", "Bageriet Ved Åen ApS")
        suspended = in_lane(board, "reminder_2", "Kystens Tandklinik ApS")
        assert "2 services suspended" in suspended
        closed = in_lane(board, "closed_permanently", "Nordhavn Revision ApS")
        assert "1 service closed" in closed and "Sletning af hostede data" in closed
        assert "End of the ladder" in in_lane(board, "deletion_due", "Fjordhuset Advokater ApS")
        disputed = in_lane(board, "overdue", "Vesterbro Bogtryk ApS")
        assert "paused invoice disputed in time" in disputed

        settled = text(board_html.split("Settled in the last 30 days")[1])
        assert "Hansen & Søn Rådgivning ApS" in settled and "paid" in settled
        everyone = " ".join(card for cards in board.values() for card in cards)
        assert "Strandvejens Tandklinik ApS" not in everyone + settled, "they pay on time"

        ids = await customer_ids(running)
        kystens = text(
            await page(dashboard, f"/dashboard/customers/{ids['Kystens Tandklinik ApS']}")
        )
        assert kystens.count("suspended") >= 2, "licences and PC security"
        hansen = text(
            await page(dashboard, f"/dashboard/customers/{ids['Hansen & Søn Rådgivning ApS']}")
        )
        assert "HostingRestored" in hansen
        customers = text(await page(dashboard, "/dashboard/customers"))
        assert "Strandvejens Tandklinik ApS CVR" not in customers
        row = customers.split("Strandvejens Tandklinik ApS")[1].split(" ApS")[0]
        assert "0,00 kr. 0,00 kr. 0" in row, row

        # The suspension happened at the (simulated) vendors, not only on the board.
        licences = await running.call("provisioning", "GET", "/simulators/partner_center/state")
        kystens_licences = "kystenstand.onmicrosoft.com/9f6a1c2e-0002-4d6b-9a1e-1b2c3d4e5f60"
        assert licences["subscriptions"][kystens_licences]["status"] == "suspended"
        hosting = (await running.call("provisioning", "GET", "/simulators/plesk/state"))["domains"]
        assert hosting["hansen-soen.dk"] == "active", "restored when Hansen & Søn paid"
        assert hosting.get("nordhavn-revision.dk") != "active"


async def test_mico_demo_opens_with_a_customer_at_every_stage(tmp_path: Path) -> None:
    async with demo(tmp_path, "mico") as (_, dashboard):
        board_html = await page(dashboard, "/dashboard/dunning")
        assert "Sat 14 Feb 2026" in text(board_html)
        board = lanes(board_html)

        overdue = in_lane(board, "overdue", "Tårnby Tømrer ApS")
        assert "paused" not in overdue and "Mon 16 Feb" in overdue
        assert "2. rykker" in in_lane(board, "reminder_1", "Skovbo Dyreklinik ApS")
        assert "3. rykker" in in_lane(board, "reminder_2", "Møllers Malerfirma ApS")
        assert "inkassovarsel" in in_lane(board, "closed_permanently", "Kystens Revision I/S")
        disputed = in_lane(board, "overdue", "Amager Bogføring ApS")
        assert "paused invoice disputed in time" in disputed
        everyone = " ".join(card for cards in board.values() for card in cards)
        assert "Lundgaard Arkitekter ApS" not in everyone, "they paid on time"
        assert "suspended" not in text(board_html), "MICO's ladder suspends nothing"

        customers = text(await page(dashboard, "/dashboard/customers"))
        assert "Lyngby Fysioterapi ApS trial" in customers
        assert "Lundgaard Arkitekter ApS trial" not in customers

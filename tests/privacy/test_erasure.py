"""GDPR erasure: a person's key is deleted, so every service and every replay shows them erased,
while the invoices kept for the bookkeeping duty keep the company's name, CVR and address."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from shared.platform import SERVICES
from shared.privacy import ERASE_SCOPE, ERASED
from shared.settings import ApiKeySetting
from shared.store.replay import rebuild_projections
from tests.e2e.platform import RunningPlatform, embedded

COMPANY = {
    "name": "Nordhavn Revision ApS",
    "cvr": "13585628",
    "address": "Nordhavnsgade 4, 2150 Nordhavn",
    "finance_email": "bogholderi@nordhavn.dk",
}
LARS = {
    "role": "finance_contact",
    "name": "Lars Bergholt",
    "email": "lars.bergholt@nordhavn.dk",
    "phone": "+45 20 30 40 50",
}
PERSONAL = (b"Lars Bergholt", b"lars.bergholt", b"+45 20 30 40 50")
KEYS = [
    ApiKeySetting(name="clerk", key="clerk-key-0123456789", scopes=["agreements:write"]),
    ApiKeySetting(
        name="privacy-officer",
        key="dpo-key-0123456789",
        scopes=["agreements:read", "agreements:write", ERASE_SCOPE],
    ),
]
LAPTOP = {
    "product_type": "laptop",
    "name": "Lenovo ThinkPad T14",
    "serial": "PF-1",
    "purchase_date": "2026-01-02",
    "price": "9800.00",
    "supplier": "Dustin A/S",
}


def found_in_files(var_dir: Path, needles: tuple[bytes, ...]) -> list[str]:
    """Every store, the bus and the vault (with their journals), byte for byte."""
    return [
        f"{needle.decode(errors='replace')} in {path.name}"
        for path in sorted(var_dir.rglob("*"))
        if path.is_file()
        for needle in needles
        if needle in path.read_bytes()
    ]


async def erase(running: RunningPlatform, key: str, path: str, expect: int) -> Any:
    response = await running.clients["agreements"].post(
        path, headers={"authorization": f"Bearer {key}"}
    )
    assert response.status_code == expect, response.text
    await running.settle()
    return response.json()


async def msp_replay(var_dir: Path, service: str) -> str:
    """`msp replay <service>` against the stopped platform's files."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from shared.cli import app; app()",
        "replay",
        service,
        env={**os.environ, "MSP_VAR_DIR": str(var_dir)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode == 0, output.decode()
    return output.decode()


async def test_an_erased_person_reads_as_erased_everywhere_and_after_every_replay(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path, api_keys=KEYS) as running:
        await running.advance_to("2026-01-02")
        customer = await running.call("agreements", "POST", "/customers", expect=201, json=COMPANY)
        base = f"/customers/{customer['customer_id']}"
        added = await running.call("agreements", "POST", f"{base}/people", expect=201, json=LARS)
        person_id = added["people"][0]["person_id"]
        await running.call("agreements", "POST", f"{base}/agreement", expect=201, json={})
        await running.call(
            "agreements",
            "POST",
            f"{base}/agreement/subscriptions",
            expect=201,
            json={"sku": "hosting-standard", "quantity": 1},
        )
        await running.call("assets", "POST", f"{base}/hardware", expect=201, json=LAPTOP)
        await running.advance_to("2026-02-16")  # invoice 30 Jan, workbook, reminder 1

        before = await running.call("agreements", "GET", base)
        workbooks_before = await running.call("assets", "GET", f"{base}/workbooks")
        key_row = sqlite3.connect(tmp_path / "vault.sqlite").execute(
            "SELECT key FROM person_keys WHERE person_id = ?", (person_id,)
        )
        person_key = bytes(key_row.fetchone()[0])
        kept_sealed = found_in_files(tmp_path, PERSONAL)

        refused = await erase(
            running, "clerk-key-0123456789", f"{base}/people/{person_id}/erasure", 403
        )
        erased = await erase(
            running, "dpo-key-0123456789", f"{base}/people/{person_id}/erasure", 200
        )
        again = await erase(
            running, "dpo-key-0123456789", f"{base}/people/{person_id}/erasure", 200
        )
        for runtime in running.platform.runtimes.values():
            await rebuild_projections(runtime.store)
        after = await running.call("agreements", "GET", base)
        workbooks_after = await running.call("assets", "GET", f"{base}/workbooks")
        invoice = await running.clients["billing"].get("/invoices/1.xml")
        reminders = await running.call("dunning", "GET", "/cases")

    person_before = before["people"][0]
    assert (person_before["name"], person_before["email"], person_before["phone"]) == (
        LARS["name"],
        LARS["email"],
        LARS["phone"],
    ), "before erasure the person reads in the clear"
    assert workbooks_before[0]["recipients"] == [COMPANY["finance_email"], LARS["email"]]
    assert kept_sealed == [], "personal data is never at rest in the clear, even before erasure"

    assert refused["detail"] == f"this key lacks the scope {ERASE_SCOPE}"
    assert erased == {**person_before, "name": ERASED, "email": None, "phone": None, "erased": True}
    assert again == erased, "repeating the request changes nothing"
    assert after["people"] == [erased], "after every replay the person still reads as erased"
    assert workbooks_after[0]["recipients"] == [COMPANY["finance_email"], ERASED]

    leaks = found_in_files(tmp_path, (*PERSONAL, person_key))
    assert leaks == [], "no name, e-mail, phone or key in any store, the bus or the vault"

    with sqlite3.connect(tmp_path / "agreements.sqlite") as store:
        rows = store.execute("SELECT meta FROM events WHERE type = 'PersonErased'").fetchall()
    assert [json.loads(meta)["actor"] for (meta,) in rows] == ["privacy-officer"]

    assert invoice.status_code == 200
    for company_data in (COMPANY["name"], COMPANY["cvr"], "Nordhavnsgade 4"):
        assert company_data in invoice.text, "the invoice keeps the company data it must contain"
    assert reminders, "dunning went on with the company's finance mailbox"

    for service in SERVICES:
        assert "read models rebuilt" in await msp_replay(tmp_path, service)
    with sqlite3.connect(tmp_path / "agreements.sqlite") as store:
        people = store.execute("SELECT name, email, phone, personal, erased FROM people").fetchall()
    assert people == [(None, None, None, None, 1)]
    assert found_in_files(tmp_path, (*PERSONAL, person_key)) == []

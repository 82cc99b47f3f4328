"""The walking skeleton in the embedded mode: one event through every service."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.e2e.platform import embedded

NORDHAVN = {
    "name": "Nordhavn Revision ApS",
    "cvr": "13585628",
    "finance_email": "bogholderi@nordhavn.dk",
}
DOWNSTREAM = ("billing", "dunning", "provisioning", "assets", "ops")


async def test_a_registered_customer_is_known_to_every_service(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        created = await running.clients["agreements"].post("/customers", json=NORDHAVN)
        assert created.status_code == 201
        customer_id = created.json()["customer_id"]
        await running.settle()
        for service in DOWNSTREAM:
            listed = await running.clients[service].get("/customers")
            assert [c["name"] for c in listed.json()] == ["Nordhavn Revision ApS"], service
            one = await running.clients[service].get(f"/customers/{customer_id}")
            assert one.json()["cvr"] == "13585628", service
        log = (
            await running.clients["ops"].get("/events", params={"customer_id": customer_id})
        ).json()
    assert [e["name"] for e in log] == ["CustomerRegistered"]
    assert log[0]["actor"] == "admin", "the event names the key that registered the customer"


async def test_an_invalid_cvr_is_refused_naming_the_field_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    async with embedded(tmp_path) as running:
        refused = await running.clients["agreements"].post(
            "/customers", json={**NORDHAVN, "cvr": "12345678"}
        )
        await running.settle()
        listed = await running.clients["agreements"].get("/customers")
        log = await running.clients["ops"].get("/events")
    assert refused.status_code == 422
    detail = refused.json()["detail"][0]
    assert detail["loc"] == ["body", "cvr"]
    assert "check digit" in detail["msg"]
    assert listed.json() == []
    assert log.json() == []


async def test_an_event_opens_with_its_causation_chain(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await running.clients["ops"].post("/clock/advance", json={"to": "2026-01-30"})
        await running.settle()
        await running.clients["agreements"].post("/customers", json=NORDHAVN)
        await running.settle()
        log = (await running.clients["ops"].get("/events")).json()
        registered = next(e for e in log if e["name"] == "CustomerRegistered")
        detail = (await running.clients["ops"].get(f"/events/{registered['event_id']}")).json()
    assert detail["event"]["businessdate"] == "2026-01-30"
    assert detail["event"]["specversion"] == "1.0"
    assert detail["causes"] == [], "a customer registered over HTTP has no earlier event as cause"


def test_the_scenario_command_prints_the_events_as_cloudevents_lines(tmp_path: Path) -> None:
    scenario = tmp_path / "two-steps.yaml"
    scenario.write_text(
        textwrap.dedent(
            """
            name: Two steps
            steps:
              - register_customer:
                  name: Nordhavn Revision ApS
                  cvr: "13585628"
              - advance_to: 2026-01-03
            """
        )
    )
    result = subprocess.run(
        [sys.executable, "-m", "shared.cli", "scenario", "run", str(scenario)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(e["type"], e["data"].get("date")) for e in events] == [
        ("msp.agreements.CustomerRegistered.v1", None),
        ("msp.clock.DayStarted.v1", "2026-01-03"),
    ]
    assert all(e["specversion"] == "1.0" and e["id"] and e["source"] for e in events)

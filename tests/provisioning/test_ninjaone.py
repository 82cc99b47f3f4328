"""NinjaOne specifics: the maintenance window sent, partial progress, paging."""

from __future__ import annotations

from datetime import timedelta

from services.provisioning.vendors import WriteOutcome
from tests.provisioning import simulated
from tests.provisioning.simulated import NOW, recording, sent_json


async def test_pausing_turns_alerts_patching_av_scans_and_tasks_off_for_45_days() -> None:
    built, wire = recording(simulated.ninjaone, {"41": [411]})

    await built.client.pause_monitoring("41", request_id="dun-0042-suspend")

    (put,) = [r for r in wire.requests if r.method == "PUT"]
    assert put.url.path == "/v2/device/411/maintenance"
    assert sent_json(put) == {
        "disabledFeatures": ["ALERTS", "PATCHING", "AVSCANS", "TASKS"],
        "start": NOW.timestamp(),
        "end": (NOW + timedelta(days=45)).timestamp(),
        "reasonMessage": "Suspended for non-payment",
    }
    assert put.headers["X-Request-Id"] == "dun-0042-suspend:411"


async def test_a_half_paused_organization_is_finished_without_touching_the_paused_device() -> None:
    built = simulated.ninjaone({"41": {411: "maintenance", 412: "monitored"}})

    outcome = await built.client.pause_monitoring("41", request_id="dun-0042-suspend")

    assert outcome is WriteOutcome.CHANGED
    assert [c.resource for c in built.sim.calls.writes()] == ["device/412"]
    assert await built.client.monitoring_state("41") == "paused"


async def test_devices_are_read_page_by_page() -> None:
    built, wire = recording(simulated.ninjaone, {"41": [411, 412, 413, 414, 415]})  # pages of two

    await built.client.pause_monitoring("41", request_id="dun-0042-suspend")

    assert len(built.sim.calls.changes()) == 5
    pages = [r.url.params.get("after") for r in wire.requests if r.url.path.endswith("/devices")]
    assert pages[:3] == [None, "412", "414"]

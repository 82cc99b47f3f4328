"""The simulators' admin endpoints, seeded faults, and serving on a real port."""

from __future__ import annotations

import asyncio
import socket

import httpx
import uvicorn

from services.provisioning.vendors.simulation import Fault, FaultPlan
from services.provisioning.vendors.simulation.faults import FaultDice
from services.provisioning.vendors.simulators import simulator_apps
from tests.provisioning import simulated


async def test_the_admin_endpoints_show_calls_set_faults_and_reseed() -> None:
    built = simulated.plesk({"kunde.dk": "active"})
    await built.client.suspend("kunde.dk", request_id="dun-0042-suspend")
    admin = built.http

    calls = (await admin.get("http://plesk.sim/_sim/calls")).json()
    assert [(c["action"], c["request_id"], c["state"]) for c in calls] == [
        ("suspend", "dun-0042-suspend", "suspended")
    ]

    plan = {"seed": 1, "error_rate": 1.0}
    assert (await admin.post("http://plesk.sim/_sim/faults", json=plan)).status_code == 200
    assert (await admin.get("http://plesk.sim/api/v2/domains")).status_code == 503
    assert (await admin.get("http://plesk.sim/_sim/faults")).json()["error_rate"] == 1.0

    await admin.post("http://plesk.sim/_sim/faults", json={})
    reseeded = await admin.post("http://plesk.sim/_sim/seed", json={"ny-kunde.dk": "active"})
    assert reseeded.json() == {"domains": {"ny-kunde.dk": "active"}}
    assert (await admin.get("http://plesk.sim/_sim/calls")).json() == []
    assert (await admin.get("http://plesk.sim/_sim/state")).json() == reseeded.json()


def test_faults_with_the_same_seed_fall_on_the_same_requests() -> None:
    plan = FaultPlan.at(0.3, seed=42)
    one, two = FaultDice(plan), FaultDice(plan)

    assert [one.draw() for _ in range(200)] == [two.draw() for _ in range(200)]


def test_fault_rates_add_up_to_the_plan() -> None:
    dice = FaultDice(FaultPlan.at(0.3, seed=9))

    draws = [dice.draw() for _ in range(10_000)]

    assert 0.27 < sum(d is not None for d in draws) / len(draws) < 0.33
    assert set(draws) == {Fault.ERROR, Fault.THROTTLE, Fault.TIMEOUT, None}


async def test_a_simulator_serves_on_a_real_port_with_uvicorn() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = simulator_apps({"eset": {"companies": {"c1": "active"}}})["eset"]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    try:
        for _ in range(500):  # uvicorn offers no event to wait on; bounded, never hangs
            if server.started:
                break
            await asyncio.sleep(0.01)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            state = (await http.get("/_sim/state")).json()
            login = await http.post("/api/Token/Get", json={"username": "x", "password": "y"})
        assert state["companies"] == {"c1": "active"}
        assert login.status_code == 401
    finally:
        server.should_exit = True
        await serving

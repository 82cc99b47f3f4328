"""The actor of every event a request causes is the key that made the request."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shared import scenario
from shared.cli import demo_scenario
from shared.contracts import dunning as d
from shared.envelope import CloudEvent
from shared.platform import SERVICES
from tests.e2e.platform import RunningPlatform
from tests.provisioning.harness import Provisioning
from tests.security.conftest import HOOK, STAFF

pytestmark = pytest.mark.asyncio(loop_scope="module")
AS_STAFF = {"authorization": f"Bearer {STAFF.key.get_secret_value() if STAFF.key else ''}"}


async def test_every_event_a_request_causes_names_the_calling_key(
    running: RunningPlatform,
) -> None:
    await play_demo_as_staff(running)
    await writes_of_the_services_the_demo_leaves_out(running)
    stored = {
        name: [e async for e in runtime.store.iterate_all()]
        for name, runtime in running.platform.runtimes.items()
    }
    event_ids = {e.event_id for events in stored.values() for e in events} | await on_the_bus(
        running
    )
    by_request = {
        name: [e for e in events if e.meta.get("causation_id") not in {None, *event_ids}]
        for name, events in stored.items()
    }
    for name in SERVICES:
        others = [(e.type, e.meta) for e in by_request[name] if e.meta["actor"] != "jens.staff"]
        assert by_request[name] and not others, f"{name}: {others[:3]}"
    in_ops_log = (await running.clients["ops"].get("/events", params={"limit": 1000})).json()
    registered = [e for e in in_ops_log if e["name"] == "CustomerRegistered"]
    assert registered and {e["actor"] for e in registered} == {"jens.staff"}


async def on_the_bus(running: RunningPlatform) -> set[str]:
    """The id of every message on the bus (events of the tests' own making included)."""
    bus = running.platform.bus
    assert bus is not None
    ids: set[str] = set()
    after = 0
    while batch := await bus.read_log(after):
        for seq, delivery in batch:
            ids.add(CloudEvent.from_json(delivery.value).id)
            after = seq
    return ids


async def play_demo_as_staff(running: RunningPlatform) -> None:
    """The demo's requests (agreements, billing, the clock) sent with the staff key."""
    demo = demo_scenario("safe-it")
    assert demo is not None
    admin_key = running.platform.admin_key
    running.platform.admin_key = STAFF.key.get_secret_value() if STAFF.key else None
    try:
        await scenario.play(running.platform, scenario.load(demo))
    finally:
        running.platform.admin_key = admin_key


async def writes_of_the_services_the_demo_leaves_out(running: RunningPlatform) -> None:
    customer = (await running.clients["agreements"].get("/customers")).json()[0]["customer_id"]
    await call(running, "dunning", "PUT", f"/customers/{customer}/no-follow-up", 204,
               json={"reason": "in talks with the owner", "until": "2026-06-30"})  # fmt: skip
    await call(running, "dunning", "DELETE", f"/customers/{customer}/no-follow-up", 204)
    hardware = {
        "product_type": "laptop",
        "name": "Lenovo ThinkPad T14",
        "serial": "PF3K9A1",
        "purchase_date": "2026-03-02",
        "price": "9800.00",
    }
    await call(running, "assets", "POST", f"/customers/{customer}/hardware", 201, json=hardware)
    task = await a_manual_task(running)
    await call(running, "provisioning", "POST", f"/manual-tasks/{task}/complete", 200,
               json={"note": "paused in ManageWP"})  # fmt: skip
    hook = await call(running, "ops", "POST", "/webhooks", 201,
                      json={"url": HOOK})  # fmt: skip
    await call(running, "ops", "POST", f"/webhooks/{hook['endpoint_id']}/disable", 200)


async def a_manual_task(running: RunningPlatform) -> str:
    """A task provisioning opens when a web-security site (no vendor API) is to be suspended."""
    subscriptions = (await running.clients["agreements"].get("/subscriptions")).json()
    site = next(s for s in subscriptions if s["sku"] == "web-security")
    suspended = d.ServiceSuspended(
        customer_id=site["customer_id"],
        invoice_number=1,
        subscription_id=site["subscription_id"],
        sku="web-security",
        service_kind="web-security",
        suspended_on=date(2026, 3, 16),
    )
    provisioning = Provisioning(running.platform, running.clients["provisioning"])
    await provisioning.publish(suspended, customer_id=site["customer_id"], on=date(2026, 3, 16))
    await provisioning.settle_actions()
    (task,) = (
        await running.clients["provisioning"].get("/manual-tasks", params={"state": "open"})
    ).json()
    return str(task["task_id"])


async def call(
    running: RunningPlatform, service: str, method: str, path: str, expect: int, **kw: Any
) -> Any:
    response = await running.clients[service].request(method, path, headers=AS_STAFF, **kw)
    assert response.status_code == expect, f"{method} {path}: {response.text}"
    await running.settle()
    return response.json() if response.content else None

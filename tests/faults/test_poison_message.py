"""Poison messages on a topic: dead-lettered after the attempts, shown to operators, and the
partition moves on; on the in-process bus and on Kafka.

Onto agreements.events, keyed by a real customer (so on that customer's partition), go:
undecodable bytes; an event name nobody knows; a known event in a version nobody can read;
and then a real subscription whose dunning handler always fails. Every later message of the
customer, on the same partition, must still be handled, and each poison message must show up
once per consuming service at GET /dead-letters and on the dashboard's dead-letter page.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from shared.contracts import agreements as a
from shared.contracts import load_all
from shared.envelope import CloudEvent
from shared.settings import KafkaSettings
from tests.e2e.platform import customer_with_agreement
from tests.faults.conftest import soak
from tests.faults.harness import (
    KEY,
    MAX_ATTEMPTS,
    Services,
    dumps,
    envelope,
    eventually,
    outgoing,
    services,
)
from tests.faults.ledger import Ledger
from tests.infrastructure import KafkaBroker

load_all()

NAMES = ("ops", "agreements", "billing", "dunning")
TOPIC = "agreements.events"
GARBAGE = b"\x00\xff\xfe{not an event"
FAULT = "dunning cannot take this subscription (injected fault)"


def consumers_of(running: Services, topic: str, event: str | None = None) -> set[str]:
    """The services whose subscription reads the topic (and handles the event, if given)."""
    found = set()
    for name, runtime in running.runtimes.items():
        if topic not in runtime.subscriber.topics:
            continue
        if event is None or any(cls.__name__ == event for cls in runtime.subscriber.handlers):
            found.add(name)
    return found


def break_dunning_once(running: Services) -> list[str]:
    """Dunning's SubscriptionStarted handler fails, every time, on the first one it sees."""
    poisoned: list[str] = []

    async def broken(_tx: Any, env: CloudEvent, _m: Any) -> None:
        if not poisoned:
            poisoned.append(env.id)
        if env.id in poisoned:
            raise RuntimeError(FAULT)

    running.runtimes["dunning"].subscriber.handlers[a.SubscriptionStarted].insert(0, broken)
    return poisoned


async def subscribe(running: Services, customer: str, sku: str) -> str:
    found = await running.call(
        "agreements",
        "POST",
        f"/customers/{customer}/agreement/subscriptions",
        expect=201,
        json={"sku": sku, "quantity": 1, "vendor_reference": {"domain": f"{customer[:8]}.dk"}},
    )
    return str(found["subscription_id"])


async def run_poison_scenario(running: Services, rounds: int) -> dict[str, Any]:
    """Inject the poison, then check dead letters, the partition and the dashboard."""
    started = time.monotonic()
    poisoned = break_dunning_once(running)
    await running.call("ops", "POST", "/clock/advance", json={"to": "2026-01-02"})
    await running.settle()
    customer = await customer_with_agreement(
        running, {"name": "Nordhavn Revision ApS", "cvr": "13585628"}
    )
    await running.settle()
    bus = running.runtimes["agreements"].bus
    unknown_name = envelope(
        "msp.agreements.CustomerTeleported.v1", {"customer_id": customer}, customer_id=customer
    )
    unreadable: list[CloudEvent] = []
    for _ in range(rounds):
        old = envelope(
            "msp.agreements.CustomerRegistered.v0",
            {"customer_id": customer, "navn": "Nordhavn"},
            customer_id=customer,
        )
        unreadable.append(old)
        await bus.publish(
            [
                outgoing(TOPIC, customer, GARBAGE),
                outgoing(TOPIC, customer, unknown_name if not unreadable[1:] else GARBAGE),
                outgoing(TOPIC, customer, old),
            ]
        )
    # A real subscription whose dunning handler always fails, then one that is fine: the
    # same customer, so the same partition, behind every poison message.
    first = await subscribe(running, customer, "hosting-standard")
    second = await subscribe(running, customer, "pc-security")
    await running.settle(timeout=120)

    everyone = consumers_of(running, TOPIC)
    readers = consumers_of(running, TOPIC, "CustomerRegistered")
    garbage_copies = 2 * rounds - 1
    expected = (
        garbage_copies * len(everyone) + rounds * len(readers) + 1  # the broken handler
    )

    async def all_recorded() -> bool:
        found = await running.call("ops", "GET", "/dead-letters", params={"limit": 1000})
        return len(found) >= expected

    await eventually(all_recorded, what=f"{expected} dead letters at ops", timeout=60)
    letters = await running.call("ops", "GET", "/dead-letters", params={"limit": 1000})
    elapsed = time.monotonic() - started

    # Each poison message once per consuming service, with where it came from and why.
    assert len(letters) == expected, dumps(letters)
    garbage = [
        d for d in letters if d["payload_preview"].startswith("\\x00\\xff\\xfe{not an event")
    ]
    assert len(garbage) == garbage_copies * len(everyone)
    assert {d["group"] for d in garbage} == everyone
    assert all(d["original_topic"] == TOPIC and d["key"] == customer for d in letters)
    assert all(d["attempts"] == MAX_ATTEMPTS for d in letters)
    assert all(d["original_offset"] is not None for d in letters)
    assert all(d["error"].startswith("JSONDecodeError") for d in garbage)
    old_ids = {e.id for e in unreadable}
    old_letters = [d for d in letters if d["event_id"] in old_ids]
    assert {d["group"] for d in old_letters} == readers
    assert len(old_letters) == rounds * len(readers)
    assert all("UnknownContract" in d["error"] for d in old_letters)
    broken = [d for d in letters if d["event_id"] == poisoned[0]]
    assert [(d["group"], d["error"]) for d in broken] == [("dunning", f"RuntimeError: {FAULT}")]
    assert not [d for d in letters if d["event_id"] == unknown_name.id], (
        "an event nobody handles is skipped, not dead-lettered"
    )
    by_dunning = await running.call("ops", "GET", "/dead-letters", params={"group": "dunning"})
    assert {d["group"] for d in by_dunning} == {"dunning"}

    # The partition moved on: everything after the poison was handled.
    observed = await running.call(
        "ops", "GET", "/events", params={"customer_id": customer, "limit": 1000}
    )
    names = [e["name"] for e in observed]
    assert names.count("SubscriptionStarted") == 2
    assert names.count("CustomerTeleported") == 1, "ops logs what it does not know"
    dunning_knows = {
        e.data["subscription_id"]
        async for e in running.runtimes["dunning"].store.iterate_all()
        if e.type == "SubscriptionKnown"
    }
    assert dunning_knows == {second}, "dunning skipped only the message its handler failed on"
    assert first != second

    # Operators see them on the dashboard.
    ops = running.clients["ops"]
    login = await ops.post("/dashboard/login", data={"api_key": KEY, "next": "/dashboard"})
    assert login.status_code in (200, 303), login.text
    page = await ops.get("/dashboard/dead-letters", params={"group": "dunning"})
    assert page.status_code == 200
    assert FAULT in page.text and TOPIC in page.text and "Dead letters" in page.text

    ledger = await Ledger.read(running.stores())
    ledger.assert_exactly_once()
    return {"dead_letters": len(letters), "seconds": round(elapsed, 1)}


async def test_on_the_in_process_bus_poison_is_dead_lettered_shown_and_passed(
    tmp_path: Path,
) -> None:
    rounds = 20 if soak() else 1
    async with services(NAMES, tmp_path) as running:
        figures = await run_poison_scenario(running, rounds)
    print(f"\nin-process bus: {figures}")


@pytest.mark.kafka
async def test_on_kafka_poison_is_dead_lettered_shown_and_passed(
    tmp_path: Path, fresh_kafka: KafkaBroker
) -> None:
    kafka = fresh_kafka
    rounds = 20 if soak() else 1
    settings = KafkaSettings(
        bootstrap_servers=kafka.bootstrap, enable_idempotence=kafka.idempotence, partitions=4
    )
    async with services(NAMES, tmp_path, kafka=settings) as running:
        figures = await run_poison_scenario(running, rounds)
    print(f"\nKafka: {figures}")

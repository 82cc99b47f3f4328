"""The bus contract: both adapters keep per-key order, redeliver what was not committed,
dead-letter poison messages and share a group's work without losing any."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Protocol

import pytest
from aiokafka.partitioner import murmur2

from shared.bus.kafka import KafkaBus
from shared.bus.local import LocalBus
from shared.bus.port import Bus, Delivery, Outgoing, dead_letter_topic
from shared.settings import KafkaSettings

# Kafka group joins wait for the broker's rebalance delay; tests poll, so this is a ceiling.
DEADLINE = 30.0


class BusFactory(Protocol):
    """Makes a fresh, unstarted bus on the same log (file or cluster); stopped after the test."""

    def __call__(self, *, max_attempts: int = 5, backoff_seconds: float = 0.2) -> Bus: ...


@pytest.fixture(params=["local", pytest.param("kafka", marks=pytest.mark.kafka)])
async def make_bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BusFactory]:
    """The same test on the embedded bus and on Kafka."""
    settings: KafkaSettings | None = None
    if request.param == "kafka":
        settings = request.getfixturevalue("kafka_settings")
    path = tmp_path / "bus.sqlite"
    made = 0

    async with contextlib.AsyncExitStack() as stops:  # every bus is stopped, even if one fails

        def factory(*, max_attempts: int = 5, backoff_seconds: float = 0.2) -> Bus:
            nonlocal made
            made += 1
            bus: Bus
            if settings is None:
                bus = LocalBus(
                    path, partitions=4, max_attempts=max_attempts, backoff_seconds=backoff_seconds
                )
            else:
                bus = KafkaBus(
                    settings,
                    client_id=f"test-{made}",
                    max_attempts=max_attempts,
                    backoff_seconds=backoff_seconds,
                )
            stops.push_async_callback(bus.stop)
            return bus

        yield factory


def unique(prefix: str) -> str:
    """A topic or group name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


async def wait_until(condition: Callable[[], bool | Awaitable[bool]], what: str) -> None:
    """Poll until the condition holds; fail after DEADLINE."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while True:
        result = condition()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        assert loop.time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def recorder(into: list[Delivery]) -> Callable[[Delivery], Awaitable[None]]:
    """A handler that only remembers what it was given."""

    async def handle(delivery: Delivery) -> None:
        into.append(delivery)

    return handle


async def drained(bus: Bus) -> bool:
    """Nothing published is left uncommitted by the bus's subscriptions."""
    return await bus.lag() == 0


async def all_drained(*buses: Bus) -> bool:
    return all([await drained(bus) for bus in buses])


def values(deliveries: list[Delivery]) -> list[str]:
    """The values as text, in delivery order."""
    return [d.value.decode() for d in deliveries]


async def test_messages_with_the_same_key_arrive_in_publish_order(make_bus: BusFactory) -> None:
    topic, group = unique("order"), unique("g")
    keys = [f"k{n}" for n in range(10)]
    messages = [Outgoing(topic, keys[i % 10], f"{keys[i % 10]}:{i}".encode()) for i in range(200)]
    got: list[Delivery] = []
    bus = make_bus()
    bus.subscribe(group, [topic], recorder(got))
    await bus.start()

    for start in range(0, 200, 50):
        await bus.publish(messages[start : start + 50])
    await wait_until(lambda: len({d.value for d in got}) == 200, "all 200 messages")

    assert sorted(values(got)) == sorted(m.value.decode() for m in messages)
    for key in keys:
        sent = [m.value.decode() for m in messages if m.key == key]
        arrived = [d for d in got if d.key == key]
        assert values(arrived) == sent, f"key {key} out of order"
        assert len({d.partition for d in arrived}) == 1, f"key {key} spread over partitions"
        assert [d.offset for d in arrived] == sorted(d.offset for d in arrived)


async def test_a_consumer_that_dies_before_committing_gets_the_message_again(
    make_bus: BusFactory,
) -> None:
    topic, group = unique("crash"), unique("g")
    entered = asyncio.Event()
    first: list[Delivery] = []

    async def dies_while_handling(delivery: Delivery) -> None:
        first.append(delivery)
        entered.set()
        await asyncio.Event().wait()  # never returns: the bus is stopped under it

    crashing = make_bus()
    crashing.subscribe(group, [topic], dies_while_handling)
    await crashing.start()
    await crashing.publish([Outgoing(topic, "k", b"the message")])
    await asyncio.wait_for(entered.wait(), DEADLINE)
    await crashing.stop()  # cancels the handler: the offset was never committed
    assert values(first) == ["the message"]

    second: list[Delivery] = []
    restarted = make_bus()
    restarted.subscribe(group, [topic], recorder(second))
    await restarted.start()
    await wait_until(lambda: bool(second), "the redelivery")
    await wait_until(lambda: drained(restarted), "the commit")
    assert values(second) == ["the message"]
    assert (second[0].partition, second[0].offset) == (first[0].partition, first[0].offset)
    await restarted.stop()

    third: list[Delivery] = []
    again = make_bus()
    again.subscribe(group, [topic], recorder(third))
    await again.start()
    # Same key, same partition: a redelivery of the handled message would come first.
    await again.publish([Outgoing(topic, "k", b"the next message")])
    await wait_until(lambda: bool(third), "the next message")
    assert values(third) == ["the next message"]


async def test_a_poison_message_goes_to_the_dead_letter_topic_and_the_partition_moves_on(
    make_bus: BusFactory,
) -> None:
    topic, group = unique("poison"), unique("g")
    calls: dict[str, int] = defaultdict(int)
    handled: list[Delivery] = []
    dead: list[Delivery] = []

    async def rejects_the_poison(delivery: Delivery) -> None:
        calls[delivery.value.decode()] += 1
        if delivery.value == b"poison":
            raise ValueError("cannot digest poison #42")
        handled.append(delivery)

    bus = make_bus(max_attempts=3, backoff_seconds=0.01)
    bus.subscribe(group, [topic], rejects_the_poison)
    bus.subscribe(unique("dlt-reader"), [dead_letter_topic(group)], recorder(dead))
    await bus.start()
    await bus.publish(
        [Outgoing(topic, "k", value) for value in (b"before", b"poison", b"after", b"later")]
    )

    await wait_until(lambda: len(handled) == 3 and len(dead) == 1, "the dead letter")
    assert values(handled) == ["before", "after", "later"]
    assert calls == {"before": 1, "poison": 3, "after": 1, "later": 1}
    letter = dead[0]
    assert letter.topic == "deadletter." + group
    assert (letter.key, letter.value) == ("k", b"poison")
    assert "cannot digest poison #42" in (letter.header("dlt-error") or "")
    assert letter.header("dlt-attempts") == "3"
    assert letter.header("dlt-original-topic") == topic
    assert letter.header("dlt-group") == group
    await wait_until(lambda: drained(bus), "the commits")
    assert len(dead) == 1


@pytest.mark.parametrize(
    "make_bus", [pytest.param("kafka", marks=pytest.mark.kafka)], indirect=True
)
async def test_two_members_of_a_group_share_the_work_without_losing_any(
    make_bus: BusFactory,
) -> None:
    # The embedded bus has one process and no group members to share with: Kafka only.
    topic, group = unique("shared"), unique("g")
    keys = [f"k{n}" for n in range(20)]
    messages = [Outgoing(topic, keys[i % 20], f"{keys[i % 20]}:{i}".encode()) for i in range(100)]
    seen: list[tuple[str, Delivery]] = []  # both members, in handling order
    second_is_working = asyncio.Event()

    async def first_member(delivery: Delivery) -> None:
        seen.append(("first", delivery))
        if len(seen) >= 10:
            await second_is_working.wait()  # mid-stream when the group rebalances

    async def second_member(delivery: Delivery) -> None:
        seen.append(("second", delivery))
        second_is_working.set()

    first, second = make_bus(), make_bus()
    first.subscribe(group, [topic], first_member)
    second.subscribe(group, [topic], second_member)
    await first.start()
    for start in range(0, 100, 25):
        await first.publish(messages[start : start + 25])
    await wait_until(lambda: len(seen) >= 10, "the first member to be busy")
    await second.start()  # joining rebalances the group under the first member's batch

    await wait_until(lambda: len({d.value for _, d in seen}) == 100, "all 100 messages")
    by_first = {d.value for name, d in seen if name == "first"}
    by_second = {d.value for name, d in seen if name == "second"}
    assert by_first | by_second == {m.value for m in messages}
    assert by_second - by_first, "the second member took over no work"
    taken_over: set[int] = set()
    for name, delivery in seen:  # a partition has one owner: the loser stops handling it
        if name == "second":
            taken_over.add(delivery.partition)
        else:
            assert delivery.partition not in taken_over, "both members handled one partition"
    for key in keys:
        sent = [m.value.decode() for m in messages if m.key == key]
        firsts = list(dict.fromkeys(d.value.decode() for _, d in seen if d.key == key))
        assert firsts == sent, f"key {key} out of order"
    await wait_until(lambda: all_drained(first, second), "both members to commit everything")


async def test_ping_answers_when_started(make_bus: BusFactory) -> None:
    bus = make_bus()
    assert await bus.ping() is False
    await bus.start()
    assert await bus.ping() is True
    await bus.stop()
    assert await bus.ping() is False


async def test_lag_counts_unhandled_messages_and_goes_to_zero_once_handled(
    make_bus: BusFactory,
) -> None:
    topic, group = unique("lag"), unique("g")
    release = asyncio.Event()
    got: list[Delivery] = []

    async def held(delivery: Delivery) -> None:
        got.append(delivery)
        await release.wait()

    bus = make_bus()
    bus.subscribe(group, [topic], held)
    await bus.start()
    # One publish per message: Tansu (the local test broker) answers ListOffsets(latest) with
    # the last record batch's base offset + 1, so a multi-record batch would hide its lag.
    for i in range(20):
        await bus.publish([Outgoing(topic, f"k{i % 5}", str(i).encode())])
    await wait_until(lambda: bool(got), "the first delivery")
    assert await bus.lag() == 20  # the one in the handler is not handled yet

    release.set()
    await wait_until(lambda: len(got) == 20, "all 20 messages")
    await wait_until(lambda: drained(bus), "lag to reach 0")
    assert await bus.lag() == 0


async def test_a_publish_bigger_than_a_record_batch_keeps_each_keys_order(
    make_bus: BusFactory,
) -> None:
    # About 2.4 MB in one call: several record batches per partition on Kafka.
    topic, group = unique("big"), unique("g")
    keys = ["a", "b", "c"]
    padding = "x" * 4000
    messages = [
        Outgoing(topic, keys[i % 3], f"{keys[i % 3]}:{i}:{padding}".encode()) for i in range(600)
    ]
    got: list[Delivery] = []
    bus = make_bus()
    bus.subscribe(group, [topic], recorder(got))
    await bus.start()

    await bus.publish(messages)
    await wait_until(lambda: len({d.value for d in got}) == 600, "all 600 messages")

    for key in keys:
        sent = [m.value for m in messages if m.key == key]
        arrived = list(dict.fromkeys(d.value for d in got if d.key == key))
        assert arrived == sent, f"key {key} out of order"


@pytest.mark.parametrize(
    "make_bus", [pytest.param("kafka", marks=pytest.mark.kafka)], indirect=True
)
async def test_each_key_lands_on_the_partition_kafkas_default_partitioner_picks(
    make_bus: BusFactory,
) -> None:
    # Other producers (and any send()) must agree with the bus on where a key lives.
    topic, group = unique("partitions"), unique("g")
    keys = [f"customer-{n}" for n in range(40)]
    got: list[Delivery] = []
    bus = make_bus()
    bus.subscribe(group, [topic], recorder(got))
    await bus.start()

    await bus.publish([Outgoing(topic, key, key.encode()) for key in keys])
    await wait_until(lambda: len(got) == 40, "all 40 messages")

    for delivery in got:
        expected = (murmur2(delivery.key.encode()) & 0x7FFFFFFF) % 4
        assert delivery.partition == expected, delivery.key

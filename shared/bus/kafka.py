"""The distributed bus on Apache Kafka (aiokafka): acks=all, manual commits after handling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import (
    CommitFailedError,
    IllegalStateError,
    KafkaError,
    TopicAlreadyExistsError,
)
from aiokafka.partitioner import murmur2
from aiokafka.producer.message_accumulator import BatchBuilder

from shared.bus.port import Delivery, Handler, Outgoing, deliver_with_retries
from shared.settings import KafkaSettings

log = logging.getLogger("msp.bus.kafka")

# Keys (customers) repeat: their murmur2 hashes are kept, up to this many.
_HASH_CACHE = 100_000
# Bytes per record batch: a relay batch of events fits in one request per partition.
_MAX_BATCH_BYTES = 512 * 1024


class KafkaBus:
    """Topics are created with the configured partitions; one consumer per subscription."""

    def __init__(
        self,
        settings: KafkaSettings,
        *,
        client_id: str = "msp",
        max_attempts: int = 5,
        backoff_seconds: float = 0.2,
    ) -> None:
        if not settings.bootstrap_servers:
            raise ValueError("KAFKA_BOOTSTRAP_SERVERS is not set")
        self.settings = settings
        self.bootstrap = settings.bootstrap_servers
        self.client_id = client_id
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self._producer: AIOKafkaProducer | None = None
        self._known_topics: set[str] = set()
        self._partitions: dict[str, list[int]] = {}
        self._hashes: dict[bytes, int] = {}
        self._subscriptions: list[tuple[str, tuple[str, ...], Handler]] = []
        self._consumers: list[AIOKafkaConsumer] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Connect the producer and start every subscription."""
        if self._producer is not None:
            return
        self._producer = AIOKafkaProducer(
            bootstrap_servers=self.bootstrap,
            client_id=self.client_id,
            acks="all",
            enable_idempotence=self.settings.enable_idempotence,
            linger_ms=0,  # publish() hands over whole batches: nothing to wait for
            max_batch_size=_MAX_BATCH_BYTES,
            request_timeout_ms=self.settings.request_timeout_ms,
        )
        await self._producer.start()
        for group, topics, handler in self._subscriptions:
            await self._start_consumer(group, topics, handler)

    async def stop(self) -> None:
        """Stop consuming (uncommitted messages are redelivered to the group), then producing."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        for consumer in self._consumers:
            with contextlib.suppress(KafkaError):
                await consumer.stop()
        self._consumers.clear()
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        """Send all, then wait for every acknowledgement (acks=all).

        Messages go out as one record batch per partition (a new one when it is full), each
        queued behind the partition's previous batch, so per-key order is publish order;
        partitions come from the producer's default partitioner, as send() would choose.
        """
        producer = self._require()
        await self.ensure_topics({m.topic for m in messages})
        open_batches: dict[tuple[str, int], BatchBuilder] = {}
        acks: list[asyncio.Future[Any]] = []
        for m in messages:
            key = m.key.encode()
            tp = (m.topic, await self._partition(producer, m.topic, key))
            headers = list(m.headers)
            batch = open_batches.get(tp)
            if (
                batch is None
                or batch.append(timestamp=None, key=key, value=m.value, headers=headers) is None
            ):
                if batch is not None:
                    acks.append(await producer.send_batch(batch, tp[0], partition=tp[1]))
                batch = open_batches[tp] = producer.create_batch()
                batch.append(timestamp=None, key=key, value=m.value, headers=headers)
        for (topic, partition), batch in open_batches.items():
            acks.append(await producer.send_batch(batch, topic, partition=partition))
        await asyncio.gather(*acks)

    async def _partition(self, producer: AIOKafkaProducer, topic: str, key: bytes) -> int:
        known = producer.client.cluster.partitions_for_topic(topic)
        if not known:
            known = await producer.partitions_for(topic)
        partitions = self._partitions.get(topic)
        if partitions is None or len(partitions) != len(known):
            partitions = self._partitions[topic] = sorted(known)
        hashed = self._hashes.get(key)
        if hashed is None:
            if len(self._hashes) >= _HASH_CACHE:
                self._hashes.clear()
            hashed = self._hashes[key] = murmur2(key) & 0x7FFFFFFF
        return partitions[hashed % len(partitions)]

    def subscribe(self, group: str, topics: Sequence[str], handler: Handler) -> None:
        """One consumer in the group for these topics; started with the bus."""
        self._subscriptions.append((group, tuple(topics), handler))
        if self._producer is not None:
            task = asyncio.create_task(self._start_consumer(group, tuple(topics), handler))
            self._tasks.append(task)

    async def ping(self) -> bool:
        """True when the cluster answers a metadata request."""
        if self._producer is None:
            return False
        try:
            return bool(
                await asyncio.wait_for(self._producer.client.force_metadata_update(), timeout=5)
            )
        except (TimeoutError, KafkaError):
            return False

    async def lag(self) -> int:
        """Messages on assigned partitions not yet committed by this bus's consumers."""
        total = 0
        for consumer in self._consumers:
            assignment = consumer.assignment()
            if not assignment:
                continue
            ends = await consumer.end_offsets(list(assignment))
            for tp in assignment:
                committed = await consumer.committed(tp) or 0
                total += max(0, ends[tp] - committed)
        return total

    async def ensure_topics(self, topics: set[str]) -> None:
        """Create topics this process has not seen yet, with the configured partitions."""
        missing = sorted(topics - self._known_topics)
        if not missing:
            return
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, client_id=self.client_id)
        await admin.start()
        try:
            for topic in missing:
                new = NewTopic(topic, self.settings.partitions, self.settings.replication_factor)
                with contextlib.suppress(TopicAlreadyExistsError):
                    await admin.create_topics([new])
        finally:
            await admin.close()
        self._known_topics.update(missing)

    async def _start_consumer(self, group: str, topics: tuple[str, ...], handler: Handler) -> None:
        await self.ensure_topics(set(topics))
        consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=self.bootstrap,
            client_id=f"{self.client_id}-{group}",
            group_id=group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=500,
            fetch_max_wait_ms=self.settings.fetch_max_wait_ms,
        )
        await consumer.start()
        self._consumers.append(consumer)
        self._tasks.append(
            asyncio.create_task(self._consume(consumer, group, handler), name=f"kafka:{group}")
        )

    async def _consume(self, consumer: AIOKafkaConsumer, group: str, handler: Handler) -> None:
        while True:
            batches = await consumer.getmany(timeout_ms=500)
            for tp, records in batches.items():
                handled: int | None = None
                for record in records:
                    if tp not in consumer.assignment():
                        # Revoked in a rebalance: the new owner resumes from the last commit,
                        # so handling the rest here would only run the same keys twice at once.
                        break
                    delivery = Delivery(
                        topic=record.topic,
                        partition=record.partition,
                        offset=record.offset,
                        key=(record.key or b"").decode(),
                        value=record.value or b"",
                        headers=tuple(record.headers),
                    )
                    await deliver_with_retries(
                        delivery,
                        handler,
                        group=group,
                        max_attempts=self.max_attempts,
                        backoff_seconds=self.backoff_seconds,
                        dead_letter=lambda message: self.publish([message]),
                    )
                    handled = record.offset
                if handled is not None:
                    await self._commit(consumer, tp, handled + 1)

    async def _commit(self, consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> None:
        # After a rebalance the partition may belong to another member; it will redeliver
        # from the last committed offset and the inbox turns the repeat into a no-op.
        # aiokafka raises IllegalStateError when the partition has already left this
        # member's assignment; letting it escape would end the loop for all partitions.
        try:
            await consumer.commit({tp: offset})
        except (CommitFailedError, IllegalStateError):
            log.info("commit refused after rebalance", extra={"partition": tp.partition})

    def _require(self) -> AIOKafkaProducer:
        if self._producer is None:
            raise RuntimeError("the bus is not started")
        return self._producer

"""What every bus adapter promises: per-key order, at-least-once, dead letters after retries."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

log = logging.getLogger("msp.bus")


@dataclass(frozen=True)
class Outgoing:
    """A message to publish: same key, same partition, same order."""

    topic: str
    key: str
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()


@dataclass(frozen=True)
class Delivery:
    """A message handed to a subscriber."""

    topic: str
    partition: int
    offset: int
    key: str
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = field(default=())

    def header(self, name: str) -> str | None:
        """A header's value as text, if present."""
        for key, value in self.headers:
            if key == name:
                return value.decode()
        return None


Handler = Callable[[Delivery], Awaitable[None]]


class Bus(Protocol):
    """Publish and subscribe; offsets move only after the handler returned."""

    async def start(self) -> None:
        """Connect."""

    async def stop(self) -> None:
        """Stop subscriptions and disconnect."""

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        """Send messages; returns once the bus has accepted all of them, in order per key."""

    def subscribe(self, group: str, topics: Sequence[str], handler: Handler) -> None:
        """Deliver the topics' messages to the handler; one group shares the partitions."""

    async def ping(self) -> bool:
        """True when the bus answers."""

    async def lag(self) -> int:
        """Messages published but not yet handled by this bus's subscriptions."""


def dead_letter_topic(group: str) -> str:
    """Where a group's poison messages go."""
    return f"deadletter.{group}"


async def deliver_with_retries(
    delivery: Delivery,
    handler: Handler,
    *,
    group: str,
    max_attempts: int,
    backoff_seconds: float,
    dead_letter: Callable[[Outgoing], Awaitable[None]],
) -> None:
    """Call the handler until it succeeds; after max_attempts send the message to the dead letters."""
    for attempt in range(1, max_attempts + 1):
        try:
            await handler(delivery)
            return
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a handler's failure must never stop the partition
            log.warning(
                "handler failed",
                extra={"group": group, "topic": delivery.topic, "attempt": attempt},
                exc_info=exc if attempt == max_attempts else None,
            )
            if attempt == max_attempts:
                await dead_letter(_dead_letter_message(delivery, group, exc, attempt))
                return
            await asyncio.sleep(backoff_seconds * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))


def _dead_letter_message(delivery: Delivery, group: str, exc: Exception, attempts: int) -> Outgoing:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    headers = (
        *delivery.headers,
        ("dlt-original-topic", delivery.topic.encode()),
        ("dlt-original-partition", str(delivery.partition).encode()),
        ("dlt-original-offset", str(delivery.offset).encode()),
        ("dlt-group", group.encode()),
        ("dlt-error", error.encode()),
        ("dlt-attempts", str(attempts).encode()),
    )
    return Outgoing(
        topic=dead_letter_topic(group), key=delivery.key, value=delivery.value, headers=headers
    )

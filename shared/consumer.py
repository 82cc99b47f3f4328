"""Integration-event subscribers: inbox dedupe, business date, dispatch to a service's handlers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from shared.bus.port import Delivery
from shared.contracts import Contract, UnknownContract, read
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.store.eventstore import (
    DuplicateDelivery,
    EventStore,
    Metadata,
    Transaction,
    retry_on_conflict,
)

log = logging.getLogger("msp.consumer")

EventHandler = Callable[[Transaction, CloudEvent, Contract], Awaitable[None]]
RawHandler = Callable[[Transaction, CloudEvent], Awaitable[None]]


def topic_of(contract: type[Contract]) -> str:
    """Each context publishes on one topic, e.g. billing.events."""
    return f"{contract.context}.events"


class Subscriber:
    """Handles each delivered event once: inbox row and effects commit together."""

    def __init__(
        self,
        store: EventStore,
        consumer: str,
        handlers: Mapping[type[Contract], Sequence[EventHandler]],
        *,
        every_event: RawHandler | None = None,
        extra_topics: Sequence[str] = (),
    ) -> None:
        self.store = store
        self.consumer = consumer
        self.handlers = {cls: list(fns) for cls, fns in handlers.items()}
        self.every_event = every_event
        self.handled = 0
        topics = {topic_of(cls) for cls in self.handlers} | {topic_of(DayStarted)}
        self.topics = sorted(topics | set(extra_topics))

    async def __call__(self, delivery: Delivery) -> None:
        """The bus handler: parse, skip what is not ours, apply once."""
        envelope = CloudEvent.from_json(delivery.value)
        try:
            message: Contract | None = read(envelope)
        except UnknownContract:
            message = None
        handlers = self.handlers.get(type(message), []) if message else []
        if not handlers and self.every_event is None and not isinstance(message, DayStarted):
            return
        meta = Metadata(
            actor=f"service:{self.consumer}",
            correlation_id=envelope.correlationid or envelope.id,
            causation_id=envelope.id,
        )

        async def attempt() -> None:
            async with self.store.transaction(meta) as tx:
                if await tx.already_handled(self.consumer, envelope.id):
                    return
                if isinstance(message, DayStarted):
                    current = await tx.business_date()
                    if current is None or message.date > current:
                        await tx.set_business_date(message.date)
                if self.every_event is not None:
                    await self.every_event(tx, envelope)
                for handler in handlers:
                    await handler(tx, envelope, message)  # type: ignore[arg-type]
                await tx.mark_handled(self.consumer, envelope.id)

        try:
            await retry_on_conflict(attempt)
        except DuplicateDelivery:
            return
        self.handled += 1

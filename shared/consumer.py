"""Integration-event subscribers: inbox dedupe, business date, dispatch to a service's handlers."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from shared.bus.port import Delivery
from shared.contracts import Contract, UnknownContract, read
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.store.availability import retry_while_unavailable
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
        self._handled_names: dict[str, set[str]] = {}
        for cls in self.handlers:
            self._handled_names.setdefault(cls.context, set()).add(cls.__name__)
        topics = {topic_of(cls) for cls in self.handlers} | {topic_of(DayStarted)}
        self.topics = sorted(topics | set(extra_topics))

    async def __call__(self, delivery: Delivery) -> None:
        """The bus handler: parse, skip what is not ours, apply once."""
        envelope = CloudEvent.from_json(delivery.value)
        try:
            message: Contract | None = read(envelope)
        except UnknownContract:
            # An event nobody here handles is skipped (newer publishers may add events); one
            # this consumer handles but cannot read must not vanish: it fails, to the dead letters.
            if envelope.event_name in self._handled_names.get(envelope.context, ()):
                raise
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
            # A lost database is waited out here: it says nothing about the message, so it
            # must not spend the bus's attempts and send a good message to the dead letters.
            await retry_while_unavailable(
                lambda: retry_on_conflict(attempt), what=f"{self.consumer} consumer"
            )
        except DuplicateDelivery:
            return
        self.handled += 1

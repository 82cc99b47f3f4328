"""Load and save aggregates through a transaction of the event store."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

from shared.domain import Aggregate, DomainEvent
from shared.store.eventstore import NewEvent, StoredEvent, Transaction

A = TypeVar("A", bound=Aggregate)


class EventTypes:
    """A context's domain event classes by name, to read its streams back."""

    def __init__(self, classes: Iterable[type[DomainEvent]]) -> None:
        self.by_name = {cls.__name__: cls for cls in classes}

    def decode(self, stored: StoredEvent) -> DomainEvent:
        """The stored row as its domain event."""
        return self.by_name[stored.type].model_validate(stored.data)

    @staticmethod
    def encode(event: DomainEvent) -> NewEvent:
        """A domain event ready to append."""
        return NewEvent(type=type(event).__name__, data=event.model_dump(mode="json"))


class Repository(Generic[A]):
    """Aggregates of one kind, read from and written to their streams."""

    def __init__(self, tx: Transaction, kind: type[A], types: EventTypes) -> None:
        self.tx = tx
        self.kind = kind
        self.types = types

    async def get(self, aggregate_id: str) -> A | None:
        """The aggregate, or None if its stream is empty."""
        stream = await self.tx.load(f"{self.kind.stream_prefix}-{aggregate_id}")
        if not stream:
            return None
        return self.kind.rehydrate(aggregate_id, (self.types.decode(e) for e in stream))

    async def save(self, aggregate: A, *, customer_id: str | None) -> list[StoredEvent]:
        """Append what the aggregate recorded since it was loaded."""
        new = [self.types.encode(event) for event in aggregate.pending]
        stored = await self.tx.append(
            aggregate.stream_id, aggregate.version, new, customer_id=customer_id
        )
        aggregate.version += len(new)
        aggregate.pending.clear()
        return stored

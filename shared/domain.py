"""Pure base classes for aggregates and domain events (standard library and pydantic only)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar, Self

from pydantic import BaseModel, ConfigDict


class DomainEvent(BaseModel):
    """Something that happened inside a context; past tense, frozen."""

    model_config = ConfigDict(frozen=True)


class Aggregate:
    """Checks rules and records events; state changes only in one mutator per event type."""

    stream_prefix: ClassVar[str]

    def __init__(self, aggregate_id: str) -> None:
        self.id = aggregate_id
        self.version = 0
        self.pending: list[DomainEvent] = []

    @property
    def stream_id(self) -> str:
        """The stream the aggregate lives in, e.g. customer-<id>."""
        return f"{self.stream_prefix}-{self.id}"

    @classmethod
    def rehydrate(cls, aggregate_id: str, history: Iterable[DomainEvent]) -> Self:
        """Rebuild state by replaying the stream."""
        aggregate = cls(aggregate_id)
        for event in history:
            aggregate._apply(event)
            aggregate.version += 1
        return aggregate

    def _record(self, event: DomainEvent) -> None:
        self._apply(event)
        self.pending.append(event)

    def _apply(self, event: DomainEvent) -> None:
        getattr(self, f"when_{type(event).__name__}")(event)

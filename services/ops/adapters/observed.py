"""The base of ops' read models: each follows the EventObserved facts, by event name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cached_property
from typing import Any, ClassVar

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.projections import OBSERVED
from shared.contracts import Contract, UnknownContract, read
from shared.envelope import CloudEvent
from shared.store.eventstore import StoredEvent


class Observation:
    """One observed integration event: its envelope, and its contract when ops knows it."""

    def __init__(self, envelope: CloudEvent, stored: StoredEvent) -> None:
        self.envelope = envelope
        self.stored = stored
        self.data: dict[str, Any] = envelope.data

    @cached_property
    def message(self) -> Contract | None:
        """The data as the current contract version; None for events without a known contract."""
        try:
            return read(self.envelope)
        except (UnknownContract, ValueError):
            # Contexts still being built (provisioning) publish without a contract ops knows.
            return None

    @property
    def name(self) -> str:
        """The event name, e.g. InvoiceIssued."""
        return self.envelope.event_name

    @property
    def customer_id(self) -> str | None:
        """The customer the event concerns."""
        return self.envelope.customerid or self.data.get("customer_id")

    @property
    def day(self) -> date | None:
        """The business date it happened on."""
        return self.envelope.businessdate


Handler = Callable[[AsyncConnection, Observation], Awaitable[None]]
# Every view sees the same event in turn: parse its envelope (and contract) once, not per view.
_last: list[Observation] = []


def observation(event: StoredEvent) -> Observation:
    """The event as an Observation, reusing the one the previous view made of it."""
    if _last and _last[0].stored.event_id == event.event_id:
        return _last[0]
    seen = Observation(CloudEvent.model_validate(event.data), event)
    _last[:] = [seen]
    return seen


class ObservedView:
    """Dispatch EventObserved to `on_<EventName>` methods; subclasses name their tables."""

    name: ClassVar[str]
    tables: Sequence[Table] = ()

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project one event of ops' own log."""
        if event.type == OBSERVED:
            await self.observe(conn, observation(event))

    async def observe(self, conn: AsyncConnection, seen: Observation) -> None:
        """Hand the observation to its on_<EventName> method, if the view has one."""
        handler: Handler | None = getattr(self, f"on_{seen.name}", None) or self.fallback(seen.name)
        if handler is not None:
            await handler(conn, seen)

    def fallback(self, name: str) -> Handler | None:
        """A handler for names without an on_ method (e.g. a family of vendor events)."""
        return None


def day(value: Any) -> date | None:
    """A date from its ISO text (or None)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def money(value: Any) -> Decimal:
    """An amount from its JSON string."""
    return Decimal(str(value)) if value is not None else Decimal("0")


def utc(value: datetime | None) -> datetime | None:
    """Aware UTC; SQLite hands datetimes back naive, and they were stored as UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

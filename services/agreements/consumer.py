"""Integration events the agreements context subscribes to: the days of the clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from services.agreements.handlers import end_due_subscriptions
from shared.consumer import EventHandler
from shared.contracts import Contract
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.store.eventstore import Transaction


async def on_day_started(tx: Transaction, _: CloudEvent, message: Contract) -> None:
    """Subscriptions whose notice has run out end."""
    assert isinstance(message, DayStarted)
    await end_due_subscriptions(tx, message.date)


def handlers() -> Mapping[type[Contract], Sequence[EventHandler]]:
    """Agreements is upstream of every other context; it only follows the clock."""
    return {DayStarted: [on_day_started]}

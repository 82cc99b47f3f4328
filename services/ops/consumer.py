"""Ops observes every integration event on every context's topic."""

from __future__ import annotations

from services.ops.adapters.projections import OBSERVED
from shared.envelope import CloudEvent
from shared.store.eventstore import NewEvent, Transaction

CONTEXTS = ("agreements", "billing", "dunning", "provisioning", "assets", "clock")
TOPICS = tuple(f"{context}.events" for context in CONTEXTS)


async def observe(tx: Transaction, envelope: CloudEvent) -> None:
    """Record the event as ops' own fact; one stream per observation, so no contention."""
    await tx.append(
        f"observed-{envelope.id}",
        0,
        [NewEvent(OBSERVED, envelope.model_dump(mode="json", exclude_none=True))],
        customer_id=envelope.customerid,
    )

"""The event log read model: every integration event the platform published."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.tables import event_log
from shared.envelope import CloudEvent
from shared.store.eventstore import StoredEvent
from shared.store.upsert import upsert

OBSERVED = "EventObserved"


class EventLog:
    """One row per observed event, with its envelope for the dashboard."""

    name = "event_log"
    tables = [event_log]

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project EventObserved."""
        if event.type != OBSERVED:
            return
        envelope = CloudEvent.model_validate(event.data)
        row = {
            "event_id": envelope.id,
            "type": envelope.type,
            "name": envelope.event_name,
            "context": envelope.context,
            "customer_id": envelope.customerid,
            "subject": envelope.subject,
            "business_date": envelope.businessdate,
            "time": envelope.time,
            "actor": envelope.actor,
            "correlation_id": envelope.correlationid,
            "causation_id": envelope.causationid,
            "envelope": event.data,
        }
        await upsert(conn, event_log, row, key=["event_id"])

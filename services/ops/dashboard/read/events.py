"""The event log as the dashboard shows it: rows with customer names and summaries; chains."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.tables import event_log
from services.ops.adapters.view_tables import customer_view
from services.ops.dashboard.summaries import describe

CHAIN_LIMIT = 50


@dataclass(frozen=True)
class Filters:
    """What the event list is narrowed to: a customer, an event name, a service."""

    customer_id: str | None = None
    name: str | None = None
    context: str | None = None


def _query(filters: Filters) -> Any:
    query = select(event_log, customer_view.c.name.label("customer_name")).outerjoin(
        customer_view, customer_view.c.customer_id == event_log.c.customer_id
    )
    for column, value in (
        (event_log.c.customer_id, filters.customer_id),
        (event_log.c.name, filters.name),
        (event_log.c.context, filters.context),
    ):
        if value:
            query = query.where(column == value)
    return query


def _row(row: Any) -> dict[str, Any]:
    data = dict(row)
    data["summary"] = describe(data["name"], data["envelope"].get("data", {}))
    return data


async def event_rows(
    conn: AsyncConnection,
    filters: Filters = Filters(),
    *,
    before_seq: int | None = None,
    after_seq: int | None = None,
    limit: int = 100,
    by_business_date: bool = False,
) -> list[dict[str, Any]]:
    """Events newest first (or, with after_seq, the ones after it, oldest first).

    by_business_date orders a timeline by the day things happened: services catching up
    on the same days observe in an interleaved order.
    """
    query = _query(filters)
    if after_seq is not None:
        query = query.where(event_log.c.seq > after_seq).order_by(event_log.c.seq)
    elif by_business_date:
        query = query.order_by(event_log.c.business_date.desc(), event_log.c.seq.desc())
    else:
        query = query.order_by(event_log.c.seq.desc())
    if before_seq is not None:
        query = query.where(event_log.c.seq < before_seq)
    return [_row(r) for r in (await conn.execute(query.limit(limit))).mappings()]


async def last_seq(conn: AsyncConnection) -> int:
    """The newest event's sequence number (0 when the log is empty)."""
    found = await conn.execute(select(event_log.c.seq).order_by(event_log.c.seq.desc()).limit(1))
    return int(found.scalar() or 0)


async def filter_choices(conn: AsyncConnection) -> dict[str, list[Any]]:
    """What the filters offer: event names, services and customers seen."""
    names = (
        await conn.execute(select(event_log.c.name).distinct().order_by(event_log.c.name))
    ).scalars()
    contexts = (
        await conn.execute(select(event_log.c.context).distinct().order_by(event_log.c.context))
    ).scalars()
    customers = await conn.execute(
        select(customer_view.c.customer_id, customer_view.c.name).order_by(customer_view.c.name)
    )
    return {
        "names": list(names),
        "contexts": list(contexts),
        "customers": [dict(c._mapping) for c in customers],
    }


async def chain(
    conn: AsyncConnection, event_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]] | None:
    """The event, what caused it (oldest first) and what it caused; None if unknown."""

    async def one(wanted: str) -> dict[str, Any] | None:
        found = (
            (await conn.execute(_query(Filters()).where(event_log.c.event_id == wanted)))
            .mappings()
            .first()
        )
        return _row(found) if found else None

    event = await one(event_id)
    if event is None:
        return None
    causes: list[dict[str, Any]] = []
    cause_id = event["causation_id"]
    while cause_id and len(causes) < CHAIN_LIMIT and (cause := await one(cause_id)):
        causes.insert(0, cause)
        cause_id = cause["causation_id"]
    effects = (
        await conn.execute(
            _query(Filters()).where(event_log.c.causation_id == event_id).order_by(event_log.c.seq)
        )
    ).mappings()
    return event, causes, [_row(e) for e in effects]

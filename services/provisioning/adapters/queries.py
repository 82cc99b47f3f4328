"""Questions the worker, the consumer and the API ask of provisioning's own read models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.provisioning.adapters import tables as t
from services.provisioning.adapters.projections import db_time
from services.provisioning.domain.action import BLOCKING
from shared.store.eventstore import BUSINESS_DATE_KEY, EventStore, Transaction
from shared.store.reads import ReadQuery
from shared.store.schema import service_state

_BLOCKING = sorted(str(state) for state in BLOCKING)
_earlier = t.actions.alias("earlier")


def _unblocked() -> Any:
    """No earlier action of the same subscription is still unfinished."""
    return ~exists().where(
        and_(
            _earlier.c.subscription_id == t.actions.c.subscription_id,
            _earlier.c.sequence < t.actions.c.sequence,
            or_(*(_earlier.c.state == state for state in _BLOCKING)),  # no IN: see ReadQuery
        )
    )


def _due(moment: Any) -> Any:
    """Pending, failed and due again, or in flight on a lease that has lapsed."""
    return or_(
        t.actions.c.state == "pending",
        and_(
            t.actions.c.state == "failed",
            or_(t.actions.c.next_attempt_at.is_(None), t.actions.c.next_attempt_at <= moment),
        ),
        and_(t.actions.c.state == "in_flight", t.actions.c.lease_until <= moment),
    )


# The worker's round, compiled once: on PostgreSQL each runs as one statement on the store's
# read connections, or on the claim's own connection (bench/README.md, section 5).
_BUSINESS_DATE = ReadQuery(
    select(service_state.c.value).where(service_state.c.key == BUSINESS_DATE_KEY)
)
_DUE = ReadQuery(  # oldest due first, in each subscription's order
    select(t.actions.c.action_id)
    .where(_due(bindparam("moment", type_=t.actions.c.lease_until.type)), _unblocked())
    .order_by(t.actions.c.next_attempt_at.asc().nulls_first(), t.actions.c.queued_at)
    .limit(bindparam("limit"))
)
_REFERENCE = ReadQuery(
    select(t.subscriptions.c.vendor_reference).where(
        t.subscriptions.c.subscription_id == bindparam("subscription_id")
    )
)
_LOCK = ReadQuery(
    select(t.actions.c.action_id)
    .where(t.actions.c.action_id == bindparam("action_id"))
    .with_for_update(skip_locked=True)
)
_UNBLOCKED = ReadQuery(
    select(t.actions.c.action_id).where(
        t.actions.c.action_id == bindparam("action_id"), _unblocked()
    )
)


async def round_reads(
    store: EventStore, now: datetime, limit: int
) -> tuple[date | None, list[str]]:
    """What a worker's round starts from: the business date, and the actions due now."""
    today = await store.read(_BUSINESS_DATE)
    due = await store.read(_DUE, {"moment": db_time(now), "limit": limit})
    value = today[0]["value"] if today else None
    return (date.fromisoformat(value["date"]) if value else None), [r["action_id"] for r in due]


async def reference_of(store: EventStore, subscription_id: str) -> dict[str, str]:
    """Where the subscription lives at its vendor ({} when nobody said), outside a transaction."""
    found = await store.read(_REFERENCE, {"subscription_id": subscription_id})
    return dict((found[0]["vendor_reference"] if found else None) or {})


async def claimable_now(tx: Transaction, action_id: str) -> bool:
    """Lock the action's row for this claim and check no earlier action holds it back.

    PostgreSQL skips a row another worker has locked (that worker claims it); SQLite
    serialises writers anyway.
    """
    if not tx.store.postgres:
        found = await tx.conn.execute(_UNBLOCKED.query, {"action_id": action_id})
        return found.first() is not None
    driver = await tx.driver()
    params = {"action_id": action_id}
    if await driver.fetchval(_LOCK.sql, *_LOCK.args(params)) is None:
        return False
    return await driver.fetchval(_UNBLOCKED.sql, *_UNBLOCKED.args(params)) is not None


async def subscription_actions(conn: AsyncConnection, subscription_id: str) -> list[str]:
    """Every action of a subscription, in queue order."""
    query = (
        select(t.actions.c.action_id)
        .where(t.actions.c.subscription_id == subscription_id)
        .order_by(t.actions.c.sequence)
    )
    return list((await conn.execute(query)).scalars())


async def waiting_for_reference(conn: AsyncConnection, subscription_id: str) -> list[str]:
    """Actions of a subscription held back by a missing vendor reference."""
    query = (
        select(t.actions.c.action_id)
        .where(
            t.actions.c.subscription_id == subscription_id,
            t.actions.c.state == "needs_reference",
        )
        .order_by(t.actions.c.sequence)
    )
    return list((await conn.execute(query)).scalars())


async def vendor_reference(conn: AsyncConnection, subscription_id: str) -> dict[str, str]:
    """Where the subscription lives at its vendor ({} when nobody said)."""
    found = (await conn.execute(_REFERENCE.query, {"subscription_id": subscription_id})).scalar()
    return dict(found or {})


async def restores_past(conn: AsyncConnection, moment: datetime) -> list[str]:
    """Unfinished restores whose deadline has passed and that are not yet reported."""
    query = select(t.actions.c.action_id).where(
        t.actions.c.restore_deadline.is_not(None),
        t.actions.c.restore_deadline <= db_time(moment),
        t.actions.c.breached_on.is_(None),
        t.actions.c.state.not_in(["done", "superseded"]),
    )
    return list((await conn.execute(query)).scalars())


# For the API ------------------------------------------------------------------------------


async def list_actions(
    conn: AsyncConnection,
    *,
    states: Sequence[str] = (),
    customer_id: str | None = None,
    subscription_id: str | None = None,
) -> list[dict[str, Any]]:
    """Actions, newest first, filtered."""
    query = select(t.actions).order_by(t.actions.c.queued_at.desc(), t.actions.c.action_id)
    if states:
        query = query.where(t.actions.c.state.in_(list(states)))
    if customer_id:
        query = query.where(t.actions.c.customer_id == customer_id)
    if subscription_id:
        query = query.where(t.actions.c.subscription_id == subscription_id)
    return [dict(row) for row in (await conn.execute(query)).mappings()]


async def one_action(conn: AsyncConnection, action_id: str) -> dict[str, Any] | None:
    """One action's row."""
    query = select(t.actions).where(t.actions.c.action_id == action_id)
    row = (await conn.execute(query)).mappings().first()
    return dict(row) if row else None


async def attempts_of(conn: AsyncConnection, action_id: str) -> list[dict[str, Any]]:
    """An action's tries, first first."""
    query = (
        select(t.attempts).where(t.attempts.c.action_id == action_id).order_by(t.attempts.c.attempt)
    )
    return [dict(row) for row in (await conn.execute(query)).mappings()]


async def manual_tasks(conn: AsyncConnection, state: str | None = None) -> list[dict[str, Any]]:
    """Manual tasks, oldest first."""
    query = select(t.manual_tasks).order_by(t.manual_tasks.c.opened_at, t.manual_tasks.c.task_id)
    if state:
        query = query.where(t.manual_tasks.c.state == state)
    return [dict(row) for row in (await conn.execute(query)).mappings()]


async def manual_task(conn: AsyncConnection, task_id: str) -> dict[str, Any] | None:
    """One manual task."""
    query = select(t.manual_tasks).where(t.manual_tasks.c.task_id == task_id)
    row = (await conn.execute(query)).mappings().first()
    return dict(row) if row else None


async def restore_breaches(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Restores that broke the promised hours."""
    query = (
        select(t.actions)
        .where(t.actions.c.breached_on.is_not(None))
        .order_by(t.actions.c.breached_on, t.actions.c.action_id)
    )
    return [dict(row) for row in (await conn.execute(query)).mappings()]

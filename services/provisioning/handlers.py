"""Provisioning commands: queue actions, keep references, watch deadlines, operator requests.

None of these calls a vendor: the consumer transaction only records what must happen,
and the action worker (worker.py) carries it out in transactions of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar
from zoneinfo import ZoneInfo

from services.provisioning.adapters import queries
from services.provisioning.domain import events as ev
from services.provisioning.domain.action import ProvisioningAction
from services.provisioning.domain.plans import Operation, missing_keys, plan
from services.provisioning.domain.subscription import ServiceSubscription
from services.provisioning.domain.timing import restore_deadline, start_of
from services.provisioning.publishing import contracts_for
from shared.contracts import provisioning as contracts
from shared.envelope import utcnow
from shared.errors import NotFound
from shared.repository import EventTypes, Repository
from shared.store.eventstore import EventStore, Metadata, Transaction, retry_on_conflict

TYPES = EventTypes(ev.ALL)
T = TypeVar("T")
log = logging.getLogger("msp.provisioning")


async def run(store: EventStore, meta: Metadata, work: Callable[[Transaction], Awaitable[T]]) -> T:
    """Run work in a transaction, again from scratch while it loses concurrency races."""

    async def attempt() -> T:
        async with store.transaction(meta) as tx:
            return await work(tx)

    return await retry_on_conflict(attempt)


async def load_action(tx: Transaction, action_id: str) -> ProvisioningAction | None:
    """An action, or None."""
    return await Repository(tx, ProvisioningAction, TYPES).get(action_id)


async def save_action(tx: Transaction, action: ProvisioningAction) -> None:
    """Append the action's new events and publish the public ones."""
    recorded = list(action.pending)
    customer = action.facts.customer_id
    await Repository(tx, ProvisioningAction, TYPES).save(action, customer_id=customer)
    for event in recorded:
        for message in contracts_for(action, event):
            await tx.publish(
                message,
                topic=contracts.TOPIC,
                customer_id=customer,
                subject=f"provisioning-action-{action.id}",
            )


async def load_subscription(tx: Transaction, subscription_id: str) -> ServiceSubscription:
    """The subscription as provisioning knows it (empty until something names it)."""
    repository = Repository(tx, ServiceSubscription, TYPES)
    return await repository.get(subscription_id) or ServiceSubscription(subscription_id)


async def record_subscription(
    tx: Transaction,
    *,
    customer_id: str,
    subscription_id: str,
    sku: str,
    service_kind: str,
    quantity: int,
    reference: dict[str, str],
) -> dict[str, str]:
    """Keep the subscription's vendor reference; actions that waited for it may run now."""
    subscription = await load_subscription(tx, subscription_id)
    subscription.know(
        customer_id=customer_id,
        sku=sku,
        service_kind=service_kind,
        quantity=quantity,
        reference=reference,
    )
    await Repository(tx, ServiceSubscription, TYPES).save(subscription, customer_id=customer_id)
    for action_id in await queries.waiting_for_reference(tx.conn, subscription_id):
        action = await load_action(tx, action_id)
        if action is not None:
            action.resolve_reference(subscription.reference)
            await save_action(tx, action)
    return subscription.reference


@dataclass(frozen=True)
class ActionRequest:
    """A dunning decision (or a subscription's end) about one subscription."""

    customer_id: str
    subscription_id: str
    sku: str | None
    service_kind: str | None
    operation: Operation
    invoice_number: int | None
    occurred_on: date
    after_permanent_closure: bool = False
    restore_within_hours: int | None = None

    @property
    def action_id(self) -> str:
        """Stable: the same decision delivered twice is the same action."""
        cause = "end" if self.invoice_number is None else str(self.invoice_number)
        return f"{self.subscription_id}-{self.operation}-{cause}"


async def queue_action(tx: Transaction, request: ActionRequest, zone: ZoneInfo) -> str | None:
    """Record the action as pending (or as needing a reference); never call a vendor here."""
    action_id = request.action_id
    if await load_action(tx, action_id) is not None:
        return action_id
    subscription = await load_subscription(tx, request.subscription_id)
    kind = request.service_kind or subscription.service_kind or "unknown"
    sku = request.sku or subscription.sku or "unknown"
    steps = plan(kind, request.operation, after_closure=request.after_permanent_closure)
    if not steps:
        log.info("%s of %s needs nothing at a vendor", request.operation, kind)
        return None
    deadline = None
    if request.operation == "restore" and request.restore_within_hours:
        deadline = restore_deadline(request.occurred_on, request.restore_within_hours, zone)
    action = ProvisioningAction.queue(
        ev.ActionQueued(
            action_id=action_id,
            customer_id=request.customer_id,
            subscription_id=request.subscription_id,
            sku=sku,
            service_kind=kind,
            operation=request.operation,
            invoice_number=request.invoice_number,
            occurred_on=request.occurred_on,
            sequence=subscription.schedule(action_id),
            steps=[step.name for step in steps],
            missing=missing_keys(steps, subscription.reference),
            after_permanent_closure=request.after_permanent_closure,
            restore_within_hours=request.restore_within_hours,
            restore_deadline=deadline,
            correlation_id=tx.meta.correlation_id,
            cause_event_id=tx.meta.causation_id,
        )
    )
    for earlier_id in await queries.subscription_actions(tx.conn, request.subscription_id):
        earlier = await load_action(tx, earlier_id)
        if earlier is not None and earlier.supersedable_by(request.operation):
            earlier.supersede(action_id)
            await save_action(tx, earlier)
    await Repository(tx, ServiceSubscription, TYPES).save(
        subscription, customer_id=request.customer_id
    )
    await save_action(tx, action)
    return action_id


async def supersede_if_moot(tx: Transaction, action: ProvisioningAction) -> None:
    """A dead-lettered action whose subscription has a later, opposite action is moot."""
    ordered = await queries.subscription_actions(tx.conn, action.facts.subscription_id)
    for later_id in ordered[ordered.index(action.id) + 1 :]:
        later = await load_action(tx, later_id)
        if later is not None and action.supersedable_by(later.facts.operation):
            action.supersede(later_id)
            await save_action(tx, action)
            return


async def check_restore_deadlines(tx: Transaction, day: date, zone: ZoneInfo) -> int:
    """A new business day: report restores that passed their deadline undone."""
    raised = 0
    for action_id in await queries.restores_past(tx.conn, start_of(day, zone)):
        action = await load_action(tx, action_id)
        if action is None:
            continue
        reference = await queries.vendor_reference(tx.conn, action.facts.subscription_id)
        if action.check_restore_deadline(day, zone, reference.get("domain")):
            await save_action(tx, action)
            raised += 1
    return raised


async def request_retry(store: EventStore, action_id: str, meta: Metadata) -> None:
    """An operator sends a dead-lettered action back for a new round of tries."""

    async def work(tx: Transaction) -> None:
        action = await load_action(tx, action_id)
        if action is None:
            raise NotFound(f"no action {action_id}", field="action_id")
        action.request_retry(meta.actor, utcnow())
        await save_action(tx, action)

    await run(store, meta, work)


async def complete_manual_task(
    store: EventStore, task_id: str, note: str | None, meta: Metadata, zone: ZoneInfo
) -> str:
    """Operations confirm a manual task; returns the action it belongs to."""

    async def work(tx: Transaction) -> str:
        task = await queries.manual_task(tx.conn, task_id)
        action = await load_action(tx, task["action_id"]) if task else None
        if task is None or action is None:
            raise NotFound(f"no manual task {task_id}", field="task_id")
        action.complete_manual_task(meta.actor, note, await tx.business_date(), utcnow(), zone)
        await save_action(tx, action)
        return action.id

    return await run(store, meta, work)

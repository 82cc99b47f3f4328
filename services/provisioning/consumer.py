"""The events provisioning follows: subscriptions and their references, dunning's decisions, days."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from services.provisioning import handlers as h
from services.provisioning.domain.plans import Operation
from services.provisioning.wiring import Wiring
from shared.consumer import EventHandler
from shared.contracts import Contract
from shared.contracts import agreements as a
from shared.contracts import dunning as d
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.store.eventstore import Transaction


def handlers(wiring: Wiring) -> Mapping[type[Contract], Sequence[EventHandler]]:
    """Provisioning's subscriptions; each records, none calls a vendor."""
    zone = wiring.zone

    async def known(tx: Transaction, m: Any, quantity: int) -> None:
        reference = await h.record_subscription(
            tx,
            customer_id=m.customer_id,
            subscription_id=m.subscription_id,
            sku=m.sku,
            service_kind=m.service_kind,
            quantity=quantity,
            reference=dict(m.vendor_reference),
        )
        seeder = wiring.seeder
        if seeder is not None and reference:

            async def seed() -> None:
                seeder.ensure(m.sku, reference, quantity)

            tx.after_commit(seed)
        tx.after_commit(wiring.nudge)

    async def subscription_started(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.SubscriptionStarted)
        await known(tx, m, m.quantity)

    async def reference_set(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.SubscriptionVendorReferenceSet)
        await known(tx, m, 1)

    async def queue(tx: Transaction, request: h.ActionRequest) -> None:
        await h.queue_action(tx, request, zone)
        tx.after_commit(wiring.nudge)

    async def suspended(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, d.ServiceSuspended)
        await queue(tx, _request(m, "suspend", m.suspended_on))

    async def closed(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, d.ServicePermanentlyClosed)
        await queue(tx, _request(m, "close", m.closed_on))

    async def deletion_due(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, d.HostedDataDeletionDue)
        await queue(tx, _request(m, "delete", m.due_on))

    async def restored(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, d.ServiceRestored)
        request = h.ActionRequest(
            customer_id=m.customer_id,
            subscription_id=m.subscription_id,
            sku=m.sku,
            service_kind=m.service_kind,
            operation="restore",
            invoice_number=m.invoice_number,
            occurred_on=m.restored_on,
            after_permanent_closure=m.after_permanent_closure,
            restore_within_hours=m.restore_within_hours,
        )
        await queue(tx, request)

    async def ended(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.SubscriptionEnded)
        request = h.ActionRequest(
            customer_id=m.customer_id,
            subscription_id=m.subscription_id,
            sku=None,  # from SubscriptionStarted
            service_kind=None,
            operation="end",
            invoice_number=None,
            occurred_on=m.end_date,
        )
        await queue(tx, request)

    async def day_started(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, DayStarted)
        await h.check_restore_deadlines(tx, m.date, zone)

    return {
        a.SubscriptionStarted: [subscription_started],
        a.SubscriptionVendorReferenceSet: [reference_set],
        a.SubscriptionEnded: [ended],
        d.ServiceSuspended: [suspended],
        d.ServicePermanentlyClosed: [closed],
        d.HostedDataDeletionDue: [deletion_due],
        d.ServiceRestored: [restored],
        DayStarted: [day_started],
    }


def _request(m: Any, operation: Operation, on: Any) -> h.ActionRequest:
    return h.ActionRequest(
        customer_id=m.customer_id,
        subscription_id=m.subscription_id,
        sku=m.sku,
        service_kind=m.service_kind,
        operation=operation,
        invoice_number=m.invoice_number,
        occurred_on=on,
    )

"""The events dunning follows: customers, subscriptions, invoices and payments, the clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal

from services.dunning import handlers as h
from services.dunning.domain import events as ev
from shared.consumer import EventHandler
from shared.contracts import Contract
from shared.contracts import agreements as a
from shared.contracts import billing as b
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.profile import Profile
from shared.store.eventstore import Transaction


def handlers(profile: Profile) -> Mapping[type[Contract], Sequence[EventHandler]]:
    """Dunning's subscriptions, bound to the provider's policy."""
    policy = profile.dunning

    async def customer_registered(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.CustomerRegistered)
        debtor = await h.debtor(tx, m.customer_id)
        if debtor.version == 0:
            debtor._record(  # the record opens with the customer: no rule to check
                ev.DebtorRegistered(
                    customer_id=m.customer_id,
                    name=m.name,
                    cvr=m.cvr,
                    kind=m.kind,
                    finance_email=m.finance_email,
                )
            )
            await h.save(tx, debtor, profile)

    async def subscription_started(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.SubscriptionStarted)
        debtor = await h.debtor(tx, m.customer_id)
        debtor.know_subscription(
            ev.SubscriptionKnown(
                subscription_id=m.subscription_id,
                sku=m.sku,
                name=m.name,
                service_kind=m.service_kind,
                suspendable=m.suspendable,
            )
        )
        await h.save(tx, debtor, profile)

    async def invoice_issued(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, b.InvoiceIssued)
        debtor = await h.debtor(tx, m.customer_id)
        debtor.know_invoice(
            ev.InvoiceKnown(
                invoice_number=m.invoice_number,
                kind=m.kind,
                issue_date=m.issue_date,
                due_date=m.due_date,
                total=m.total,
                payment_id=m.payment_id,
                fi_payment_line=m.fi_payment_line,
                subscription_ids=sorted(
                    {line.subscription_id for line in m.lines if line.subscription_id}
                ),
                regarding_invoice=m.regarding_invoice,
            )
        )
        # The clock may be ahead of billing (days advanced in one go): catch up at once,
        # each step still dated by its own day.
        if (today := await tx.business_date()) is not None:
            debtor.advance(today, policy)
        await h.save(tx, debtor, profile)

    async def balance(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        if isinstance(m, b.InvoicePartiallyPaid):
            number, left, on, cause = m.invoice_number, m.balance, m.paid_on, "payment"
        elif isinstance(m, b.InvoicePaid):
            number, left, on, cause = m.invoice_number, Decimal("0"), m.paid_on, "payment"
        else:
            assert isinstance(m, b.CreditNoteIssued)
            number, left, on, cause = (
                m.invoice_number,
                m.invoice_balance,
                m.issue_date,
                "credit note",
            )
        debtor = await h.debtor(tx, m.customer_id)
        debtor.change_balance(number, left, on, cause, policy)
        await h.save(tx, debtor, profile)

    async def disputed(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, b.InvoiceDisputed)
        debtor = await h.debtor(tx, m.customer_id)
        debtor.note_dispute(m.invoice_number, m.pauses_dunning, m.received_on)
        await h.save(tx, debtor, profile)

    async def dispute_resolved(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, b.DisputeResolved)
        debtor = await h.debtor(tx, m.customer_id)
        debtor.end_dispute(m.invoice_number, m.outcome, m.resolved_on)
        if (today := await tx.business_date()) is not None:
            debtor.advance(today, policy)
        await h.save(tx, debtor, profile)

    async def day_started(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, DayStarted)
        for customer_id in await h.debtors_to_advance(tx, m.date):
            debtor = await h.debtor(tx, customer_id)
            debtor.advance(m.date, policy)
            await h.save(tx, debtor, profile)

    return {
        a.CustomerRegistered: [customer_registered],
        a.SubscriptionStarted: [subscription_started],
        b.InvoiceIssued: [invoice_issued],
        b.InvoicePartiallyPaid: [balance],
        b.InvoicePaid: [balance],
        b.CreditNoteIssued: [balance],
        b.InvoiceDisputed: [disputed],
        b.DisputeResolved: [dispute_resolved],
        DayStarted: [day_started],
    }

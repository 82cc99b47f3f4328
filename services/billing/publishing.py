"""Which public events billing's domain events give rise to (only contracts cross the bus)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from services.billing.domain import events as ev
from services.billing.domain.account import Account
from services.billing.domain.invoice import Invoice
from services.billing.domain.payments import Payment
from shared.contracts import Contract
from shared.contracts import billing as c
from shared.domain import Aggregate, DomainEvent
from shared.store.batch import Message
from shared.store.eventstore import Transaction


async def publish(
    tx: Transaction, aggregate: Aggregate, events: Sequence[DomainEvent], customer_id: str | None
) -> None:
    """Queue the contracts for one save in the outbox."""
    for m in messages(aggregate, events, customer_id):
        await tx.publish(
            m.message,
            topic=m.topic,
            customer_id=m.customer_id,
            subject=m.subject,
            business_date=m.business_date,
        )


def messages(
    aggregate: Aggregate, events: Sequence[DomainEvent], customer_id: str | None
) -> list[Message]:
    """The contracts one save gives rise to, in order, ready for the outbox."""
    found = []
    for event in events:
        # A document is dated by its issue date, also when issued while catching up.
        day = getattr(event, "issue_date", None)
        for message in _contracts(aggregate, event, events, customer_id):
            found.append(
                Message(
                    message,
                    topic=c.TOPIC,
                    customer_id=customer_id,
                    subject=aggregate.stream_id,
                    business_date=day,
                )
            )
    return found


def _contracts(
    aggregate: Aggregate, event: DomainEvent, batch: Sequence[DomainEvent], customer_id: str | None
) -> list[Contract]:
    if isinstance(aggregate, Invoice):
        return _invoice(aggregate, event, batch)
    if isinstance(aggregate, Payment):
        return _payment(aggregate, event)
    if isinstance(aggregate, Account) and customer_id is not None:
        return _account(aggregate, event, customer_id)
    return []


def _invoice(invoice: Invoice, event: DomainEvent, batch: Sequence[DomainEvent]) -> list[Contract]:
    customer = invoice.customer_id
    match event:
        case ev.InvoiceIssued():
            lines = [
                c.InvoicedLine(
                    description=line.description,
                    amount=line.amount,
                    taxable=line.taxable,
                    sku=line.sku,
                    subscription_id=line.subscription_id,
                    period_start=line.period_start,
                    period_end=line.period_end,
                )
                for line in event.lines
            ]
            data = event.model_dump(
                exclude={"lines", "vat_rate", "payment_terms_days", "period_start", "period_end"}
            )
            return [c.InvoiceIssued(**data, lines=lines)]
        case ev.PaymentApplied() if event.balance > 0:
            return [
                c.InvoicePartiallyPaid(
                    invoice_number=event.invoice_number,
                    customer_id=customer,
                    amount=event.amount,
                    balance=event.balance,
                    paid_on=event.paid_on,
                )
            ]
        case ev.InvoiceSettled():
            return [
                c.InvoicePaid(
                    invoice_number=event.invoice_number,
                    customer_id=customer,
                    paid_on=event.settled_on,
                )
            ]
        case ev.DueDatePassed():
            return [
                c.DueDatePassed(
                    invoice_number=event.invoice_number,
                    customer_id=customer,
                    due_date=event.due_date,
                    balance=event.balance,
                    issue_date=invoice.issue_date,
                )
            ]
        case ev.InvoiceDisputed():
            return [
                c.InvoiceDisputed(
                    **event.model_dump(), customer_id=customer, pauses_dunning=event.in_time
                )
            ]
        case ev.DisputeResolved():
            return [
                c.DisputeResolved(
                    invoice_number=event.invoice_number,
                    customer_id=customer,
                    outcome=event.outcome,
                    resolved_on=event.resolved_on,
                )
            ]
        case ev.CreditNoteIssued():
            applied = [e for e in batch if isinstance(e, ev.CreditApplied)]
            balance = applied[-1].balance if applied else invoice.balance
            return [
                c.CreditNoteIssued(
                    credit_note_number=event.credit_note_number,
                    invoice_number=event.invoice_number,
                    customer_id=customer,
                    issue_date=event.issue_date,
                    total=event.total,
                    invoice_balance=balance,
                    reason=event.reason,
                )
            ]
    return []


def _payment(payment: Payment, event: DomainEvent) -> list[Contract]:
    match event:
        case ev.PaymentMatched():
            return [
                c.PaymentReceived(
                    payment_ref=payment.id,
                    customer_id=event.customer_id,
                    amount=payment.amount,
                    paid_on=payment.paid_on,
                    source=payment.source,
                    method=event.method,
                    credit_balance_added=event.credit_balance_added,
                )
            ]
        case ev.PaymentUnmatched():
            return [
                c.PaymentUnmatched(
                    payment_ref=payment.id,
                    amount=payment.amount,
                    paid_on=payment.paid_on,
                    reference=payment.reference,
                    debtor_name=payment.debtor_name,
                    reason=event.reason,
                )
            ]
    return []


def _account(account: Account, event: DomainEvent, customer_id: str) -> list[Contract]:
    match event:
        case ev.WorkRecorded():
            amount = sum((line.amount for line in event.lines), Decimal("0"))
            return [
                c.WorkRecorded(
                    customer_id=customer_id,
                    entry_id=event.entry_id,
                    kind=event.kind,
                    description=event.description,
                    amount=amount,
                    lines=len(event.lines),
                )
            ]
        case ev.ExtraCostApproved():
            cost = account.costs[event.cost_id].recorded
            return [
                c.ExtraCostApproved(
                    customer_id=customer_id,
                    cost_id=event.cost_id,
                    description=cost.description,
                    amount=cost.quantity * cost.unit_price,
                    approved_by=event.approved_by,
                    approved_on=event.approved_on,
                )
            ]
    return []

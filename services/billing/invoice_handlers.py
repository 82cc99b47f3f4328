"""Disputes, credit notes, payments and bank statements."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from services.billing import commands as cmd
from services.billing.adapters.camt import parse_statement
from services.billing.domain import events as ev
from services.billing.domain.invoice import Invoice
from services.billing.domain.payments import Match, Payment
from services.billing.handlers import load, next_number, receive_payment, run, save, settle, today
from shared.errors import Conflict
from shared.ids import new_id
from shared.profile import Profile
from shared.store.eventstore import EventStore, Metadata, Transaction


async def dispute(
    store: EventStore, profile: Profile, number: int, command: cmd.DisputeInvoice, meta: Metadata
) -> ev.InvoiceDisputed:
    """Record a written question; in time it pauses dunning of the invoice."""

    async def work(tx: Transaction) -> ev.InvoiceDisputed:
        invoice = await load(tx, Invoice, str(number), "invoice_number")
        disputed = invoice.dispute(
            command.received_on or await today(tx), command.reason, profile.invoicing.dispute_days
        )
        await save(tx, invoice, invoice.customer_id)
        return disputed

    return await run(store, meta, work)


async def resolve_dispute(
    store: EventStore, number: int, command: cmd.ResolveDispute, meta: Metadata
) -> None:
    """End the open dispute."""

    async def work(tx: Transaction) -> None:
        invoice = await load(tx, Invoice, str(number), "invoice_number")
        invoice.resolve_dispute(command.outcome, await today(tx), command.note)
        await save(tx, invoice, invoice.customer_id)

    await run(store, meta, work)


async def credit(
    store: EventStore, profile: Profile, number: int, command: cmd.CreditInvoice, meta: Metadata
) -> ev.CreditNoteIssued:
    """Issue a credit note against an invoice (never changing the invoice itself)."""

    async def work(tx: Transaction) -> ev.CreditNoteIssued:
        invoice = await load(tx, Invoice, str(number), "invoice_number")
        lines = None
        if command.lines is not None:
            lines = [
                ev.InvoiceLine(
                    description=line.description,
                    quantity=line.quantity,
                    unit="stk.",
                    unit_price=line.unit_price,
                    amount=line.quantity * line.unit_price,
                    taxable=line.taxable,
                )
                for line in command.lines
            ]
        credit_number = await next_number(tx, profile.id)
        issued = invoice.credit(credit_number, await today(tx), command.reason, lines)
        await save(tx, invoice, invoice.customer_id)
        return issued

    return await run(store, meta, work)


async def register_payment(
    store: EventStore, command: cmd.RegisterPayment, meta: Metadata
) -> tuple[str, str]:
    """A payment by hand: matched by invoice number, FI payment ID, or amount and customer."""
    payment_ref = f"manual:{command.payment_ref or new_id()}"

    async def work(tx: Transaction) -> str:
        return await receive_payment(
            tx,
            payment_ref,
            amount=command.amount,
            paid_on=command.paid_on or await today(tx),
            source="manual",
            reference=command.reference,
            debtor_name=None,
            statement_id=None,
            invoice_number=command.invoice_number,
        )

    return payment_ref, await run(store, meta, work)


async def import_statement(store: EventStore, raw: bytes, meta: Metadata) -> dict[str, int | str]:
    """Import a camt.053/054 file; each entry once, however often the file is imported."""
    statement = await asyncio.to_thread(parse_statement, raw)  # a large file takes seconds
    outcome: dict[str, int | str] = {"statement_id": statement.statement_id, "kind": statement.kind}
    counts = {"matched": 0, "unmatched": 0, "duplicate": 0}
    for entry in statement.entries:

        async def work(tx: Transaction, entry=entry) -> str:  # type: ignore[no-untyped-def]
            return await receive_payment(
                tx,
                f"{statement.kind}:{statement.statement_id}:{entry.entry_ref}",
                amount=entry.amount,
                paid_on=entry.booked_on,
                source=statement.kind,  # type: ignore[arg-type]
                reference=entry.reference,
                debtor_name=entry.debtor_name,
                statement_id=statement.statement_id,
            )

        counts[await run(store, meta, work)] += 1
    outcome.update(entries=len(statement.entries), **counts)
    return outcome


async def assign_payment(
    store: EventStore, payment_ref: str, command: cmd.AssignPayment, meta: Metadata
) -> None:
    """An operator tells an unmatched payment which invoice it pays."""

    async def work(tx: Transaction) -> None:
        payment = await load(tx, Payment, payment_ref, "payment_ref")
        if payment.matched:
            raise Conflict("the payment is already matched", field="payment_ref")
        invoice = await load(tx, Invoice, str(command.invoice_number), "invoice_number")
        applied = min(payment.amount, max(invoice.balance, Decimal("0")))
        match = Match(
            invoice.customer_id,
            f"assigned by {tx.meta.actor} to invoice {invoice.number}",
            [(invoice.number, applied)] if applied > 0 else [],
            payment.amount - applied,
        )
        await settle(tx, payment, match)

    await run(store, meta, work)

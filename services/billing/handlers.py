"""Billing command handlers: load, call the domain, save, publish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal, Protocol, TypeVar

from sqlalchemy import select, update

from services.billing import publishing
from services.billing.adapters import tables as t
from services.billing.domain import events as ev
from services.billing.domain.account import Account
from services.billing.domain.invoice import Invoice
from services.billing.domain.payments import Match, OpenInvoice, Payment, match_payment
from services.billing.domain.periods import billing_horizon
from shared.domain import Aggregate, DomainEvent
from shared.errors import NotFound
from shared.profile import Profile
from shared.repository import EventTypes, Repository
from shared.store.eventstore import (
    EventStore,
    Metadata,
    Transaction,
    business_today,
    run_command,
)
from shared.store.upsert import upsert

TYPES = EventTypes(ev.ALL)
T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)


run = run_command


today = business_today


async def load(tx: Transaction, kind: type[A], aggregate_id: str, field: str) -> A:
    """The aggregate, or NotFound naming the field."""
    found = await Repository(tx, kind, TYPES).get(aggregate_id)
    if found is None:
        raise NotFound(f"no {kind.__name__.lower()} {aggregate_id}", field=field)
    return found


async def save(tx: Transaction, aggregate: Aggregate, customer_id: str | None) -> list[DomainEvent]:
    """Append what the aggregate recorded and publish the public events it gives rise to."""
    recorded = list(aggregate.pending)
    await Repository(tx, type(aggregate), TYPES).save(aggregate, customer_id=customer_id)
    await publishing.publish(tx, aggregate, recorded, customer_id)
    return recorded


async def next_number(tx: Transaction, provider: str) -> int:
    """The next number of the provider's single gapless sequence (invoices and credit notes).

    The row stays locked until the transaction ends, so concurrent issuers queue here and a
    rolled-back issue gives its number back.
    """
    bump = (
        update(t.invoice_numbers)
        .where(t.invoice_numbers.c.provider == provider)
        .values(last_number=t.invoice_numbers.c.last_number + 1)
        .returning(t.invoice_numbers.c.last_number)
    )
    number = (await tx.conn.execute(bump)).scalar()
    if number is None:
        # The provider's first number: create the row; a racing creator makes this a no-op.
        await upsert(
            tx.conn,
            t.invoice_numbers,
            {"provider": provider, "last_number": 0},
            key=["provider"],
            update=False,
        )
        number = (await tx.conn.execute(bump)).scalar_one()
    return int(number)


# --- the invoice run -------------------------------------------------------------------------


async def start_invoice_run(tx: Transaction, profile: Profile, run_date: date) -> bool:
    """Record the run's start (once); True if it still has work to do."""
    stream = await tx.load(f"invoicerun-{run_date.isoformat()}")
    if any(e.type == "InvoiceRunCompleted" for e in stream):
        return False
    if not stream:
        started = ev.InvoiceRunStarted(
            run_date=run_date, horizon=billing_horizon(run_date, profile.invoicing.run_on)
        )
        await tx.append(f"invoicerun-{run_date.isoformat()}", 0, [TYPES.encode(started)])
    return True


async def complete_invoice_run(
    store: EventStore, profile: Profile, run_date: date, meta: Metadata
) -> int:
    """Invoice every customer (one transaction each), then mark the run completed."""
    async with store.engine.connect() as conn:
        customers = list(
            (
                await conn.execute(
                    select(t.accounts.c.customer_id).order_by(t.accounts.c.customer_id)
                )
            ).scalars()
        )
    issued = 0
    for customer_id in customers:

        async def invoice_one(tx: Transaction, customer: str = customer_id) -> int:
            return await invoice_customer(tx, profile, customer, run_date)

        issued += await run(store, meta, invoice_one)

    async def complete(tx: Transaction) -> None:
        stream = await tx.load(f"invoicerun-{run_date.isoformat()}")
        if not any(e.type == "InvoiceRunCompleted" for e in stream):
            done = ev.InvoiceRunCompleted(run_date=run_date, invoices=issued)
            await tx.append(f"invoicerun-{run_date.isoformat()}", len(stream), [TYPES.encode(done)])

    await run(store, meta, complete)
    return issued


async def invoice_customer(
    tx: Transaction, profile: Profile, customer_id: str, run_date: date
) -> int:
    """Issue what the customer's account says is due; nothing twice (the account remembers)."""
    account = await load(tx, Account, customer_id, "customer_id")
    drafts = account.drafts(
        run_date, profile.invoicing.run_on, profile.invoicing.default_payment_terms_days
    )
    for draft in drafts:
        number = await next_number(tx, profile.id)
        invoice = Invoice.issue(
            number,
            customer_id=customer_id,
            kind="run",
            issue_date=run_date,
            payment_terms_days=draft.payment_terms_days,
            lines=draft.lines,
            vat_rate=profile.vat_rate,
            creditor_number=profile.seller.creditor_number,
        )
        await save(tx, invoice, customer_id)
        account.mark_invoiced(number, draft)
    await save(tx, account, customer_id)
    return len(drafts)


async def resume_unfinished_runs(store: EventStore, profile: Profile) -> None:
    """After a crash mid-run: finish every run that started and did not complete."""
    async with store.engine.connect() as conn:
        unfinished = list(
            (
                await conn.execute(
                    select(t.invoice_runs.c.run_date).where(t.invoice_runs.c.status == "running")
                )
            ).scalars()
        )
    for run_date in unfinished:
        await complete_invoice_run(store, profile, run_date, Metadata(actor="service:billing"))


async def pass_due_dates(tx: Transaction, day: date) -> None:
    """On DayStarted: every unpaid invoice whose due date has passed yields DueDatePassed once."""
    due = await tx.conn.execute(
        select(t.invoices.c.invoice_number, t.invoices.c.customer_id).where(
            t.invoices.c.status == "open",
            t.invoices.c.due_passed.is_(False),
            t.invoices.c.due_date < day,
            t.invoices.c.kind
            == "run",  # fee invoices are followed by the dunning case they belong to
        )
    )
    for number, customer_id in due.all():
        invoice = await load(tx, Invoice, str(number), "invoice_number")
        if invoice.pass_due(day):
            await save(tx, invoice, customer_id)


# --- payments --------------------------------------------------------------------------------


async def open_invoices(tx: Transaction) -> list[OpenInvoice]:
    """Invoices matching can pick from (paid ones too: a repeat payment becomes credit)."""
    rows = await tx.conn.execute(
        select(
            t.invoices.c.invoice_number,
            t.invoices.c.customer_id,
            t.known_customers.c.name,
            t.invoices.c.payment_id,
            t.invoices.c.balance,
            t.invoices.c.issue_date,
            t.invoices.c.regarding_invoice,
        ).join(t.known_customers, t.known_customers.c.customer_id == t.invoices.c.customer_id)
    )
    return [OpenInvoice(r[0], r[1], r[2], r[3], Decimal(r[4]), r[5], r[6]) for r in rows.all()]


async def receive_payment(
    tx: Transaction,
    payment_ref: str,
    *,
    amount: Decimal,
    paid_on: date,
    source: Literal["manual", "camt.053", "camt.054"],
    reference: str | None,
    debtor_name: str | None,
    statement_id: str | None,
    invoice_number: int | None = None,
) -> str:
    """Record a payment once and settle what it matches; returns matched, unmatched or duplicate."""
    if await Repository(tx, Payment, TYPES).get(payment_ref) is not None:
        return "duplicate"
    payment = Payment.receive(
        payment_ref,
        amount=amount,
        paid_on=paid_on,
        source=source,
        reference=reference,
        debtor_name=debtor_name,
        statement_id=statement_id,
    )
    invoices = await open_invoices(tx)
    if invoice_number is not None:
        chosen = [i for i in invoices if i.number == invoice_number]
        if not chosen:
            raise NotFound(f"no invoice {invoice_number}", field="invoice_number")
        match: Match | None = _direct(chosen[0], amount)
    else:
        match = match_payment(amount, reference, debtor_name, invoices)
    if match is None:
        payment.leave_unmatched(
            "no invoice with that FI payment ID, and no single open invoice of that amount"
        )
        await save(tx, payment, None)
        return "unmatched"
    await settle(tx, payment, match)
    return "matched"


def _direct(invoice: OpenInvoice, amount: Decimal) -> Match:
    applied = min(amount, max(invoice.balance, Decimal("0")))
    allocations = [(invoice.number, applied)] if applied > 0 else []
    return Match(
        invoice.customer_id,
        f"registered against invoice {invoice.number}",
        allocations,
        amount - applied,
    )


async def settle(tx: Transaction, payment: Payment, match: Match) -> None:
    """Apply a matched payment to its invoices; what is left becomes credit for the customer."""
    payment.match(match)
    await save(tx, payment, match.customer_id)
    for number, allocated in match.allocations:
        invoice = await load(tx, Invoice, str(number), "invoice_number")
        invoice.apply_payment(payment.id, allocated, payment.paid_on)
        await save(tx, invoice, match.customer_id)
    left = match.credit
    if left > 0:
        # What is left pays the customer's other open invoices (its fee invoices first) before credit.
        paid_numbers = {n for n, _ in match.allocations}
        others = [
            i
            for i in await open_invoices(tx)
            if i.customer_id == match.customer_id and i.balance > 0 and i.number not in paid_numbers
        ]
        others.sort(key=lambda i: (i.regarding_invoice not in paid_numbers, i.issue_date, i.number))
        for other in others:
            if left <= 0:
                break
            invoice = await load(tx, Invoice, str(other.number), "invoice_number")
            left = invoice.apply_payment(payment.id, left, payment.paid_on)
            await save(tx, invoice, match.customer_id)
    if left > 0:
        account = await load(tx, Account, match.customer_id, "customer_id")
        account.change_credit_balance(left, f"overbetaling {payment.id}")
        await save(tx, account, match.customer_id)


async def subscriptions_of(tx: Transaction, sku: str) -> list[tuple[str, str]]:
    """(subscription, customer) of every subscription of a SKU."""
    rows = await tx.conn.execute(
        select(
            t.billing_subscriptions.c.subscription_id, t.billing_subscriptions.c.customer_id
        ).where(t.billing_subscriptions.c.sku == sku)
    )
    return [(r[0], r[1]) for r in rows.all()]


class ReminderLike(Protocol):
    """The parts of a ReminderIssued that billing books."""

    @property
    def invoice_number(self) -> int: ...
    @property
    def title(self) -> str: ...
    @property
    def issued_on(self) -> date: ...
    @property
    def deadline(self) -> date | None: ...
    @property
    def fee(self) -> Decimal: ...
    @property
    def compensation(self) -> Decimal: ...
    @property
    def interest(self) -> Decimal: ...


async def issue_fee_invoice(
    tx: Transaction, profile: Profile, reminder: ReminderLike, customer_id: str
) -> int | None:
    """Book a reminder's fee, compensation and interest as VAT-exempt lines on a fee invoice."""
    lines = [
        ev.InvoiceLine(
            description=text,
            quantity=Decimal("1"),
            unit="stk.",
            unit_price=amount,
            amount=amount,
            taxable=False,
        )
        for text, amount in (
            (
                f"Rykkergebyr, {reminder.title} vedr. faktura {reminder.invoice_number}",
                reminder.fee,
            ),
            (
                f"Kompensation, renteloven § 9 a, stk. 3, vedr. faktura {reminder.invoice_number}",
                reminder.compensation,
            ),
            (f"Morarenter vedr. faktura {reminder.invoice_number}", reminder.interest),
        )
        if amount > 0
    ]
    if not lines:
        return None
    number = await next_number(tx, profile.id)
    due = reminder.deadline or reminder.issued_on
    invoice = Invoice.issue(
        number,
        customer_id=customer_id,
        kind="fees",
        issue_date=reminder.issued_on,
        payment_terms_days=(due - reminder.issued_on).days,
        lines=lines,
        vat_rate=profile.vat_rate,
        creditor_number=profile.seller.creditor_number,
        regarding_invoice=reminder.invoice_number,
        due_date=due,
    )
    await save(tx, invoice, customer_id)
    return number

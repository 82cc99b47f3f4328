"""Billing command handlers: load, call the domain, save, publish."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Literal, Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, false, or_, select, update

from services.billing import publishing
from services.billing.adapters import tables as t
from services.billing.domain import events as ev
from services.billing.domain.account import Account, Draft
from services.billing.domain.invoice import Invoice
from services.billing.domain.payments import (
    PAYMENT_ID,
    Match,
    OpenInvoice,
    Payment,
    match_payment,
)
from services.billing.domain.periods import billing_horizon
from shared.domain import Aggregate, DomainEvent
from shared.errors import NotFound
from shared.profile import Profile
from shared.repository import EventTypes, Repository
from shared.store.batch import Message, StreamBatch
from shared.store.eventstore import (
    EventStore,
    Metadata,
    StreamAppend,
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


async def next_numbers(tx: Transaction, provider: str, count: int) -> list[int]:
    """The next `count` numbers of the provider's single gapless sequence (invoices and credit notes).

    The row stays locked until the transaction ends, so concurrent issuers queue here and a
    rolled-back issue gives its numbers back.
    """
    bump = (
        update(t.invoice_numbers)
        .where(t.invoice_numbers.c.provider == provider)
        .values(last_number=t.invoice_numbers.c.last_number + count)
        .returning(t.invoice_numbers.c.last_number)
    )
    last = (await tx.conn.execute(bump)).scalar()
    if last is None:
        # The provider's first number: create the row; a racing creator makes this a no-op.
        await upsert(
            tx.conn,
            t.invoice_numbers,
            {"provider": provider, "last_number": 0},
            key=["provider"],
            update=False,
        )
        last = (await tx.conn.execute(bump)).scalar_one()
    return list(range(int(last) - count + 1, int(last) + 1))


async def next_number(tx: Transaction, provider: str) -> int:
    """The next number of the provider's single gapless sequence."""
    return (await next_numbers(tx, provider, 1))[0]


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


RUN_BATCH = 500  # customers invoiced per transaction (bench/README.md, month-end invoice run)
RUN_WORKERS = 2  # batches in flight on PostgreSQL: one computes while the other writes


async def complete_invoice_run(
    store: EventStore, profile: Profile, run_date: date, meta: Metadata, *, batch: int = RUN_BATCH
) -> int:
    """Invoice every customer, a batch of customers per transaction, then mark the run completed.

    Customers are read a page at a time (never all at once), so the run's memory does not grow
    with the number of customers. On PostgreSQL two batches are in flight: while one holds the
    number sequence and writes, the next one reads its accounts and works out what is due; the
    sequence's row lock keeps the numbers gapless and in commit order. A batch that loses a
    race with another writer is redone.
    """
    pages = _customer_pages(store, batch)
    turn = asyncio.Lock()
    issued = 0

    async def worker() -> None:
        nonlocal issued
        while True:
            async with turn:
                page = await anext(pages, None)
            if page is None:
                return

            async def invoice_page(tx: Transaction, page: list[str] = page) -> int:
                return await invoice_customers(tx, profile, page, run_date)

            count = await run(store, meta, invoice_page)
            issued += count  # after the await: `issued += await ...` would lose the other's

    async with asyncio.TaskGroup() as group:
        for _ in range(RUN_WORKERS if store.postgres else 1):
            group.create_task(worker())

    async def complete(tx: Transaction) -> None:
        stream = await tx.load(f"invoicerun-{run_date.isoformat()}")
        if not any(e.type == "InvoiceRunCompleted" for e in stream):
            done = ev.InvoiceRunCompleted(run_date=run_date, invoices=issued)
            await tx.append(f"invoicerun-{run_date.isoformat()}", len(stream), [TYPES.encode(done)])

    await run(store, meta, complete)
    return issued


async def _customer_pages(store: EventStore, size: int) -> AsyncIterator[list[str]]:
    """Every account's customer id, a page at a time, in id order."""
    after: str | None = None
    while True:
        query = select(t.accounts.c.customer_id).order_by(t.accounts.c.customer_id).limit(size)
        if after is not None:
            query = query.where(t.accounts.c.customer_id > after)
        async with store.engine.connect() as conn:
            page = list((await conn.execute(query)).scalars())
        if not page:
            return
        yield page
        after = page[-1]


async def invoice_customer(
    tx: Transaction, profile: Profile, customer_id: str, run_date: date
) -> int:
    """Issue what the customer's account says is due; nothing twice (the account remembers)."""
    return await invoice_customers(tx, profile, [customer_id], run_date)


async def invoice_customers(
    tx: Transaction, profile: Profile, customer_ids: Sequence[str], run_date: date
) -> int:
    """Issue what each account says is due, in one transaction: its accounts are read in one
    query, its numbers taken in one step, its events, projections and outbox rows written in
    one statement each."""
    batch = StreamBatch(tx)
    streams = await batch.load(f"{Account.stream_prefix}-{c}" for c in customer_ids)
    due: list[tuple[Account, list[Draft]]] = []
    for customer_id in customer_ids:
        stream = streams[f"{Account.stream_prefix}-{customer_id}"]
        if not stream:
            raise NotFound(f"no account {customer_id}", field="customer_id")
        account = Account.rehydrate(customer_id, (TYPES.decode(e) for e in stream))
        drafts = account.drafts(
            run_date, profile.invoicing.run_on, profile.invoicing.default_payment_terms_days
        )
        if drafts:
            due.append((account, drafts))
    count = sum(len(drafts) for _, drafts in due)
    if not count:
        return 0
    numbers = iter(await next_numbers(tx, profile.id, count))
    invoices: list[StreamAppend] = []
    accounts: list[StreamAppend] = []
    outgoing: list[Message] = []
    for account, drafts in due:
        for draft in drafts:
            number = next(numbers)
            invoice = Invoice.issue(
                number,
                customer_id=account.id,
                kind="run",
                issue_date=run_date,
                payment_terms_days=draft.payment_terms_days,
                lines=draft.lines,
                vat_rate=profile.vat_rate,
                creditor_number=profile.seller.creditor_number,
            )
            outgoing += publishing.messages(invoice, invoice.pending, account.id)
            invoices.append(_written(invoice, account.id))
            account.mark_invoiced(number, draft)
        outgoing += publishing.messages(account, account.pending, account.id)
        accounts.append(_written(account, account.id))
    await batch.append(invoices + accounts)
    await batch.publish(outgoing)
    return count


def _written(aggregate: Aggregate, customer_id: str | None) -> StreamAppend:
    """What the aggregate recorded, as one stream write; the aggregate counts it as saved."""
    write = StreamAppend(
        aggregate.stream_id,
        aggregate.version,
        [TYPES.encode(event) for event in aggregate.pending],
        customer_id,
    )
    aggregate.version += len(aggregate.pending)
    aggregate.pending.clear()
    return write


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


async def open_invoices(tx: Transaction, *where: ColumnElement[bool]) -> list[OpenInvoice]:
    """Invoices matching can pick from (paid ones too: a repeat payment becomes credit).

    `where` narrows the read to the invoices a payment could concern, so matching one payment
    reads a few rows by index, never every invoice.
    """
    rows = await tx.conn.execute(
        select(
            t.invoices.c.invoice_number,
            t.invoices.c.customer_id,
            t.known_customers.c.name,
            t.invoices.c.payment_id,
            t.invoices.c.balance,
            t.invoices.c.issue_date,
            t.invoices.c.regarding_invoice,
        )
        .join(t.known_customers, t.known_customers.c.customer_id == t.invoices.c.customer_id)
        .where(*where)
        .order_by(t.invoices.c.invoice_number)
    )
    return [OpenInvoice(r[0], r[1], r[2], r[3], Decimal(r[4]), r[5], r[6]) for r in rows.all()]


async def candidates(tx: Transaction, amount: Decimal, reference: str | None) -> list[OpenInvoice]:
    """The only invoices match_payment can choose for this payment: those whose FI payment ID
    the reference names (unique index), and the unpaid ones of exactly this amount (index)."""
    payment_ids = sorted(set(PAYMENT_ID.findall(reference or "")))
    by_id = or_(
        t.invoices.c.payment_id.in_(payment_ids) if payment_ids else false(),
        and_(t.invoices.c.balance == amount, t.invoices.c.balance > 0),
    )
    return await open_invoices(tx, by_id)


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
    if invoice_number is not None:
        chosen = await open_invoices(tx, t.invoices.c.invoice_number == invoice_number)
        if not chosen:
            raise NotFound(f"no invoice {invoice_number}", field="invoice_number")
        match: Match | None = _direct(chosen[0], amount)
    else:
        invoices = await candidates(tx, amount, reference)
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
        customer_open = await open_invoices(
            tx, t.invoices.c.customer_id == match.customer_id, t.invoices.c.balance > 0
        )
        others = [i for i in customer_open if i.number not in paid_numbers]
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

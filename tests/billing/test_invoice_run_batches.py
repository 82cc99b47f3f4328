"""The invoice run in batches of customers, and payments matched by index, on both stores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.month_end import started
from services.billing import consumer, handlers
from services.billing.adapters import tables as t
from services.billing.adapters.projections import BillingView
from services.billing.bootstrap import DIRECTORY
from shared.bus.port import Delivery
from shared.consumer import Subscriber
from shared.contracts import Contract, read
from shared.contracts import agreements as a
from shared.contracts import billing as c
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.profile import load_profile
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, Metadata, Transaction
from shared.store.migrations import upgrade
from shared.store.schema import outbox

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "billing" / "migrations"
PROFILE = load_profile("safe-it")
RUN_DAY = date(2026, 3, 31)
ORDER = (("m365-business-standard", 3), ("hosting-standard", 2))  # 7 and 14 days: two invoices


def delivery(message: Contract) -> Delivery:
    envelope = CloudEvent.of(
        message, source="/services/test", customerid=getattr(message, "customer_id", None)
    )
    return Delivery(f"{message.context}.events", 0, 0, envelope.id, envelope.to_json())


def customer_messages(i: int) -> list[Contract]:
    customer = f"customer-{i:03d}"
    messages: list[Contract] = [
        a.CustomerRegistered(customer_id=customer, name=f"Kunde {i} ApS", cvr="13585628"),
        a.AgreementSigned(
            customer_id=customer,
            profile="safe-it",
            model="tiers",
            tier="it-agreement-silver",
            signed_on=date(2026, 3, 2),
        ),
    ]
    for k, (sku, quantity) in enumerate(ORDER):
        messages.append(
            started(PROFILE, customer, f"sub-{i:03d}-{k}", sku, quantity, date(2026, 4, 1))
        )
    return messages


async def billing_with_customers(url: str, customers: int) -> EventStore:
    engine = make_engine(url)
    store = EventStore(engine, source="billing", projections=[BillingView(PROFILE.id), DIRECTORY])
    await upgrade(engine, MIGRATIONS)
    subscriber = Subscriber(store, "billing", consumer.handlers(PROFILE))
    await subscriber(delivery(DayStarted(date=date(2026, 3, 30), is_business_day=True)))
    for i in range(customers):
        for message in customer_messages(i):
            await subscriber(delivery(message))
    return store


async def run_day(store: EventStore, batch: int) -> int:
    meta = Metadata(actor="test")

    async def start(tx: Transaction) -> bool:
        await tx.set_business_date(RUN_DAY)
        return await handlers.start_invoice_run(tx, PROFILE, RUN_DAY)

    assert await handlers.run(store, meta, start)
    return await handlers.complete_invoice_run(store, PROFILE, RUN_DAY, meta, batch=batch)


async def rows(store: EventStore, query: Any) -> list[Any]:
    async with store.engine.connect() as conn:
        return list((await conn.execute(query)).all())


async def test_a_run_in_batches_issues_every_invoice_once_with_gapless_numbers(
    database_url: str,
) -> None:
    store = await billing_with_customers(database_url, customers=7)
    try:
        issued = await run_day(store, batch=3)  # three pages, the last one short
        again = await handlers.complete_invoice_run(
            store, PROFILE, RUN_DAY, Metadata(actor="test"), batch=3
        )
        invoices = await rows(
            store,
            select(t.invoices.c.invoice_number, t.invoices.c.customer_id, t.invoices.c.total)
            .where(t.invoices.c.kind == "run")
            .order_by(t.invoices.c.invoice_number),
        )
        sent = [CloudEvent.from_json(r[0]) for r in await rows(store, select(outbox.c.payload))]
        account = await store.read_stream("account-customer-000")
    finally:
        await store.close()
    assert issued == 14 and again == 0
    assert [r[0] for r in invoices] == list(range(1, 15))
    assert sorted({r[1] for r in invoices}) == [f"customer-{i:03d}" for i in range(7)]
    assert all(sum(1 for r in invoices if r[1] == who) == 2 for who in {r[1] for r in invoices})
    # 3 x 95.00 with VAT, and 2 x 149.00 with VAT
    assert sorted({r[2] for r in invoices}) == [Decimal("356.25"), Decimal("372.50")]
    published = [read(e) for e in sent]
    assert sorted(m.invoice_number for m in published if isinstance(m, c.InvoiceIssued)) == list(
        range(1, 15)
    )
    assert [e.type for e in account][-2:] == ["ItemsInvoiced", "ItemsInvoiced"]


async def test_payments_are_matched_by_payment_id_then_by_amount_and_name(
    database_url: str,
) -> None:
    store = await billing_with_customers(database_url, customers=3)
    meta = Metadata(actor="test")
    try:
        await run_day(store, batch=2)
        invoices = await rows(
            store,
            select(
                t.invoices.c.invoice_number,
                t.invoices.c.customer_id,
                t.invoices.c.payment_id,
                t.invoices.c.total,
            ).order_by(t.invoices.c.invoice_number),
        )
        first, second = [r for r in invoices if r[1] == "customer-000"]

        async def pay(ref: str, amount: Decimal, reference: str | None, name: str | None) -> str:
            async def work(tx: Transaction) -> str:
                return await handlers.receive_payment(
                    tx,
                    ref,
                    amount=amount,
                    paid_on=RUN_DAY,
                    source="camt.054",
                    reference=reference,
                    debtor_name=name,
                    statement_id="s1",
                )

            return await handlers.run(store, meta, work)

        by_id = await pay("p1", first[3], f"Faktura +71<{first[2]}+81234567<", None)
        again = await pay("p1", first[3], f"+71<{first[2]}+81234567<", None)
        anyone = await pay("p2", second[3], None, None)
        by_name = await pay("p3", second[3], "ingen reference", "KUNDE 0 APS")
        status = dict(
            (r[0], r[1])
            for r in await rows(store, select(t.invoices.c.invoice_number, t.invoices.c.status))
        )
    finally:
        await store.close()
    assert (by_id, again, anyone) == ("matched", "duplicate", "unmatched")
    # Three customers have invoices of this amount; the name picks customer 0's.
    assert by_name == "matched"
    assert status[first[0]] == "paid"
    assert sorted(n for n, s in status.items() if s == "paid") == [first[0], second[0]]

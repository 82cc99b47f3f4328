"""One gapless, strictly increasing sequence of invoice numbers, also under concurrency."""

from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from services.billing import handlers
from services.billing.adapters import tables as t
from services.billing.adapters.projections import BillingView
from services.billing.domain import events as ev
from services.billing.domain.invoice import Invoice
from shared.profile import load_profile
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, Metadata, Transaction
from shared.store.migrations import upgrade

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "billing" / "migrations"
PROFILE = load_profile("safe-it")


async def issue_one(store: EventStore, customer: str) -> int:
    async def work(tx: Transaction) -> int:
        number = await handlers.next_number(tx, PROFILE.id)
        await asyncio.sleep(0)  # let the others try to overtake while this one holds the number
        invoice = Invoice.issue(
            number,
            customer_id=customer,
            kind="run",
            issue_date=date(2026, 1, 30),
            payment_terms_days=14,
            lines=[
                ev.InvoiceLine(
                    description="Webhotel",
                    quantity=Decimal(1),
                    unit="stk.",
                    unit_price=Decimal(149),
                    amount=Decimal(149),
                )
            ],
            vat_rate=PROFILE.vat_rate,
            creditor_number=PROFILE.seller.creditor_number,
        )
        await handlers.save(tx, invoice, customer)
        return number

    return await handlers.run(store, Metadata(actor="test"), work)


async def test_two_hundred_concurrent_invoices_get_two_hundred_consecutive_numbers(
    database_url: str,
) -> None:
    engine = make_engine(database_url, pool_size=20)
    store = EventStore(engine, source="billing", projections=[BillingView(PROFILE.id)])
    await upgrade(engine, MIGRATIONS)
    try:
        numbers = await asyncio.gather(*(issue_one(store, f"c-{i % 7}") for i in range(200)))
        async with engine.connect() as conn:
            stored = sorted((await conn.execute(select(t.invoices.c.invoice_number))).scalars())
            payment_ids = set((await conn.execute(select(t.invoices.c.payment_id))).scalars())
    finally:
        await engine.dispose()
    assert sorted(numbers) == list(range(1, 201)), "no gap, no duplicate"
    assert stored == list(range(1, 201))
    assert len(payment_ids) == 200

"""Restoring a service after payment bills the reopening (DOMAIN.md, dunning), on both stores."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from bench.month_end import started
from services.billing import consumer
from services.billing.adapters import tables as t
from services.billing.adapters.projections import BillingView
from services.billing.bootstrap import DIRECTORY
from shared.consumer import Subscriber
from shared.contracts import agreements as a
from shared.contracts import dunning as d
from shared.contracts.clock import DayStarted
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore
from shared.store.migrations import upgrade
from tests.billing.test_invoice_run_batches import MIGRATIONS, PROFILE, delivery


async def test_a_restore_after_permanent_closure_records_its_fee_and_extra_work(
    database_url: str,
) -> None:
    customer, subscription = str(uuid.uuid4()), str(uuid.uuid4())  # ids as the services make them
    engine = make_engine(database_url)
    store = EventStore(engine, source="billing", projections=[BillingView(PROFILE.id), DIRECTORY])
    await upgrade(engine, MIGRATIONS)
    subscriber = Subscriber(store, "billing", consumer.handlers(PROFILE))
    try:
        for message in (
            DayStarted(date=date(2026, 1, 2), is_business_day=True),
            a.CustomerRegistered(
                customer_id=customer, name="Nordhavn Revision ApS", cvr="13585628"
            ),
            started(
                PROFILE, customer, subscription, "hosting-standard", 1, date(2026, 1, 2), "hosting"
            ),
            d.ServiceRestored(
                customer_id=customer,
                invoice_number=1,
                subscription_id=subscription,
                sku="hosting-standard",
                service_kind="hosting",
                restored_on=date(2026, 3, 12),
                after_permanent_closure=True,
                restore_within_hours=None,
                reopening_fee=Decimal("250"),
                extra_work_hours=Decimal("2"),
            ),
        ):
            await subscriber(delivery(message))
        async with engine.connect() as conn:
            entries = (await conn.execute(select(t.work_entries))).mappings().all()
    finally:
        await store.close()
    assert [(e["entry_id"], e["kind"], e["customer_id"]) for e in entries] == [
        (f"restore-1-{subscription}", "restore", customer)
    ]
    assert [line["description"] for line in entries[0]["lines"]] == [
        "Genåbningsgebyr, hosting-standard",
        "Genetablering efter permanent lukning, hosting-standard",
    ]

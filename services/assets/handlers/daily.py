"""What each DayStarted brings: warranty notices, the month-end workbooks, due service visits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.assets.adapters import tables as t
from services.assets.adapters.terms import Terms
from services.assets.domain.hardware import Hardware
from services.assets.domain.policy import AssetPolicy
from services.assets.domain.visits import ServicePlan
from services.assets.handlers.common import load, save
from services.assets.handlers.workbooks import issue_workbooks
from shared.contracts import Contract
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.store.eventstore import Transaction


async def on_day_started(tx: Transaction, _: CloudEvent, message: Contract, terms: Terms) -> None:
    """Run the day's time-based rules; the day comes from the event, never the wall clock."""
    assert isinstance(message, DayStarted)
    await notice_expiring_warranties(tx, message, terms.policy)
    if terms.policy.monthly_hardware_workbook:
        await issue_workbooks(tx, message.date, terms)
    await announce_due_visits(tx, message)


async def notice_expiring_warranties(tx: Transaction, day: DayStarted, policy: AssetPolicy) -> None:
    """WarrantyExpiring once per item whose warranty ends within the notice days."""
    horizon = day.date + timedelta(days=policy.warranty_notice_days)
    due = await tx.conn.execute(
        select(t.hardware.c.hardware_id, t.hardware.c.customer_id)
        .where(
            t.hardware.c.status != "retired",
            t.hardware.c.warranty_noticed_on.is_(None),
            t.hardware.c.warranty_end >= day.date,
            t.hardware.c.warranty_end <= horizon,
        )
        .order_by(t.hardware.c.registered_position)
    )
    for hardware_id, customer_id in due.all():
        hardware = await load(tx, Hardware, hardware_id, "hardware")
        hardware.warn_warranty(day.date, policy.warranty_notice_days)
        await save(tx, hardware, customer_id)


async def announce_due_visits(tx: Transaction, day: DayStarted) -> None:
    """ServiceVisitDue for each routine visit whose day has come."""
    due = await tx.conn.execute(
        select(t.service_visits.c.customer_id)
        .where(t.service_visits.c.next_due_on <= day.date)
        .order_by(t.service_visits.c.customer_id)
    )
    for (customer_id,) in due.all():
        plan = await load(tx, ServicePlan, customer_id, "service plan")
        plan.announce_due(day.date)
        await save(tx, plan, customer_id)

"""Recording work and extra costs."""

from __future__ import annotations

from decimal import Decimal

from services.billing import commands as cmd
from services.billing.domain import events as ev
from services.billing.domain.account import Account
from services.billing.domain.rating import rate_work
from services.billing.domain.work import RatingContext, WorkEntry
from services.billing.handlers import TYPES, load, run, save, today
from shared.ids import new_id
from shared.profile import Profile
from shared.store.eventstore import EventStore, Metadata, Transaction


async def record_work(
    store: EventStore, profile: Profile, command: cmd.RecordWork, meta: Metadata
) -> ev.WorkRecorded:
    """Rate a work entry and put it on the customer's account."""
    entry_id = new_id()

    async def work(tx: Transaction) -> ev.WorkRecorded:
        account = await load(tx, Account, command.customer_id, "customer_id")
        start, end = command.start.replace(tzinfo=None), command.end.replace(tzinfo=None)
        tier = profile.tier(account.tier) if account.tier else None
        year = start.year
        mileage = await tx.load(f"mileage-{year}")
        driven = Decimal(mileage[-1].data["total"]) if mileage else Decimal("0")
        context = RatingContext(
            rates=profile.rates,
            has_agreement=account.has_agreement,
            tier=tier,
            included_remote_hours_left=account.remote_hours_left(
                start.date(), tier.included_remote_hours_per_month
            )
            if tier
            else Decimal("0"),
            km_driven_this_year=driven,
        )
        entry = WorkEntry(
            entry_id, command.kind, start, end, command.km, command.devices, command.description
        )
        lines = rate_work(entry, context)
        recorded = ev.WorkRecorded(
            customer_id=command.customer_id,
            entry_id=entry_id,
            kind=command.kind,
            description=command.description or command.kind,
            lines=[ev.WorkLine(**vars(line)) for line in lines],
        )
        account.record_work(recorded)
        await save(tx, account, command.customer_id)
        km = sum((line.km for line in lines), Decimal("0"))
        if km:
            logged = ev.MileageLogged(year=year, km=km, total=driven + km)
            await tx.append(f"mileage-{year}", len(mileage), [TYPES.encode(logged)])
        return recorded

    return await run(store, meta, work)


async def add_extra_cost(store: EventStore, command: cmd.AddExtraCost, meta: Metadata) -> str:
    """Hold an extra cost until it is approved."""
    cost_id = new_id()

    async def work(tx: Transaction) -> str:
        account = await load(tx, Account, command.customer_id, "customer_id")
        account.record_extra_cost(
            ev.ExtraCostRecorded(
                customer_id=command.customer_id,
                cost_id=cost_id,
                kind=command.kind,
                description=command.description,
                quantity=command.quantity,
                unit_price=command.unit_price,
                incurred_on=command.incurred_on or await today(tx),
            )
        )
        await save(tx, account, command.customer_id)
        return cost_id

    return await run(store, meta, work)


async def approve_extra_cost(
    store: EventStore, customer_id: str, cost_id: str, command: cmd.ApproveExtraCost, meta: Metadata
) -> None:
    """Record the written approval; the cost goes on the next invoice."""

    async def work(tx: Transaction) -> None:
        account = await load(tx, Account, customer_id, "customer_id")
        account.approve_extra_cost(
            cost_id, command.approved_by, command.approved_on or await today(tx)
        )
        await save(tx, account, customer_id)

    await run(store, meta, work)

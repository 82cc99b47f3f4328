"""Per-customer requests: the overview to the contact person, and service visit reports."""

from __future__ import annotations

from services.assets.adapters.mail_outbox import queue_mail
from services.assets.adapters.overview import build_overview, overview_text
from services.assets.domain import commands as cmd
from services.assets.domain import events as ev
from services.assets.domain.visits import ServicePlan
from services.assets.handlers.common import load, register_of, run, save, today
from shared.mail import OutgoingMail
from shared.store.eventstore import EventStore, Metadata, Transaction


async def send_overview(
    store: EventStore,
    provider: str,
    customer_id: str,
    command: cmd.SendAssetOverview,
    meta: Metadata,
) -> list[str]:
    """Queue the overview mail to the contact person(s); returns the recipients."""

    async def work(tx: Transaction) -> list[str]:
        register = await register_of(tx, customer_id)
        recipients = [p.email for p in register.contacts(command.person_id) if p.email]
        # People are recorded and queued by reference; the mail outbox looks their address up.
        references = register.recipient_references(recipients)
        overview = await build_overview(tx.conn, customer_id)
        day = await today(tx)
        register.record_overview(references, day, overview.hardware, overview.software)
        await save(tx, register, customer_id)
        mail = OutgoingMail(
            to=references,
            subject=f"Oversigt over hardware og software – {register.name}",
            body=overview_text(register.name, provider, overview, day),
        )
        await queue_mail(tx.conn, mail, reason="AssetOverviewSent", customer_id=customer_id)
        return recipients

    return await run(store, meta, work)


async def record_service_visit(
    store: EventStore, customer_id: str, command: cmd.RecordServiceVisit, meta: Metadata
) -> ev.ServiceVisitCompleted:
    """Record the next routine visit with its condition report."""

    async def work(tx: Transaction) -> ev.ServiceVisitCompleted:
        await register_of(tx, customer_id)
        plan = await load(tx, ServicePlan, customer_id, "service plan")
        completed = plan.complete(command.condition_report, await today(tx))
        await save(tx, plan, customer_id)
        return completed

    return await run(store, meta, work)

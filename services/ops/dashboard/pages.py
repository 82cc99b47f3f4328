"""The dashboard's pages, each built from ops' own read models."""

from __future__ import annotations

import json

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.dashboard import charts
from services.ops.dashboard.read import board, customers, events, finance, provisioning
from services.ops.dashboard.render import page
from services.ops.dashboard.session import Session, SessionDep
from services.ops.webhooks import queries as webhook_queries
from services.ops.wiring import parts
from shared.envelope import utcnow
from shared.service import Runtime, RuntimeDep

router = APIRouter(prefix="/dashboard", include_in_schema=False)


@router.get("")
async def overview(request: Request, runtime: RuntimeDep, session: SessionDep) -> HTMLResponse:
    today = await runtime.store.business_date()
    async with runtime.store.engine.connect() as conn:
        open_items = await finance.open_invoices(conn)
        columns, _ = await board.board(conn, today, runtime.profile.dunning)
        months = await finance.monthly(conn, today)
        recent = await events.event_rows(conn, limit=12)
        actions = await provisioning.actions(conn, today, utcnow())
        endpoints = await webhook_queries.endpoint_list(conn)
        customer_count = len(await customers.customer_list(conn, today))
    return await page(
        request,
        runtime,
        session,
        "overview.html",
        "overview",
        totals=finance.totals(open_items, today),
        open_count=len(open_items),
        columns=columns,
        upcoming=board.upcoming(columns),
        aging_svg=charts.aging_chart(finance.aging(open_items, today)),
        monthly_svg=charts.monthly_chart(months),
        recent=recent,
        actions=actions,
        breaches=[a for group in actions.values() for a in group if a["breached"]],
        endpoints=endpoints,
        customer_count=customer_count,
    )


@router.get("/events")
async def event_stream_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    customer_id: str | None = None,
    name: str | None = None,
    context: str | None = None,
    before_seq: int | None = Query(default=None, ge=1),
) -> HTMLResponse:
    filters = events.Filters(customer_id or None, name or None, context or None)
    async with runtime.store.engine.connect() as conn:
        rows = await events.event_rows(conn, filters, before_seq=before_seq, limit=100)
        choices = await events.filter_choices(conn)
    return await page(
        request,
        runtime,
        session,
        "events.html",
        "events",
        rows=rows,
        choices=choices,
        filters=filters,
        before_seq=before_seq,
    )


@router.get("/events/{event_id}")
async def event_page(
    event_id: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> HTMLResponse:
    async with runtime.store.engine.connect() as conn:
        found = await events.chain(conn, event_id)
    if found is None:
        return await _missing(request, runtime, session, "events", "There is no such event")
    event, causes, effects = found
    pretty = json.dumps(event["envelope"], indent=2, ensure_ascii=False, sort_keys=False)
    return await page(
        request,
        runtime,
        session,
        "event.html",
        "events",
        event=event,
        causes=causes,
        effects=effects,
        pretty=pretty,
    )


@router.get("/customers")
async def customers_page(
    request: Request, runtime: RuntimeDep, session: SessionDep
) -> HTMLResponse:
    today = await runtime.store.business_date()
    async with runtime.store.engine.connect() as conn:
        rows = await customers.customer_list(conn, today)
    return await page(request, runtime, session, "customers.html", "customers", rows=rows)


@router.get("/customers/{customer_id}")
async def customer_page(
    customer_id: str, request: Request, runtime: RuntimeDep, session: SessionDep
) -> HTMLResponse:
    today = await runtime.store.business_date()
    async with runtime.store.engine.connect() as conn:
        found = await customers.customer(conn, customer_id)
        if found is None:
            return await _missing(
                request, runtime, session, "customers", "There is no such customer"
            )
        open_items = await finance.open_invoices(conn, customer_id)
        context = {
            "customer": found,
            "totals": finance.totals(open_items, today),
            "invoices": await finance.invoices_of(conn, customer_id),
            "cases": await board.cases(conn, customer_id),
            "services": await customers.services_of(conn, customer_id),
            "assets": await customers.assets_of(conn, customer_id),
            "actions": await provisioning.actions(conn, today, utcnow(), customer_id),
            "timeline": await events.event_rows(
                conn, events.Filters(customer_id=customer_id), limit=200, by_business_date=True
            ),
        }
    return await page(request, runtime, session, "customer.html", "customers", **context)


@router.get("/dunning")
async def dunning_page(request: Request, runtime: RuntimeDep, session: SessionDep) -> HTMLResponse:
    today = await runtime.store.business_date()
    async with runtime.store.engine.connect() as conn:
        columns, settled = await board.board(conn, today, runtime.profile.dunning)
    return await page(
        request, runtime, session, "dunning.html", "dunning", columns=columns, settled=settled
    )


@router.get("/receivables")
async def receivables_page(
    request: Request, runtime: RuntimeDep, session: SessionDep
) -> HTMLResponse:
    today = await runtime.store.business_date()
    async with runtime.store.engine.connect() as conn:
        open_items = await finance.open_invoices(conn)
        months = await finance.monthly(conn, today)
        unmatched = await finance.unmatched_payments(conn)
    buckets = finance.aging(open_items, today)
    for item in open_items:
        item["days_overdue"] = (today - item["due_date"]).days if today else 0
    return await page(
        request,
        runtime,
        session,
        "receivables.html",
        "receivables",
        open_items=open_items,
        totals=finance.totals(open_items, today),
        buckets=buckets,
        aging_svg=charts.aging_chart(buckets),
        months=months,
        monthly_svg=charts.monthly_chart(months),
        unmatched=unmatched,
    )


@router.get("/provisioning")
async def provisioning_page(
    request: Request, runtime: RuntimeDep, session: SessionDep
) -> HTMLResponse:
    today = await runtime.store.business_date()
    async with runtime.store.engine.connect() as conn:
        actions = await provisioning.actions(conn, today, utcnow())
        tasks = await provisioning.manual_tasks(conn)
    settings = parts(runtime).dashboard
    return await page(
        request,
        runtime,
        session,
        "provisioning.html",
        "provisioning",
        actions=actions,
        tasks=tasks,
        provisioning_url=settings.provisioning_url,
        provisioning_key_set=settings.provisioning_api_key is not None,
    )


@router.get("/webhooks")
async def webhooks_page(
    request: Request,
    runtime: RuntimeDep,
    session: SessionDep,
    status: str | None = Query(default=None, pattern="^(pending|delivered|failed)$"),
) -> HTMLResponse:
    async with runtime.store.engine.connect() as conn:
        context = await webhook_context(conn, status)
    return await page(request, runtime, session, "webhooks.html", "webhooks", **context)


async def webhook_context(
    conn: AsyncConnection, status: str | None, new_secret: str | None = None
) -> dict[str, object]:
    """What the webhooks page shows (also after registering, with the one-time secret)."""
    endpoints = await webhook_queries.endpoint_list(conn)
    deliveries = await webhook_queries.delivery_list(conn, status=status, limit=100)
    attempts = await webhook_queries.attempt_list(conn, [d["delivery_id"] for d in deliveries])
    urls = {e["endpoint_id"]: e["url"] for e in endpoints}
    return {
        "endpoints": endpoints,
        "deliveries": deliveries,
        "attempts": attempts,
        "urls": urls,
        "status": status,
        "new_secret": new_secret,
    }


async def _missing(
    request: Request, runtime: Runtime, session: Session, active: str, message: str
) -> HTMLResponse:
    response = await page(request, runtime, session, "missing.html", active, message=message)
    response.status_code = 404
    return response

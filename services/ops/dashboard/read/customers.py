"""Customers as ops knows them: the list with their balances, one customer with everything."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.dunning_view import SETTLED
from services.ops.adapters.view_tables import asset_view, customer_view, dunning_view, service_view
from services.ops.dashboard.read import finance

SUSPENDED = ("suspended", "closed", "deletion due")


async def customer_list(conn: AsyncConnection, today: date | None) -> list[dict[str, Any]]:
    """Every customer with outstanding, overdue, open cases and suspended services."""
    rows = (
        (await conn.execute(select(customer_view).order_by(customer_view.c.name))).mappings().all()
    )
    balances = await finance.balances_by_customer(conn, today)
    cases: Counter[str] = Counter(
        dict(
            (
                await conn.execute(
                    select(dunning_view.c.customer_id, func.count())
                    .where(dunning_view.c.stage != SETTLED)
                    .group_by(dunning_view.c.customer_id)
                )
            ).all()
        )
    )
    suspended: Counter[str] = Counter(
        dict(
            (
                await conn.execute(
                    select(service_view.c.customer_id, func.count())
                    .where(service_view.c.state.in_(SUSPENDED))
                    .group_by(service_view.c.customer_id)
                )
            ).all()
        )
    )
    zero = {"outstanding": Decimal(0), "overdue": Decimal(0)}
    return [
        dict(r)
        | balances.get(r["customer_id"], zero)
        | {"open_cases": cases[r["customer_id"]], "suspended": suspended[r["customer_id"]]}
        for r in rows
    ]


async def customer(conn: AsyncConnection, customer_id: str) -> dict[str, Any] | None:
    """One customer's row."""
    row = (
        (
            await conn.execute(
                select(customer_view).where(customer_view.c.customer_id == customer_id)
            )
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


async def services_of(conn: AsyncConnection, customer_id: str) -> list[dict[str, Any]]:
    """The customer's subscriptions and their state; suspended ones first."""
    query = select(service_view).where(service_view.c.customer_id == customer_id)
    rows = [dict(r) for r in (await conn.execute(query)).mappings()]
    return sorted(
        rows, key=lambda s: (s["state"] not in SUSPENDED, s["state"] == "ended", s["sku"])
    )


async def assets_of(conn: AsyncConnection, customer_id: str) -> list[dict[str, Any]]:
    """The customer's hardware and software."""
    query = (
        select(asset_view)
        .where(asset_view.c.customer_id == customer_id)
        .order_by(asset_view.c.kind, asset_view.c.name)
    )
    return [dict(r) for r in (await conn.execute(query)).mappings()]

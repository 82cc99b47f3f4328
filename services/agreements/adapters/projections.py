"""Read models of the agreements context, kept in the transaction of their events."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.agreements.adapters import tables as t
from shared.privacy import legacy_personal
from shared.store.eventstore import StoredEvent
from shared.store.upsert import update_row, upsert


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


class AgreementsView:
    """Customers, their people, agreements, subscriptions, price changes and confirmations."""

    name = "agreements_view"
    tables = t.READ_MODELS

    def __init__(self) -> None:
        self._apply: dict[str, Callable[[AsyncConnection, dict[str, Any]], Awaitable[None]]] = {
            "CustomerRegistered": self._customer,
            "DepartmentAdded": self._department,
            "PersonAdded": self._person,
            "PersonErased": self._person_erased,
            "AgreementSigned": self._agreement,
            "TrialStarted": self._trial_started,
            "TrialConverted": self._trial_converted,
            "SubscriptionAdded": self._subscription_added,
            "SubscriptionStarted": self._subscription_started,
            "SubscriptionQuantityChanged": self._quantity,
            "SubscriptionCancellationRequested": self._cancellation,
            "SubscriptionEnded": self._ended,
            "PriceChangeAnnounced": self._price_change,
            "OrderConfirmationIssued": self._confirmation,
            "SubscriptionVendorReferenceSet": self._vendor_reference,
        }

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project one event, if it is one of ours."""
        handler = self._apply.get(event.type)
        if handler is not None:
            await handler(conn, event.data)

    async def _customer(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            k: d.get(k) for k in ("customer_id", "name", "cvr", "kind", "address", "finance_email")
        }
        await upsert(
            conn,
            t.customers,
            {**row, "registered_on": _day(d.get("registered_on"))},
            key=["customer_id"],
        )

    async def _department(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await upsert(conn, t.departments, d, key=["department_id"])

    async def _person(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        # Only the sealed form is kept; the API reveals it through the vault when asked.
        d = legacy_personal(d)
        row = {k: d.get(k) for k in ("person_id", "customer_id", "role", "department_id")}
        await upsert(
            conn, t.people, {**row, "personal": d["personal"], "erased": False}, key=["person_id"]
        )

    async def _person_erased(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await conn.execute(
            update(t.people)
            .where(t.people.c.person_id == d["person_id"])
            .values(personal=None, name=None, email=None, phone=None, erased=True)
        )

    async def _agreement(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            "customer_id": d["customer_id"],
            "profile": d["profile"],
            "model": d["model"],
            "tier": d.get("tier"),
            "status": "active",
            "signed_on": _day(d["signed_on"]),
            "converted_on": None,
            "first_security_check_due": _day(d.get("first_security_check_due")),
        }
        await upsert(conn, t.agreements, row, key=["customer_id"])

    async def _trial_started(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await conn.execute(
            update(t.agreements)
            .where(t.agreements.c.customer_id == d["customer_id"])
            .values(status="trial")
        )

    async def _trial_converted(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await conn.execute(
            update(t.agreements)
            .where(t.agreements.c.customer_id == d["customer_id"])
            .values(status="active", converted_on=_day(d["converted_on"]))
        )

    async def _subscription_added(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            k: d[k]
            for k in (
                "subscription_id",
                "customer_id",
                "sku",
                "name",
                "quantity",
                "billing_period",
                "unit_price",
                "payment_terms_days",
                "suspendable",
                "service_kind",
            )
        }
        row.update(
            status="pending",
            start_date=_day(d.get("start")),
            notice_date=None,
            end_date=None,
            notice_rule=None,
            vendor_reference=d.get("vendor_reference") or {},
        )
        await upsert(conn, t.subscriptions, row, key=["subscription_id"])

    def _subscription(
        self, conn: AsyncConnection, subscription_id: str, **values: Any
    ) -> Awaitable[None]:
        # The update itself is what the caller awaits (one coroutine fewer per event).
        return update_row(conn, t.subscriptions, {"subscription_id": subscription_id}, values)

    async def _vendor_reference(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._subscription(conn, d["subscription_id"], vendor_reference=d["vendor_reference"])

    async def _subscription_started(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._subscription(
            conn, d["subscription_id"], status="active", start_date=_day(d["start"])
        )

    async def _quantity(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._subscription(
            conn, d["subscription_id"], quantity=d["quantity"], unit_price=d["unit_price"]
        )

    async def _cancellation(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._subscription(
            conn,
            d["subscription_id"],
            status="cancelling",
            notice_date=_day(d["notice_date"]),
            end_date=_day(d["end_date"]),
            notice_rule=d["rule"],
        )

    async def _ended(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._subscription(
            conn, d["subscription_id"], status="ended", end_date=_day(d["end_date"])
        )

    async def _price_change(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            "sku": d["sku"],
            "effective_from": _day(d["effective_from"]),
            "unit_price": d["unit_price"],
            "previous_unit_price": d["previous_unit_price"],
            "announced_on": _day(d["announced_on"]),
        }
        await upsert(conn, t.price_changes, row, key=["sku", "effective_from"])

    async def _confirmation(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            "customer_id": d["customer_id"],
            "number": d["number"],
            "issued_on": _day(d["issued_on"]),
            "reason": d["reason"],
            "lines": d["lines"],
        }
        await upsert(conn, t.order_confirmations, row, key=["customer_id", "number"])

"""The agreements HTTP API."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.agreements import handlers
from services.agreements.adapters import tables as t
from services.agreements.adapters.people import revealed_people
from services.agreements.domain import commands as cmd
from services.agreements.domain import events as ev
from services.agreements.schemas import (
    AgreementRead,
    CancellationRead,
    CustomerRead,
    DepartmentRead,
    OrderConfirmationRead,
    PersonRead,
    PriceChangeRead,
    ProductRead,
    SubscriptionRead,
)
from shared.auth import CurrentPrincipal
from shared.errors import NotFound
from shared.money import format_dkk
from shared.privacy import ERASE_SCOPE
from shared.service import DocumentNumber, MetadataDep, Runtime, RuntimeDep
from shared.vault import Vault

router = APIRouter()
_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=select_autoescape()
)
_templates.filters["dkk"] = lambda value: format_dkk(Decimal(value))
STATUSES = {
    "active": "aktiv",
    "pending": "afventer prøveperiodens afslutning",
    "cancelling": "opsagt",
}


async def _one(conn: AsyncConnection, query: Any, what: str, key: str) -> dict[str, Any]:
    row = (await conn.execute(query)).mappings().first()
    if row is None:
        raise NotFound(f"no {what} {key}", field=f"{what}_id")
    return dict(row)


async def _customer(runtime: RuntimeDep, customer_id: str) -> CustomerRead:
    async with runtime.store.engine.connect() as conn:
        row = await _one(
            conn,
            select(t.customers).where(t.customers.c.customer_id == customer_id),
            "customer",
            customer_id,
        )
        departments = (
            await conn.execute(
                select(t.departments).where(t.departments.c.customer_id == customer_id)
            )
        ).mappings()
        people = (
            await conn.execute(select(t.people).where(t.people.c.customer_id == customer_id))
        ).mappings()
        return CustomerRead(
            **row,
            departments=[DepartmentRead.model_validate(dict(d)) for d in departments],
            people=await revealed_people(_vault(runtime), [dict(p) for p in people]),
        )


def _vault(runtime: Runtime) -> Vault:
    assert runtime.vault is not None, "the agreements service opens the key vault at start"
    return runtime.vault


async def _agreement(runtime: RuntimeDep, customer_id: str) -> AgreementRead:
    async with runtime.store.engine.connect() as conn:
        row = await _one(
            conn,
            select(t.agreements).where(t.agreements.c.customer_id == customer_id),
            "agreement",
            customer_id,
        )
        subs = (
            await conn.execute(
                select(t.subscriptions)
                .where(t.subscriptions.c.customer_id == customer_id)
                .order_by(t.subscriptions.c.start_date, t.subscriptions.c.sku)
            )
        ).mappings()
        return AgreementRead(
            **row, subscriptions=[SubscriptionRead.model_validate(dict(s)) for s in subs]
        )


@router.post(
    "/customers",
    status_code=status.HTTP_201_CREATED,
    response_model=CustomerRead,
    tags=["customers"],
)
async def register_customer(
    body: cmd.RegisterCustomer, runtime: RuntimeDep, meta: MetadataDep
) -> CustomerRead:
    """Register a customer (a business needs a valid CVR number)."""
    customer_id = await handlers.register_customer(runtime.store, body, meta)
    return await _customer(runtime, customer_id)


@router.get("/customers", response_model=list[CustomerRead], tags=["customers"])
async def list_customers(runtime: RuntimeDep) -> list[CustomerRead]:
    """All customers."""
    async with runtime.store.engine.connect() as conn:
        rows = (await conn.execute(select(t.customers).order_by(t.customers.c.name))).mappings()
        return [CustomerRead.model_validate(dict(row)) for row in rows]


@router.get("/customers/{customer_id}", response_model=CustomerRead, tags=["customers"])
async def get_customer(customer_id: str, runtime: RuntimeDep) -> CustomerRead:
    """One customer with its departments and people."""
    return await _customer(runtime, customer_id)


@router.post(
    "/customers/{customer_id}/departments",
    status_code=201,
    response_model=CustomerRead,
    tags=["customers"],
)
async def add_department(
    customer_id: str, body: cmd.AddDepartment, runtime: RuntimeDep, meta: MetadataDep
) -> CustomerRead:
    """Add a department."""
    await handlers.add_department(runtime.store, customer_id, body, meta)
    return await _customer(runtime, customer_id)


@router.post(
    "/customers/{customer_id}/people",
    status_code=201,
    response_model=CustomerRead,
    tags=["customers"],
)
async def add_person(
    customer_id: str, body: cmd.AddPerson, runtime: RuntimeDep, meta: MetadataDep
) -> CustomerRead:
    """Add an employee, a management approver (may order hardware) or a contact.

    Name, e-mail and phone are kept only sealed under a key of the person's own.
    """
    await handlers.add_person(runtime.store, _vault(runtime), customer_id, body, meta)
    return await _customer(runtime, customer_id)


@router.post(
    "/customers/{customer_id}/people/{person_id}/erasure",
    response_model=PersonRead,
    tags=["customers"],
)
async def erase_person(
    customer_id: str,
    person_id: str,
    runtime: RuntimeDep,
    meta: MetadataDep,
    principal: CurrentPrincipal,
) -> PersonRead:
    """Erase a person (GDPR art. 17): their key is deleted, so their data reads as erased
    everywhere, also in replays. Needs the scope privacy:erase. Repeating it changes nothing.
    """
    if not principal.allows(ERASE_SCOPE):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, detail=f"this key lacks the scope {ERASE_SCOPE}"
        )
    await handlers.erase_person(runtime.store, _vault(runtime), customer_id, person_id, meta)
    customer = await _customer(runtime, customer_id)
    return next(p for p in customer.people if p.person_id == person_id)


@router.post(
    "/customers/{customer_id}/agreement",
    status_code=201,
    response_model=AgreementRead,
    tags=["agreements"],
)
async def sign_agreement(
    customer_id: str, body: cmd.SignAgreement, runtime: RuntimeDep, meta: MetadataDep
) -> AgreementRead:
    """Sign the provider's agreement: a tier (Safe IT) or a package agreement starting on trial (MICO)."""
    await handlers.sign_agreement(runtime.store, runtime.profile, customer_id, body, meta)
    return await _agreement(runtime, customer_id)


@router.get("/customers/{customer_id}/agreement", response_model=AgreementRead, tags=["agreements"])
async def get_agreement(customer_id: str, runtime: RuntimeDep) -> AgreementRead:
    """The customer's agreement and subscriptions."""
    return await _agreement(runtime, customer_id)


@router.post(
    "/customers/{customer_id}/agreement/convert-trial",
    response_model=AgreementRead,
    tags=["agreements"],
)
async def convert_trial(customer_id: str, runtime: RuntimeDep, meta: MetadataDep) -> AgreementRead:
    """End the trial: the ordered packages start today and are invoiced from now on."""
    await handlers.convert_trial(runtime.store, runtime.profile, customer_id, meta)
    return await _agreement(runtime, customer_id)


@router.post(
    "/customers/{customer_id}/agreement/subscriptions",
    status_code=201,
    response_model=SubscriptionRead,
    tags=["agreements"],
)
async def add_subscription(
    customer_id: str, body: cmd.AddSubscription, runtime: RuntimeDep, meta: MetadataDep
) -> SubscriptionRead:
    """Order a subscription (SKU from the profile's catalogue)."""
    subscription_id = await handlers.add_subscription(
        runtime.store, runtime.profile, customer_id, body, meta
    )
    return await _subscription(runtime, subscription_id)


@router.patch(
    "/customers/{customer_id}/agreement/subscriptions/{subscription_id}",
    response_model=SubscriptionRead,
    tags=["agreements"],
)
async def change_quantity(
    customer_id: str,
    subscription_id: str,
    body: cmd.ChangeQuantity,
    runtime: RuntimeDep,
    meta: MetadataDep,
) -> SubscriptionRead:
    """Change the quantity from a date."""
    await handlers.change_quantity(
        runtime.store, runtime.profile, customer_id, subscription_id, body, meta
    )
    return await _subscription(runtime, subscription_id)


@router.put(
    "/customers/{customer_id}/agreement/subscriptions/{subscription_id}/vendor-reference",
    response_model=SubscriptionRead,
    tags=["agreements"],
)
async def set_vendor_reference(
    customer_id: str,
    subscription_id: str,
    body: cmd.SetVendorReference,
    runtime: RuntimeDep,
    meta: MetadataDep,
) -> SubscriptionRead:
    """Record where the service lives at its vendor: tenant and subscription, domain, licence key…"""
    await handlers.set_vendor_reference(runtime.store, customer_id, subscription_id, body, meta)
    return await _subscription(runtime, subscription_id)


@router.post(
    "/customers/{customer_id}/agreement/subscriptions/{subscription_id}/cancel",
    response_model=CancellationRead,
    tags=["agreements"],
)
async def cancel_subscription(
    customer_id: str,
    subscription_id: str,
    body: cmd.CancelSubscription,
    runtime: RuntimeDep,
    meta: MetadataDep,
) -> CancellationRead:
    """Give notice: the answer states the last day of service and the rule that set it."""
    outcome = await handlers.cancel_subscription(
        runtime.store, runtime.profile, customer_id, subscription_id, body, meta
    )
    if isinstance(outcome, ev.SubscriptionEnded):
        return CancellationRead(
            subscription_id=subscription_id,
            notice_date=outcome.end_date,
            end_date=outcome.end_date,
            rule="never started (ordered during the trial): ends at once",
        )
    return CancellationRead(
        subscription_id=subscription_id,
        notice_date=outcome.notice_date,
        end_date=outcome.end_date,
        rule=outcome.rule,
    )


@router.get("/subscriptions", response_model=list[SubscriptionRead], tags=["agreements"])
async def list_subscriptions(
    runtime: RuntimeDep, status: str | None = None, sku: str | None = None
) -> list[SubscriptionRead]:
    """Every customer's subscriptions, optionally by status (pending, active, cancelling, ended) or SKU."""
    query = select(t.subscriptions).order_by(
        t.subscriptions.c.customer_id, t.subscriptions.c.start_date
    )
    if status:
        query = query.where(t.subscriptions.c.status == status)
    if sku:
        query = query.where(t.subscriptions.c.sku == sku)
    async with runtime.store.engine.connect() as conn:
        return [
            SubscriptionRead.model_validate(dict(r)) for r in (await conn.execute(query)).mappings()
        ]


async def _subscription(runtime: RuntimeDep, subscription_id: str) -> SubscriptionRead:
    async with runtime.store.engine.connect() as conn:
        query = select(t.subscriptions).where(t.subscriptions.c.subscription_id == subscription_id)
        return SubscriptionRead.model_validate(
            await _one(conn, query, "subscription", subscription_id)
        )


@router.get(
    "/customers/{customer_id}/agreement/order-confirmations",
    response_model=list[OrderConfirmationRead],
    tags=["agreements"],
)
async def list_order_confirmations(
    customer_id: str, runtime: RuntimeDep
) -> list[OrderConfirmationRead]:
    """Every order confirmation of the agreement, newest last."""
    query = select(t.order_confirmations).where(t.order_confirmations.c.customer_id == customer_id)
    async with runtime.store.engine.connect() as conn:
        rows = (await conn.execute(query.order_by(t.order_confirmations.c.number))).mappings()
        return [OrderConfirmationRead.model_validate(dict(r)) for r in rows]


async def _confirmation(
    runtime: RuntimeDep, customer_id: str, number: int
) -> OrderConfirmationRead:
    query = select(t.order_confirmations).where(
        t.order_confirmations.c.customer_id == customer_id, t.order_confirmations.c.number == number
    )
    async with runtime.store.engine.connect() as conn:
        return OrderConfirmationRead.model_validate(
            await _one(conn, query, "order_confirmation", str(number))
        )


# The document route comes first: {number} would otherwise swallow "3.html".
@router.get(
    "/customers/{customer_id}/agreement/order-confirmations/{number}.html",
    response_class=HTMLResponse,
    tags=["agreements"],
)
async def get_order_confirmation_html(
    customer_id: str, number: DocumentNumber, runtime: RuntimeDep
) -> HTMLResponse:
    """One order confirmation as the document the customer receives."""
    confirmation = await _confirmation(runtime, customer_id, number)
    customer = await _customer(runtime, customer_id)
    rules = sorted(
        {
            rule.description
            for line in confirmation.lines
            if (product := runtime.profile.product(line["sku"])) is not None
            for rule in product.notice.values()
        }
    )
    html = _templates.get_template("order_confirmation.html").render(
        confirmation=confirmation,
        customer=customer,
        seller=runtime.profile.seller,
        statuses=STATUSES,
        notice_rules=rules,
    )
    return HTMLResponse(html)


@router.get(
    "/customers/{customer_id}/agreement/order-confirmations/{number}",
    response_model=OrderConfirmationRead,
    tags=["agreements"],
)
async def get_order_confirmation(
    customer_id: str, number: DocumentNumber, runtime: RuntimeDep
) -> OrderConfirmationRead:
    """One order confirmation as JSON."""
    return await _confirmation(runtime, customer_id, number)


@router.get("/catalogue", response_model=list[ProductRead], tags=["catalogue"])
async def get_catalogue(runtime: RuntimeDep) -> list[ProductRead]:
    """The provider's products; example_fields name the values that are examples, not terms."""
    async with runtime.store.engine.connect() as conn:
        changes = [
            PriceChangeRead.model_validate(dict(r))
            for r in (await conn.execute(select(t.price_changes))).mappings()
        ]
    return [
        ProductRead(
            **product.model_dump(
                include={
                    "sku",
                    "name",
                    "description",
                    "kind",
                    "unit",
                    "unit_price",
                    "billing_periods",
                }
            ),
            yearly_discount=product.yearly_discount,
            volume_tiers=[tier.model_dump(mode="json") for tier in product.volume_tiers],
            payment_terms_days=product.payment_terms_days,
            notice={period: rule.description for period, rule in product.notice.items()},
            suspendable=product.suspendable,
            example_fields=product.examples,
            price_changes=[c for c in changes if c.sku == product.sku],
        )
        for product in runtime.profile.catalogue
    ]


@router.post(
    "/catalogue/price-changes", status_code=201, response_model=PriceChangeRead, tags=["catalogue"]
)
async def announce_price_change(
    body: cmd.AnnouncePriceChange, runtime: RuntimeDep, meta: MetadataDep
) -> PriceChangeRead:
    """Announce a new unit price; it must take effect at least the profile's notice days ahead."""
    announced = await handlers.announce_price_change(runtime.store, runtime.profile, body, meta)
    return PriceChangeRead.model_validate(announced.model_dump())


@router.get("/profile", tags=["catalogue"])
async def get_profile(runtime: RuntimeDep) -> dict[str, Any]:
    """The provider profile in force (terms as data; example values are listed per entry)."""
    return runtime.profile.model_dump(mode="json")

"""Agreements command handlers: load, call the domain, save, publish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy import select

from services.agreements.adapters.tables import subscriptions
from services.agreements.domain import commands as cmd
from services.agreements.domain import events as ev
from services.agreements.domain.agreement import Agreement
from services.agreements.domain.catalogue import Catalogue
from services.agreements.domain.customer import Customer
from shared.contracts import Contract
from shared.contracts import agreements as contracts
from shared.domain import Aggregate, DomainEvent
from shared.errors import Conflict, DomainError, NotFound
from shared.ids import new_id
from shared.privacy import PersonalData
from shared.profile import Product, Profile
from shared.repository import EventTypes, Repository
from shared.store.eventstore import (
    EventStore,
    Metadata,
    Transaction,
    business_today,
    run_command,
)
from shared.vault import Vault

TYPES = EventTypes(ev.ALL)
T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)


_run = run_command


_today = business_today


async def _load(tx: Transaction, kind: type[A], aggregate_id: str, what: str) -> A:
    found = await Repository(tx, kind, TYPES).get(aggregate_id)
    if found is None:
        raise NotFound(f"no {what} {aggregate_id}", field=f"{what.replace(' ', '_')}_id")
    return found


def _contracts(event: DomainEvent, agreement: Agreement | None) -> list[Contract]:
    """The public events a domain event gives rise to."""
    if isinstance(event, ev.SubscriptionAdded):
        return []  # announced by SubscriptionStarted, once it runs
    if isinstance(event, ev.SubscriptionStarted):
        assert agreement is not None
        sub = agreement.subscriptions[event.subscription_id]
        return [
            contracts.SubscriptionStarted(
                customer_id=event.customer_id,
                subscription_id=sub.subscription_id,
                sku=sub.sku,
                name=sub.name,
                quantity=sub.quantity,
                billing_period=sub.billing_period,
                unit_price=sub.unit_price,
                payment_terms_days=sub.payment_terms_days,
                suspendable=sub.suspendable,
                service_kind=sub.service_kind,
                start=event.start,
                vendor_reference=sub.vendor_reference,
            )
        ]
    public: type[Contract] = getattr(contracts, type(event).__name__)
    return [public.model_validate(event.model_dump())]


async def _save(tx: Transaction, aggregate: Aggregate, customer_id: str | None) -> None:
    recorded = list(aggregate.pending)
    await Repository(tx, type(aggregate), TYPES).save(aggregate, customer_id=customer_id)
    agreement = aggregate if isinstance(aggregate, Agreement) else None
    for event in recorded:
        for message in _contracts(event, agreement):
            await tx.publish(
                message, topic=contracts.TOPIC, customer_id=customer_id, subject=aggregate.stream_id
            )


def _product(profile: Profile, sku: str) -> Product:
    product = profile.product(sku)
    if product is None:
        raise DomainError(f"unknown SKU {sku!r} in the {profile.name} catalogue", field="sku")
    return product


async def register_customer(
    store: EventStore, command: cmd.RegisterCustomer, meta: Metadata
) -> str:
    """Register a customer; returns its id."""
    customer_id = new_id()

    async def work(tx: Transaction) -> str:
        customer = Customer.register(customer_id, command, await tx.business_date())
        await _save(tx, customer, customer_id)
        return customer_id

    return await _run(store, meta, work)


async def add_department(
    store: EventStore, customer_id: str, command: cmd.AddDepartment, meta: Metadata
) -> str:
    """Add a department; returns its id."""
    department_id = new_id()

    async def work(tx: Transaction) -> str:
        customer = await _load(tx, Customer, customer_id, "customer")
        customer.add_department(department_id, command)
        await _save(tx, customer, customer_id)
        return department_id

    return await _run(store, meta, work)


async def add_person(
    store: EventStore, vault: Vault, customer_id: str, command: cmd.AddPerson, meta: Metadata
) -> str:
    """Add a person, their data sealed under a new key of their own; returns its id."""
    person_id = new_id()

    async def check(tx: Transaction) -> None:
        (await _load(tx, Customer, customer_id, "customer")).check_person(command)

    await _run(store, meta, check)
    personal = await vault.seal(
        person_id, PersonalData(name=command.name, email=command.email, phone=command.phone)
    )

    async def work(tx: Transaction) -> str:
        customer = await _load(tx, Customer, customer_id, "customer")
        customer.add_person(person_id, command, personal)
        await _save(tx, customer, customer_id)
        return person_id

    try:
        return await _run(store, meta, work)
    except DomainError:
        await vault.erase(person_id)  # refused, so never recorded: keep no key for it
        raise


async def erase_person(
    store: EventStore, vault: Vault, customer_id: str, person_id: str, meta: Metadata
) -> bool:
    """Delete the person's key, then record the erasure; False if it was recorded already.

    The key goes first: if recording fails, the request is repeated and finds no key.
    """

    async def check(tx: Transaction) -> None:
        customer = await _load(tx, Customer, customer_id, "customer")
        if person_id not in customer.people:
            raise NotFound(f"no person {person_id} at this customer", field="person_id")

    await _run(store, meta, check)
    await vault.erase(person_id)

    async def work(tx: Transaction) -> bool:
        customer = await _load(tx, Customer, customer_id, "customer")
        recorded = customer.erase_person(person_id, await tx.business_date())
        await _save(tx, customer, customer_id)
        return recorded

    return await _run(store, meta, work)


async def sign_agreement(
    store: EventStore,
    profile: Profile,
    customer_id: str,
    command: cmd.SignAgreement,
    meta: Metadata,
) -> None:
    """Sign the agreement; a tier is also its first subscription."""

    async def work(tx: Transaction) -> None:
        customer = await _load(tx, Customer, customer_id, "customer")
        if await Repository(tx, Agreement, TYPES).get(customer_id) is not None:
            raise Conflict("the customer already has an agreement", field="customer_id")
        signed_on = command.signed_on or await _today(tx)
        agreement = Agreement.sign(
            customer_id,
            profile,
            tier=command.tier,
            signed_on=signed_on,
            registered_on=customer.registered_on,
        )
        if command.tier:
            tier = _product(profile, command.tier)
            agreement.add_subscription(
                new_id(),
                tier,
                quantity=1,
                billing_period=tier.billing_periods[0],
                start=signed_on,
                unit_price=await _price(tx, profile, tier, 1, tier.billing_periods[0], signed_on),
                registered_on=customer.registered_on,
            )
        await _save(tx, agreement, customer_id)

    await _run(store, meta, work)


async def add_subscription(
    store: EventStore,
    profile: Profile,
    customer_id: str,
    command: cmd.AddSubscription,
    meta: Metadata,
) -> str:
    """Order a subscription under the customer's agreement; returns its id."""
    subscription_id = new_id()
    product = _product(profile, command.sku)
    if profile.tier(command.sku) is not None:
        raise DomainError(
            f"{command.sku} is an agreement tier: choose it when signing", field="sku"
        )

    async def work(tx: Transaction) -> str:
        customer = await _load(tx, Customer, customer_id, "customer")
        agreement = await _load(tx, Agreement, customer_id, "agreement")
        today = await _today(tx)
        start = command.start or today
        period = command.billing_period or product.billing_periods[0]
        agreement.add_subscription(
            subscription_id,
            product,
            quantity=command.quantity,
            billing_period=period,
            start=start,
            unit_price=await _price(tx, profile, product, command.quantity, period, start),
            registered_on=customer.registered_on,
            vendor_reference=_reference(command.vendor_reference),
        )
        _confirm(profile, agreement, today, f"{product.name} tilføjet")
        await _save(tx, agreement, customer_id)
        return subscription_id

    return await _run(store, meta, work)


def _reference(reference: cmd.VendorReference | None) -> dict[str, str]:
    return reference.model_dump(exclude_none=True) if reference else {}


async def set_vendor_reference(
    store: EventStore,
    customer_id: str,
    subscription_id: str,
    command: cmd.SetVendorReference,
    meta: Metadata,
) -> None:
    """Record where a subscription's service lives at its vendor."""

    async def work(tx: Transaction) -> None:
        agreement = await _load(tx, Agreement, customer_id, "agreement")
        agreement.set_vendor_reference(subscription_id, _reference(command.vendor_reference))
        await _save(tx, agreement, customer_id)

    await _run(store, meta, work)


async def change_quantity(
    store: EventStore,
    profile: Profile,
    customer_id: str,
    subscription_id: str,
    command: cmd.ChangeQuantity,
    meta: Metadata,
) -> None:
    """Change a subscription's quantity from a date."""

    async def work(tx: Transaction) -> None:
        agreement = await _load(tx, Agreement, customer_id, "agreement")
        today = await _today(tx)
        current = agreement.subscriptions.get(subscription_id)
        if current is None:
            raise NotFound(
                f"no subscription {subscription_id} on this agreement", field="subscription_id"
            )
        product = _product(profile, current.sku)
        effective = command.effective or today
        price = await _price(
            tx, profile, product, command.quantity, current.billing_period, effective
        )
        agreement.change_quantity(subscription_id, command.quantity, effective, price)
        _confirm(profile, agreement, today, f"{product.name}: antal ændret til {command.quantity}")
        await _save(tx, agreement, customer_id)

    await _run(store, meta, work)


async def cancel_subscription(
    store: EventStore,
    profile: Profile,
    customer_id: str,
    subscription_id: str,
    command: cmd.CancelSubscription,
    meta: Metadata,
) -> ev.SubscriptionCancellationRequested | ev.SubscriptionEnded:
    """Give notice; returns the event that states the end date and the rule."""

    async def work(tx: Transaction) -> ev.SubscriptionCancellationRequested | ev.SubscriptionEnded:
        agreement = await _load(tx, Agreement, customer_id, "agreement")
        today = await _today(tx)
        current = agreement.subscriptions.get(subscription_id)
        if current is None:
            raise NotFound(
                f"no subscription {subscription_id} on this agreement", field="subscription_id"
            )
        agreement.cancel(
            subscription_id, _product(profile, current.sku), command.notice_date or today
        )
        outcome = agreement.pending[-1]
        assert isinstance(outcome, ev.SubscriptionCancellationRequested | ev.SubscriptionEnded)
        _confirm(profile, agreement, today, f"{current.name} opsagt")
        await _save(tx, agreement, customer_id)
        return outcome

    return await _run(store, meta, work)


async def convert_trial(
    store: EventStore, profile: Profile, customer_id: str, meta: Metadata
) -> None:
    """End the customer's trial; its packages start today."""

    async def work(tx: Transaction) -> None:
        agreement = await _load(tx, Agreement, customer_id, "agreement")
        today = await _today(tx)
        agreement.convert_trial(today, profile.agreement.base_package)
        _confirm(profile, agreement, today, "prøveperioden er overgået til serviceaftale")
        await _save(tx, agreement, customer_id)

    await _run(store, meta, work)


async def announce_price_change(
    store: EventStore, profile: Profile, command: cmd.AnnouncePriceChange, meta: Metadata
) -> ev.PriceChangeAnnounced:
    """Announce a price change with the profile's notice."""
    product = _product(profile, command.sku)

    async def work(tx: Transaction) -> ev.PriceChangeAnnounced:
        catalogue = await Repository(tx, Catalogue, TYPES).get(profile.id) or Catalogue(profile.id)
        catalogue.announce(
            product,
            command.unit_price,
            command.effective_from,
            await _today(tx),
            profile.invoicing.price_change_notice_days,
        )
        announced = catalogue.pending[-1]
        assert isinstance(announced, ev.PriceChangeAnnounced)
        await _save(tx, catalogue, None)
        return announced

    return await _run(store, meta, work)


async def end_due_subscriptions(tx: Transaction, today: date) -> None:
    """On DayStarted: end every subscription whose last day is before today."""
    due = await tx.conn.execute(
        select(subscriptions.c.customer_id)
        .where(subscriptions.c.status == "cancelling", subscriptions.c.end_date < today)
        .distinct()
    )
    for customer_id in sorted(due.scalars()):
        agreement = await _load(tx, Agreement, customer_id, "agreement")
        agreement.end_due(today)
        await _save(tx, agreement, customer_id)


async def _price(
    tx: Transaction, profile: Profile, product: Product, quantity: int, period: str, day: date
) -> Decimal:
    catalogue = await Repository(tx, Catalogue, TYPES).get(profile.id) or Catalogue(profile.id)
    return catalogue.price_for(product, quantity, period, day)


def _confirm(profile: Profile, agreement: Agreement, today: date, reason: str) -> None:
    if profile.agreement.order_confirmations and agreement.pending:
        agreement.confirm_order(today, reason)

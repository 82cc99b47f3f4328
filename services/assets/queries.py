"""Read-side questions that combine the register with the read models."""

from __future__ import annotations

from sqlalchemy import select

from services.assets.adapters import tables as t
from services.assets.adapters.terms import Terms
from services.assets.domain.reconciliation import Device, PackageSource, reconcile
from services.assets.domain.register import Register
from services.assets.handlers.common import TYPES
from services.assets.schemas import DeviceRead, PackageSourceRead, ReconciliationRead
from shared.errors import NotFound
from shared.store.eventstore import EventStore


async def register(store: EventStore, customer_id: str) -> Register:
    """The customer's register as its events tell it."""
    stream = await store.read_stream(f"{Register.stream_prefix}-{customer_id}")
    if not stream:
        raise NotFound(f"no customer {customer_id}", field="customer_id")
    return Register.rehydrate(customer_id, (TYPES.decode(e) for e in stream))


async def reconciliation(store: EventStore, terms: Terms, customer_id: str) -> ReconciliationRead:
    """Devices in service against the tier's included and the subscribed PC security packages."""
    known = await register(store, customer_id)
    tier = known.tier_in_force()
    tier_terms = terms.profile.tier(tier) if tier else None
    sources: list[PackageSource] = []
    if tier_terms is not None and tier_terms.included_pc_security:
        sources.append(PackageSource(f"included in {tier}", tier_terms.included_pc_security))
    for subscription_id, quantity in known.pc_security_subscribed().items():
        sources.append(PackageSource("pc-security subscription", quantity, subscription_id))
    h = t.hardware.c
    async with store.engine.connect() as conn:
        rows = await conn.execute(
            select(h.hardware_id, h.product_type, h.name, h.serial, h.department_id, h.employee_id)
            .where(
                h.customer_id == customer_id,
                h.status != "retired",
                h.product_type.in_(terms.policy.pc_security_device_types),
            )
            .order_by(h.registered_position)
        )
        devices = [
            Device(
                r.hardware_id,
                r.product_type,
                r.name,
                r.serial,
                known.departments.get(r.department_id or ""),
                r.employee_id,
            )
            for r in rows.all()
        ]
    outcome = reconcile(devices, sources)
    examples = [f for f in terms.policy.examples if f == "pc_security_device_types"]
    if tier_terms is not None and "included_pc_security" in tier_terms.examples:
        examples.append("included_pc_security")
    return ReconciliationRead(
        customer_id=customer_id,
        tier=tier,
        devices=outcome.devices,
        packages=outcome.packages,
        device_types=list(terms.policy.pc_security_device_types),
        sources=[_source(s) for s in outcome.sources],
        devices_without_package=[
            DeviceRead.model_validate(d, from_attributes=True)
            for d in outcome.devices_without_package
        ],
        packages_without_device=[_source(s) for s in outcome.packages_without_device],
        example_fields=examples,
    )


def _source(source: PackageSource) -> PackageSourceRead:
    return PackageSourceRead(
        source=source.source,
        subscription_id=source.subscription_id,
        quantity=source.quantity,
        unused=source.unused,
    )

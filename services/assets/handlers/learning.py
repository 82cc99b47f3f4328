"""What assets learns from agreements' events, recorded as its own facts on the customer's register."""

from __future__ import annotations

from datetime import date

from services.assets.adapters.terms import Terms
from services.assets.domain import facts as f
from services.assets.domain.register import Register
from services.assets.domain.visits import ServicePlan
from services.assets.handlers.common import TYPES, register_of, save
from shared.contracts import Contract
from shared.contracts import agreements as agreements_events
from shared.envelope import CloudEvent
from shared.repository import Repository
from shared.store.eventstore import Transaction


async def on_customer_registered(tx: Transaction, _: CloudEvent, message: Contract) -> None:
    """Open the customer's register (also feeds the known_customers directory)."""
    assert isinstance(message, agreements_events.CustomerRegistered)
    if await Repository(tx, Register, TYPES).get(message.customer_id) is not None:
        return
    opened = f.AssetRegisterOpened(
        customer_id=message.customer_id,
        name=message.name,
        cvr=message.cvr,
        kind=message.kind,
        finance_email=message.finance_email,
    )
    await save(tx, Register.open(opened), message.customer_id)


async def on_department_added(tx: Transaction, _: CloudEvent, message: Contract) -> None:
    """Learn a department."""
    assert isinstance(message, agreements_events.DepartmentAdded)
    register = await register_of(tx, message.customer_id)
    register.note_department(message.department_id, message.name)
    await save(tx, register, message.customer_id)


async def on_person_added(tx: Transaction, _: CloudEvent, message: Contract) -> None:
    """Learn a person: employee, management approver, finance contact or contact."""
    assert isinstance(message, agreements_events.PersonAdded)
    register = await register_of(tx, message.customer_id)
    register.note_person(
        f.PersonNoted(
            customer_id=message.customer_id,
            person_id=message.person_id,
            role=message.role,
            personal=message.personal,
            department_id=message.department_id,
        )
    )
    await save(tx, register, message.customer_id)


async def on_person_erased(tx: Transaction, _: CloudEvent, message: Contract) -> None:
    """Forget an erased person: their sealed data is dropped from the read models."""
    assert isinstance(message, agreements_events.PersonErased)
    register = await register_of(tx, message.customer_id)
    register.forget_person(message.person_id)
    await save(tx, register, message.customer_id)


async def on_agreement_signed(
    tx: Transaction, _: CloudEvent, message: Contract, terms: Terms
) -> None:
    """Learn the tier; without a trial, routine service visits run from the signing."""
    assert isinstance(message, agreements_events.AgreementSigned)
    register = await register_of(tx, message.customer_id)
    register.note_agreement(
        f.AgreementNoted(
            customer_id=message.customer_id,
            profile=message.profile,
            model=message.model,
            tier=message.tier,
            signed_on=message.signed_on,
        )
    )
    await save(tx, register, message.customer_id)
    if terms.profile.agreement.trial is None:
        await _schedule_visits(tx, terms, message.customer_id, message.signed_on)


async def on_trial_converted(
    tx: Transaction, _: CloudEvent, message: Contract, terms: Terms
) -> None:
    """A trial agreement starts now: routine service visits run from today."""
    assert isinstance(message, agreements_events.TrialConverted)
    await _schedule_visits(tx, terms, message.customer_id, message.converted_on)


async def on_subscription_started(tx: Transaction, _: CloudEvent, message: Contract) -> None:
    """Learn PC security packages and the tier's own subscription."""
    assert isinstance(message, agreements_events.SubscriptionStarted)
    register = await register_of(tx, message.customer_id)
    register.note_subscription(
        f.SubscriptionNoted(
            customer_id=message.customer_id,
            subscription_id=message.subscription_id,
            sku=message.sku,
            service_kind=message.service_kind,
            quantity=message.quantity,
            start=message.start,
        )
    )
    await save(tx, register, message.customer_id)


async def on_quantity_changed(tx: Transaction, _: CloudEvent, message: Contract) -> None:
    """Learn a new number of PC security packages."""
    assert isinstance(message, agreements_events.SubscriptionQuantityChanged)
    register = await register_of(tx, message.customer_id)
    register.note_quantity(message.subscription_id, message.quantity, message.effective)
    await save(tx, register, message.customer_id)


async def on_subscription_ended(tx: Transaction, _: CloudEvent, message: Contract) -> None:
    """Learn that packages (or the tier) ended."""
    assert isinstance(message, agreements_events.SubscriptionEnded)
    register = await register_of(tx, message.customer_id)
    register.note_end(message.subscription_id, message.end_date)
    await save(tx, register, message.customer_id)


async def _schedule_visits(
    tx: Transaction, terms: Terms, customer_id: str, starts_on: date
) -> None:
    visits_per_year = terms.profile.agreement.service_visits_per_year
    if visits_per_year == 0 or await Repository(tx, ServicePlan, TYPES).get(customer_id):
        return
    await save(tx, ServicePlan.schedule(customer_id, starts_on, visits_per_year), customer_id)

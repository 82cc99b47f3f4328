"""The events billing follows: customers, agreements and subscriptions, the clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal

from services.billing import handlers as h
from services.billing.domain import events as ev
from services.billing.domain.account import Account
from services.billing.domain.periods import is_run_day
from shared.consumer import EventHandler
from shared.contracts import Contract
from shared.contracts import agreements as a
from shared.contracts import dunning as d
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.money import dkk
from shared.profile import Profile
from shared.repository import Repository
from shared.store.eventstore import Transaction


def subscription_noted(m: a.SubscriptionStarted, profile: Profile) -> ev.SubscriptionNoted:
    """What billing keeps of a started subscription (the unit from the profile's product)."""
    product = profile.product(m.sku)
    return ev.SubscriptionNoted(
        customer_id=m.customer_id,
        subscription_id=m.subscription_id,
        sku=m.sku,
        name=m.name,
        unit=product.unit if product else "stk.",
        billing_period=m.billing_period,
        payment_terms_days=m.payment_terms_days,
        quantity=m.quantity,
        unit_price=m.unit_price,
        start=m.start,
    )


def handlers(profile: Profile) -> Mapping[type[Contract], Sequence[EventHandler]]:
    """Billing's subscriptions, bound to the provider profile."""

    async def customer_registered(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.CustomerRegistered)
        if await Repository(tx, Account, h.TYPES).get(m.customer_id) is not None:
            return
        account = Account(m.customer_id)
        account._record(  # the account opens with the customer: no rule to check
            ev.BillingAccountOpened(
                customer_id=m.customer_id,
                name=m.name,
                cvr=m.cvr,
                kind=m.kind,
                address=m.address,
                finance_email=m.finance_email,
            )
        )
        await h.save(tx, account, m.customer_id)

    async def agreement_signed(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.AgreementSigned)
        account = await h.load(tx, Account, m.customer_id, "customer_id")
        account.note_agreement(m.tier, on_trial=False, has_agreement=True)
        await h.save(tx, account, m.customer_id)

    async def trial_started(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.TrialStarted)
        account = await h.load(tx, Account, m.customer_id, "customer_id")
        account.note_agreement(
            None, on_trial=True, has_agreement=profile.rates.trial_counts_as_agreement
        )
        await h.save(tx, account, m.customer_id)

    async def trial_converted(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.TrialConverted)
        account = await h.load(tx, Account, m.customer_id, "customer_id")
        account.note_agreement(account.tier, on_trial=False, has_agreement=True)
        await h.save(tx, account, m.customer_id)

    async def subscription_started(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.SubscriptionStarted)
        account = await h.load(tx, Account, m.customer_id, "customer_id")
        account.note_subscription(subscription_noted(m, profile))
        await h.save(tx, account, m.customer_id)

    async def quantity_changed(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.SubscriptionQuantityChanged)
        account = await h.load(tx, Account, m.customer_id, "customer_id")
        account.change_terms(
            m.subscription_id, m.effective, m.quantity, m.unit_price, "antal ændret"
        )
        await h.save(tx, account, m.customer_id)

    async def subscription_stops(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.SubscriptionCancellationRequested | a.SubscriptionEnded)
        account = await h.load(tx, Account, m.customer_id, "customer_id")
        sub = account.subscriptions.get(m.subscription_id)
        price = sub.segments[-1].unit_price if sub else Decimal("0")
        account.change_terms(
            m.subscription_id, m.end_date + timedelta(days=1), 0, price, f"ophører {m.end_date}"
        )
        await h.save(tx, account, m.customer_id)

    async def price_changed(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, a.PriceChangeAnnounced)
        product = profile.product(m.sku)
        for subscription_id, customer_id in await h.subscriptions_of(tx, m.sku):
            account = await h.load(tx, Account, customer_id, "customer_id")
            sub = account.subscriptions[subscription_id]
            in_force = [s for s in sub.segments if s.start <= m.effective_from] or sub.segments[:1]
            price = m.unit_price
            if sub.billing_period == "yearly" and product is not None:
                price = price * (1 - product.yearly_discount)
            if in_force[-1].quantity > 0:
                account.change_terms(
                    subscription_id, m.effective_from, in_force[-1].quantity, price, "prisændring"
                )
                await h.save(tx, account, customer_id)

    async def reminder_issued(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, d.ReminderIssued)
        await h.issue_fee_invoice(tx, profile, m, m.customer_id)

    async def service_restored(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, d.ServiceRestored)
        account = await h.load(tx, Account, m.customer_id, "customer_id")
        rate = (
            profile.rates.consulting.with_agreement
            if account.has_agreement
            else profile.rates.consulting.without_agreement
        )
        lines = []
        if m.reopening_fee > 0:
            lines.append(
                _charge(
                    f"Genåbningsgebyr, {m.sku}",
                    Decimal("1"),
                    "stk.",
                    m.reopening_fee,
                    m.restored_on,
                )
            )
        if m.extra_work_hours > 0:
            text = f"Genetablering efter permanent lukning, {m.sku}"
            lines.append(
                _charge(text, m.extra_work_hours, "timer", rate.price_per_hour, m.restored_on)
            )
        if lines:
            account.record_work(
                ev.WorkRecorded(
                    customer_id=m.customer_id,
                    entry_id=f"restore-{m.invoice_number}-{m.subscription_id}",
                    kind="restore",
                    description=f"Genåbning efter betaling af faktura {m.invoice_number}",
                    lines=lines,
                )
            )
            await h.save(tx, account, m.customer_id)

    async def day_started(tx: Transaction, _: CloudEvent, m: Contract) -> None:
        assert isinstance(m, DayStarted)
        await h.pass_due_dates(tx, m.date)
        if is_run_day(m.date, profile.invoicing.run_on) and await h.start_invoice_run(
            tx, profile, m.date
        ):
            store, meta, day = tx.store, tx.meta, m.date
            tx.after_commit(lambda: _complete(store, meta, day))

    async def _complete(store, meta, day) -> None:  # type: ignore[no-untyped-def]
        await h.complete_invoice_run(store, profile, day, meta)

    return {
        a.CustomerRegistered: [customer_registered],
        a.AgreementSigned: [agreement_signed],
        a.TrialStarted: [trial_started],
        a.TrialConverted: [trial_converted],
        a.SubscriptionStarted: [subscription_started],
        a.SubscriptionQuantityChanged: [quantity_changed],
        a.SubscriptionCancellationRequested: [subscription_stops],
        a.SubscriptionEnded: [subscription_stops],
        a.PriceChangeAnnounced: [price_changed],
        d.ReminderIssued: [reminder_issued],
        d.ServiceRestored: [service_restored],
        DayStarted: [day_started],
    }


def _charge(text: str, quantity: Decimal, unit: str, price: Decimal, day: date) -> ev.WorkLine:
    return ev.WorkLine(
        description=text,
        quantity=quantity,
        unit=unit,
        unit_price=price,
        discount=Decimal("0"),
        amount=dkk(quantity * price),
        rule="charged on restore by the dunning policy",
        day=day,
    )

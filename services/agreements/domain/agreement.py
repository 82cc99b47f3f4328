"""The Agreement aggregate: one per customer, holding its tier or packages and subscriptions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.agreements.domain import events as ev
from services.agreements.domain.notice import last_day_of_service
from shared.calendar import add_months
from shared.domain import Aggregate
from shared.errors import Conflict, DomainError, NotFound
from shared.money import dkk
from shared.profile import Product, Profile


@dataclass
class Subscription:
    """A subscription as the agreement keeps it."""

    subscription_id: str
    sku: str
    name: str
    quantity: int
    billing_period: str
    unit_price: Decimal
    start: date | None
    payment_terms_days: int
    suspendable: bool
    service_kind: str
    vendor_reference: dict[str, str]
    status: str = "pending"  # pending (on trial) | active | cancelling | ended
    end_date: date | None = None

    @property
    def running(self) -> bool:
        """Not ended (pending, active or serving its notice)."""
        return self.status != "ended"


class Agreement(Aggregate):
    """The customer's agreement with the provider; its id is the customer's id."""

    stream_prefix = "agreement"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.model = "tiers"
        self.tier: str | None = None
        self.signed_on: date | None = None
        self.on_trial = False
        self.confirmations = 0
        self.subscriptions: dict[str, Subscription] = {}

    @classmethod
    def sign(
        cls,
        customer_id: str,
        profile: Profile,
        *,
        tier: str | None,
        signed_on: date,
        registered_on: date | None,
    ) -> Agreement:
        """Sign the profile's agreement; a package agreement starts on trial if the profile says so."""
        if registered_on and signed_on < registered_on:
            raise DomainError(
                f"the agreement cannot be signed before the customer was registered ({registered_on})",
                field="signed_on",
            )
        first_check: date | None = None
        if profile.agreement.kind == "tiers" and tier is not None:
            tier_terms = profile.tier(tier)
            if tier_terms is None:
                known = ", ".join(t.sku for t in profile.agreement.tiers)
                raise DomainError(f"unknown tier {tier!r}; choose one of {known}", field="tier")
            first_check = add_months(signed_on, tier_terms.first_security_check_after_months)
        if profile.agreement.kind == "packages" and tier is not None:
            raise DomainError(
                f"{profile.name} agreements are built from packages, not tiers", field="tier"
            )
        agreement = cls(customer_id)
        agreement._record(
            ev.AgreementSigned(
                customer_id=customer_id,
                profile=profile.id,
                model=profile.agreement.kind,
                tier=tier,
                signed_on=signed_on,
                first_security_check_due=first_check,
            )
        )
        if profile.agreement.trial is not None:
            agreement._record(
                ev.TrialStarted(
                    customer_id=customer_id,
                    started_on=signed_on,
                    work_rate=profile.agreement.trial.work_rate,
                )
            )
        return agreement

    def add_subscription(
        self,
        subscription_id: str,
        product: Product,
        *,
        quantity: int,
        billing_period: str,
        start: date,
        unit_price: Decimal,
        registered_on: date | None,
        vendor_reference: dict[str, str] | None = None,
    ) -> None:
        """Order a subscription; on trial it waits for the conversion."""
        if billing_period not in product.billing_periods:
            allowed = ", ".join(product.billing_periods)
            raise DomainError(
                f"{product.sku} is billed {allowed}, not {billing_period}", field="billing_period"
            )
        if registered_on and start < registered_on:
            raise DomainError(
                f"the subscription cannot start before the customer was registered ({registered_on})",
                field="start",
            )
        if self.signed_on and start < self.signed_on:
            raise DomainError(
                f"the subscription cannot start before the agreement was signed ({self.signed_on})",
                field="start",
            )
        held = sum(1 for s in self.subscriptions.values() if s.sku == product.sku and s.running)
        if product.per_agreement_max is not None and held >= product.per_agreement_max:
            raise DomainError(
                f"the agreement already has {held} {product.sku} ({product.name}); "
                f"at most {product.per_agreement_max} per agreement",
                field="sku",
            )
        self._record(
            ev.SubscriptionAdded(
                customer_id=self.id,
                subscription_id=subscription_id,
                sku=product.sku,
                name=product.name,
                quantity=quantity,
                billing_period=billing_period,
                unit_price=dkk(unit_price),
                payment_terms_days=product.payment_terms_days,
                suspendable=product.suspendable,
                service_kind=product.kind,
                start=None if self.on_trial else start,
                vendor_reference=vendor_reference or {},
            )
        )
        if not self.on_trial:
            self._record(
                ev.SubscriptionStarted(
                    customer_id=self.id, subscription_id=subscription_id, start=start
                )
            )

    def set_vendor_reference(self, subscription_id: str, reference: dict[str, str]) -> None:
        """Record where the service lives at its vendor."""
        subscription = self._running(subscription_id)
        if not reference:
            raise DomainError("give at least one vendor reference field", field="vendor_reference")
        self._record(
            ev.SubscriptionVendorReferenceSet(
                customer_id=self.id,
                subscription_id=subscription_id,
                sku=subscription.sku,
                service_kind=subscription.service_kind,
                vendor_reference=reference,
            )
        )

    def change_quantity(
        self, subscription_id: str, quantity: int, effective: date, unit_price: Decimal
    ) -> None:
        """Change the number of units from a date."""
        subscription = self._running(subscription_id)
        if subscription.quantity == quantity:
            return
        if subscription.start and effective < subscription.start:
            raise DomainError(
                f"the change cannot take effect before the start ({subscription.start})",
                field="effective",
            )
        self._record(
            ev.SubscriptionQuantityChanged(
                customer_id=self.id,
                subscription_id=subscription_id,
                quantity=quantity,
                previous_quantity=subscription.quantity,
                unit_price=dkk(unit_price),
                effective=effective,
            )
        )

    def cancel(self, subscription_id: str, product: Product, notice_date: date) -> Subscription:
        """Give notice; the end date follows the product's rule for the billing period."""
        subscription = self._running(subscription_id)
        if subscription.status == "cancelling":
            raise Conflict(
                f"notice was already given; the subscription ends on {subscription.end_date}",
                field="subscription_id",
            )
        if subscription.status == "pending":
            # Ordered during a trial and never started: nothing to serve out.
            self._record(
                ev.SubscriptionEnded(
                    customer_id=self.id, subscription_id=subscription_id, end_date=notice_date
                )
            )
            return subscription
        rule = product.notice[subscription.billing_period]  # type: ignore[index]
        start = subscription.start or notice_date
        end = max(last_day_of_service(rule, notice_date, start), notice_date)
        self._record(
            ev.SubscriptionCancellationRequested(
                customer_id=self.id,
                subscription_id=subscription_id,
                notice_date=notice_date,
                end_date=end,
                rule=rule.description,
            )
        )
        return subscription

    def end_due(self, today: date) -> None:
        """End every subscription whose last day has passed."""
        for subscription in list(self.subscriptions.values()):
            if (
                subscription.status == "cancelling"
                and subscription.end_date
                and subscription.end_date < today
            ):
                self._record(
                    ev.SubscriptionEnded(
                        customer_id=self.id,
                        subscription_id=subscription.subscription_id,
                        end_date=subscription.end_date,
                    )
                )

    def convert_trial(self, today: date, base_package: str | None) -> None:
        """End the trial: every ordered package starts today."""
        if not self.on_trial:
            raise Conflict("the agreement is not on trial", field="customer_id")
        if base_package and not any(
            s.sku == base_package and s.running for s in self.subscriptions.values()
        ):
            raise DomainError(
                f"add the base package {base_package} before converting the trial", field="sku"
            )
        self._record(ev.TrialConverted(customer_id=self.id, converted_on=today))
        for subscription in list(self.subscriptions.values()):
            if subscription.status == "pending":
                self._record(
                    ev.SubscriptionStarted(
                        customer_id=self.id,
                        subscription_id=subscription.subscription_id,
                        start=today,
                    )
                )

    def confirm_order(self, today: date, reason: str) -> None:
        """Issue an order confirmation listing the whole current agreement."""
        lines = [
            {
                "sku": s.sku,
                "name": s.name,
                "quantity": str(s.quantity),
                "unit_price": str(s.unit_price),
                "billing_period": s.billing_period,
                "status": s.status,
                "start": s.start.isoformat() if s.start else "",
                "end_date": s.end_date.isoformat() if s.end_date else "",
            }
            for s in self.subscriptions.values()
            if s.running
        ]
        self._record(
            ev.OrderConfirmationIssued(
                customer_id=self.id,
                number=self.confirmations + 1,
                issued_on=today,
                reason=reason,
                lines=lines,
            )
        )

    def _running(self, subscription_id: str) -> Subscription:
        subscription = self.subscriptions.get(subscription_id)
        if subscription is None:
            raise NotFound(
                f"no subscription {subscription_id} on this agreement", field="subscription_id"
            )
        if subscription.status == "ended":
            raise Conflict(
                f"the subscription ended on {subscription.end_date}", field="subscription_id"
            )
        return subscription

    def when_AgreementSigned(self, event: ev.AgreementSigned) -> None:
        self.model = event.model
        self.tier = event.tier
        self.signed_on = event.signed_on

    def when_TrialStarted(self, _: ev.TrialStarted) -> None:
        self.on_trial = True

    def when_TrialConverted(self, _: ev.TrialConverted) -> None:
        self.on_trial = False

    def when_SubscriptionAdded(self, event: ev.SubscriptionAdded) -> None:
        self.subscriptions[event.subscription_id] = Subscription(
            subscription_id=event.subscription_id,
            sku=event.sku,
            name=event.name,
            quantity=event.quantity,
            billing_period=event.billing_period,
            unit_price=event.unit_price,
            start=event.start,
            payment_terms_days=event.payment_terms_days,
            suspendable=event.suspendable,
            service_kind=event.service_kind,
            vendor_reference=dict(event.vendor_reference),
        )

    def when_SubscriptionVendorReferenceSet(self, event: ev.SubscriptionVendorReferenceSet) -> None:
        self.subscriptions[event.subscription_id].vendor_reference = dict(event.vendor_reference)

    def when_SubscriptionStarted(self, event: ev.SubscriptionStarted) -> None:
        subscription = self.subscriptions[event.subscription_id]
        subscription.status, subscription.start = "active", event.start

    def when_SubscriptionQuantityChanged(self, event: ev.SubscriptionQuantityChanged) -> None:
        subscription = self.subscriptions[event.subscription_id]
        subscription.quantity, subscription.unit_price = event.quantity, event.unit_price

    def when_SubscriptionCancellationRequested(
        self, event: ev.SubscriptionCancellationRequested
    ) -> None:
        subscription = self.subscriptions[event.subscription_id]
        subscription.status, subscription.end_date = "cancelling", event.end_date

    def when_SubscriptionEnded(self, event: ev.SubscriptionEnded) -> None:
        subscription = self.subscriptions[event.subscription_id]
        subscription.status, subscription.end_date = "ended", event.end_date

    def when_OrderConfirmationIssued(self, event: ev.OrderConfirmationIssued) -> None:
        self.confirmations = event.number

"""The Catalogue aggregate: price changes announced for the provider's SKUs."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from services.agreements.domain.events import PriceChangeAnnounced
from shared.domain import Aggregate
from shared.errors import DomainError
from shared.money import dkk
from shared.profile import Product


class Catalogue(Aggregate):
    """One per profile; prices in the profile hold until a change takes effect."""

    stream_prefix = "catalogue"

    def __init__(self, aggregate_id: str) -> None:
        super().__init__(aggregate_id)
        self.changes: dict[str, list[tuple[date, Decimal]]] = {}

    def announce(
        self,
        product: Product,
        unit_price: Decimal,
        effective_from: date,
        today: date,
        notice_days: int,
    ) -> None:
        """Announce a new unit price; refused if it takes effect before the notice has run."""
        earliest = today + timedelta(days=notice_days)
        if effective_from < earliest:
            raise DomainError(
                f"a price change needs {notice_days} days' notice: "
                f"the earliest allowed date is {earliest.isoformat()}",
                field="effective_from",
            )
        self._record(
            PriceChangeAnnounced(
                sku=product.sku,
                unit_price=dkk(unit_price),
                previous_unit_price=self.unit_price_on(product, effective_from),
                effective_from=effective_from,
                announced_on=today,
            )
        )

    def unit_price_on(self, product: Product, day: date) -> Decimal:
        """The list price in force on a day (before volume tiers and period discounts)."""
        in_force = [
            price for effective, price in self.changes.get(product.sku, []) if effective <= day
        ]
        return in_force[-1] if in_force else product.unit_price

    def price_for(self, product: Product, quantity: int, period: str, day: date) -> Decimal:
        """The monthly unit price a new or changed subscription gets on that day."""
        if self.unit_price_on(product, day) == product.unit_price:
            return product.price_for(quantity, period)  # type: ignore[arg-type]
        # An announced price replaces the list price and its volume tiers (stated in the notice).
        price = self.unit_price_on(product, day)
        return price * (1 - product.yearly_discount) if period == "yearly" else price

    def when_PriceChangeAnnounced(self, event: PriceChangeAnnounced) -> None:
        changes = self.changes.setdefault(event.sku, [])
        changes.append((event.effective_from, event.unit_price))
        changes.sort()

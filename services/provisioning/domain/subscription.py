"""A subscription as provisioning knows it: its vendor reference and its queue of actions."""

from __future__ import annotations

from collections.abc import Mapping

from services.provisioning.domain import events as ev
from shared.domain import Aggregate


class ServiceSubscription(Aggregate):
    """Orders the actions of one subscription and keeps where it lives at its vendor."""

    stream_prefix = "subscription"

    def __init__(self, subscription_id: str) -> None:
        super().__init__(subscription_id)
        self.known = False
        self.customer_id: str | None = None
        self.sku: str | None = None
        self.service_kind: str | None = None
        self.reference: dict[str, str] = {}
        self.actions: list[str] = []

    def know(
        self,
        *,
        customer_id: str,
        sku: str,
        service_kind: str,
        quantity: int,
        reference: Mapping[str, str],
    ) -> None:
        """Agreements started it (an action may have arrived first, from another topic)."""
        if self.known:
            self.change_reference(reference)
            return
        self._record(
            ev.SubscriptionKnown(
                subscription_id=self.id,
                customer_id=customer_id,
                sku=sku,
                service_kind=service_kind,
                quantity=quantity,
                vendor_reference=dict(reference),
            )
        )

    def change_reference(self, reference: Mapping[str, str]) -> None:
        """A new or corrected reference replaces the old one; an empty one changes nothing."""
        if reference and dict(reference) != self.reference:
            self._record(
                ev.VendorReferenceChanged(subscription_id=self.id, vendor_reference=dict(reference))
            )

    def schedule(self, action_id: str) -> int:
        """Put an action in the subscription's queue; returns its place (from 1)."""
        if action_id in self.actions:
            return self.actions.index(action_id) + 1
        self._record(
            ev.ActionScheduled(
                subscription_id=self.id, action_id=action_id, sequence=len(self.actions) + 1
            )
        )
        return len(self.actions)

    def when_SubscriptionKnown(self, event: ev.SubscriptionKnown) -> None:
        self.known = True
        self.customer_id = event.customer_id
        self.sku = event.sku
        self.service_kind = event.service_kind
        self.reference = dict(event.vendor_reference)

    def when_VendorReferenceChanged(self, event: ev.VendorReferenceChanged) -> None:
        self.reference = dict(event.vendor_reference)

    def when_ActionScheduled(self, event: ev.ActionScheduled) -> None:
        self.actions.append(event.action_id)

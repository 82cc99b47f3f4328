"""An in-memory LicensePort with Partner Center's rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from services.provisioning.vendors.clock import utc_now
from services.provisioning.vendors.fakes.base import FakeVendor
from services.provisioning.vendors.ports import (
    LicenseEnd,
    LicenseState,
    WriteOutcome,
    can_cancel,
)


class FakeLicenses(FakeVendor):
    """Subscriptions keyed by (tenant_id, subscription_id)."""

    vendor = "fake_partner_center"

    def __init__(
        self,
        subscriptions: Mapping[tuple[str, str], LicenseState] | None = None,
        *,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        super().__init__()
        self.subscriptions = dict(subscriptions or {})
        self.now = now

    async def get(self, tenant_id: str, subscription_id: str) -> LicenseState:
        self._enter()
        return self._find(tenant_id, subscription_id)

    async def suspend(
        self, tenant_id: str, subscription_id: str, *, request_id: str
    ) -> WriteOutcome:
        return self._set_status(tenant_id, subscription_id, "suspended", request_id)

    async def reactivate(
        self, tenant_id: str, subscription_id: str, *, request_id: str
    ) -> WriteOutcome:
        return self._set_status(tenant_id, subscription_id, "active", request_id)

    async def end(self, tenant_id: str, subscription_id: str, *, request_id: str) -> LicenseEnd:
        self._enter()
        state = self._find(tenant_id, subscription_id)
        key = (tenant_id, subscription_id)
        resource = f"{tenant_id}/{subscription_id}"
        if state.status == "deleted":
            return LicenseEnd("cancelled", WriteOutcome.ALREADY, None)
        if can_cancel(state, self.now()):
            self.subscriptions[key] = replace(state, status="deleted")
            return LicenseEnd("cancelled", self._changed(resource, "cancel", request_id), None)
        ends_on = state.commitment_end_date
        if not state.auto_renew_enabled:
            return LicenseEnd("lapses_at_term_end", WriteOutcome.ALREADY, ends_on)
        self.subscriptions[key] = replace(state, auto_renew_enabled=False)
        outcome = self._changed(resource, "auto_renew_off", request_id)
        return LicenseEnd("lapses_at_term_end", outcome, ends_on)

    def _set_status(
        self, tenant_id: str, subscription_id: str, status: str, request_id: str
    ) -> WriteOutcome:
        self._enter()
        state = self._find(tenant_id, subscription_id)
        if state.status == status:
            return WriteOutcome.ALREADY
        if state.status == "deleted":
            raise self._refused("3000", "A cancelled subscription cannot be changed.")
        new = replace(state, status="suspended" if status == "suspended" else "active")
        self.subscriptions[(tenant_id, subscription_id)] = new
        action = "suspend" if status == "suspended" else "reactivate"
        return self._changed(f"{tenant_id}/{subscription_id}", action, request_id)

    def _find(self, tenant_id: str, subscription_id: str) -> LicenseState:
        state = self.subscriptions.get((tenant_id, subscription_id))
        if state is None:
            raise self._not_found(f"subscription {tenant_id}/{subscription_id}")
        return state

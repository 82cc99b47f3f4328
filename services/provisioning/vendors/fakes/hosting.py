"""An in-memory HostingPort with Plesk's rules."""

from __future__ import annotations

from collections.abc import Mapping

from services.provisioning.vendors.fakes.base import FakeVendor
from services.provisioning.vendors.ports import HostingStatus, WriteOutcome


class FakeHosting(FakeVendor):
    """Domains and their status; a deleted domain is simply gone."""

    vendor = "fake_plesk"

    def __init__(self, domains: Mapping[str, HostingStatus] | None = None) -> None:
        super().__init__()
        self.domains: dict[str, HostingStatus] = dict(domains or {})

    async def status(self, domain: str) -> HostingStatus:
        self._enter()
        return self.domains.get(domain, "absent")

    async def suspend(self, domain: str, *, request_id: str) -> WriteOutcome:
        return self._set(domain, "suspended", "suspend", request_id)

    async def activate(self, domain: str, *, request_id: str) -> WriteOutcome:
        return self._set(domain, "active", "activate", request_id)

    async def delete(self, domain: str, *, request_id: str) -> WriteOutcome:
        self._enter()
        if domain not in self.domains:
            return WriteOutcome.ALREADY
        del self.domains[domain]
        return self._changed(domain, "delete", request_id)

    def _set(
        self, domain: str, status: HostingStatus, action: str, request_id: str
    ) -> WriteOutcome:
        self._enter()
        if domain not in self.domains:
            raise self._not_found(f"domain {domain!r}")
        if self.domains[domain] == status:
            return WriteOutcome.ALREADY
        self.domains[domain] = status
        return self._changed(domain, action, request_id)

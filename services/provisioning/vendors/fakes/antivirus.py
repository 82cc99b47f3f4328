"""An in-memory AntivirusPort with ESET's rules."""

from __future__ import annotations

from collections.abc import Mapping

from services.provisioning.vendors.fakes.base import FakeVendor
from services.provisioning.vendors.ports import LicenceSeatState, WriteOutcome


class FakeAntivirus(FakeVendor):
    """Licences (key -> company, state) and companies (id -> active | suspended | deleted)."""

    vendor = "fake_eset"

    def __init__(
        self,
        licences: Mapping[str, tuple[str, LicenceSeatState]] | None = None,
        companies: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.licences: dict[str, tuple[str, LicenceSeatState]] = dict(licences or {})
        self.companies: dict[str, str] = dict(companies or {})
        for company, _ in self.licences.values():
            self.companies.setdefault(company, "active")

    async def licence_state(self, public_licence_key: str) -> LicenceSeatState:
        self._enter()
        return self._licence(public_licence_key)[1]

    async def suspend(self, public_licence_key: str, *, request_id: str) -> WriteOutcome:
        return self._set(public_licence_key, "suspended", "suspend", request_id)

    async def unsuspend(self, public_licence_key: str, *, request_id: str) -> WriteOutcome:
        return self._set(public_licence_key, "normal", "unsuspend", request_id)

    async def delete_company(self, company_id: str, *, request_id: str) -> WriteOutcome:
        self._enter()
        if self.companies.get(company_id, "deleted") == "deleted":
            return WriteOutcome.ALREADY
        self.companies[company_id] = "deleted"
        for key, (company, _) in self.licences.items():
            if company == company_id:
                self.licences[key] = (company, "suspended")
        return self._changed(company_id, "delete_company", request_id)

    def _set(self, key: str, state: LicenceSeatState, action: str, request_id: str) -> WriteOutcome:
        self._enter()
        company, current = self._licence(key)
        if self.companies.get(company) == "deleted":
            raise self._refused("8.23", "LicenseIsInactive")
        if current == state:
            return WriteOutcome.ALREADY
        self.licences[key] = (company, state)
        return self._changed(key, action, request_id)

    def _licence(self, key: str) -> tuple[str, LicenceSeatState]:
        if key not in self.licences:
            raise self._not_found(f"licence {key}")
        return self.licences[key]

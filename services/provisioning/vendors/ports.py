"""What dunning needs from the vendors: one narrow port per kind of service (DOMAIN.md 5).

Every write takes a `request_id` chosen by the caller; retrying the same action passes
the same id, so the vendor (or its simulator) can recognise the retry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Protocol


class WriteOutcome(StrEnum):
    """Whether a write changed anything at the vendor."""

    CHANGED = "changed"
    ALREADY = "already"  # the vendor was already in the wanted state; nothing was changed


# Microsoft 365 via Partner Center -------------------------------------------------------

SubscriptionStatus = Literal["none", "active", "pending", "suspended", "deleted"]


@dataclass(frozen=True)
class LicenseState:
    """A customer's Microsoft 365 subscription as Partner Center reports it."""

    subscription_id: str
    status: SubscriptionStatus
    auto_renew_enabled: bool
    quantity: int
    # Last moment Partner Center accepts a cancellation; None: it never will.
    cancellation_allowed_until: datetime | None
    commitment_end_date: date | None


LicenseEnding = Literal["cancelled", "lapses_at_term_end"]


@dataclass(frozen=True)
class LicenseEnd:
    """How a subscription was closed permanently."""

    ending: LicenseEnding
    outcome: WriteOutcome
    ends_on: date | None  # the term end, for a subscription left to lapse


def can_cancel(state: LicenseState, now: datetime) -> bool:
    """New Commerce: a cancellation is accepted only within 7 days of purchase or renewal."""
    until = state.cancellation_allowed_until
    return until is not None and now <= until


class LicensePort(Protocol):
    """Microsoft 365 subscriptions of one customer tenant."""

    async def get(self, tenant_id: str, subscription_id: str) -> LicenseState: ...

    async def suspend(
        self, tenant_id: str, subscription_id: str, *, request_id: str
    ) -> WriteOutcome: ...

    async def reactivate(
        self, tenant_id: str, subscription_id: str, *, request_id: str
    ) -> WriteOutcome: ...

    async def end(self, tenant_id: str, subscription_id: str, *, request_id: str) -> LicenseEnd:
        """Cancel within the cancellation window, else turn auto-renew off to lapse at term end."""
        ...


# Web hosting via Plesk ------------------------------------------------------------------

# "absent": Plesk forgets a deleted domain, so deleted and never-known look the same.
HostingStatus = Literal["active", "suspended", "disabled", "absent"]


class HostingPort(Protocol):
    """Web hosting subscriptions, addressed by domain name."""

    async def status(self, domain: str) -> HostingStatus: ...

    async def suspend(self, domain: str, *, request_id: str) -> WriteOutcome: ...

    async def activate(self, domain: str, *, request_id: str) -> WriteOutcome: ...

    async def delete(self, domain: str, *, request_id: str) -> WriteOutcome: ...


# Antivirus seats via ESET MSP Administrator 2 ----------------------------------------------

LicenceSeatState = Literal["error", "normal", "obsolete", "suspended", "warning"]


class AntivirusPort(Protocol):
    """ESET licences (by public licence key) and the companies that own them."""

    async def licence_state(self, public_licence_key: str) -> LicenceSeatState: ...

    async def suspend(self, public_licence_key: str, *, request_id: str) -> WriteOutcome: ...

    async def unsuspend(self, public_licence_key: str, *, request_id: str) -> WriteOutcome: ...

    async def delete_company(self, company_id: str, *, request_id: str) -> WriteOutcome:
        """Suspend the company (ESET requires it) and delete it; its licences end suspended."""
        ...


# Monitoring and patching via an RMM ---------------------------------------------------------

# "removed": the client has no monitored devices left at the RMM.
MonitoringState = Literal["monitored", "paused", "removed"]


class MonitoringPort(Protocol):
    """Monitoring and patching of one client's devices at the RMM."""

    async def monitoring_state(self, client: str) -> MonitoringState: ...

    async def pause_monitoring(self, client: str, *, request_id: str) -> WriteOutcome: ...

    async def resume_monitoring(self, client: str, *, request_id: str) -> WriteOutcome: ...

    async def remove_devices(self, client: str, *, request_id: str) -> WriteOutcome: ...

"""Public events of the provisioning context (topic provisioning.events, key = customer id).

Every vendor outcome names the action that caused it (`action_id`), the request id sent
to the vendor, and whether the vendor changed (`changed`) or was already in the wanted
state (`already`, e.g. when a retry finds its earlier write landed). No event carries a
credential: vendor errors are the adapters' redacted messages.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from shared.contracts import Contract, contract

TOPIC = "provisioning.events"


class _Provisioning(Contract):
    context = "provisioning"


class VendorFailure(BaseModel):
    """What a vendor answered when a call failed (never a secret)."""

    model_config = ConfigDict(frozen=True)

    vendor: str
    status: int | None  # None when no answer came (timeout, connection lost)
    code: str | None
    message: str
    retryable: bool


class _Action(_Provisioning):
    customer_id: str
    subscription_id: str
    action_id: str


class _Outcome(_Action):
    """A vendor reached the state the action asked for."""

    sku: str
    service_kind: str
    invoice_number: int | None
    request_id: str
    outcome: Literal["changed", "already"]
    done_on: date | None


# Microsoft 365 (Partner Center) ------------------------------------------------------------


@contract
class LicenseDeactivated(_Outcome):
    """The Microsoft 365 subscription is suspended at Partner Center."""

    tenant_id: str
    vendor_subscription_id: str


@contract
class LicenseReactivated(_Outcome):
    """The Microsoft 365 subscription is active again at Partner Center."""

    tenant_id: str
    vendor_subscription_id: str


@contract
class LicenseCancelled(_Outcome):
    """Closed permanently: cancelled, or left to lapse at term end (New Commerce rules)."""

    tenant_id: str
    vendor_subscription_id: str
    ending: Literal["cancelled", "lapses_at_term_end"]
    ends_on: date | None


# Web hosting (Plesk) ----------------------------------------------------------------------


@contract
class HostingSuspended(_Outcome):
    """The domain's hosting is suspended at Plesk."""

    domain: str


@contract
class HostingClosed(_Outcome):
    """Closed permanently: the hosting stays suspended until its data is deleted."""

    domain: str


@contract
class HostingRestored(_Outcome):
    """The domain's hosting is active again; `within_promise` against the restore deadline."""

    domain: str
    restore_deadline: datetime | None
    within_promise: bool | None


@contract
class HostedDataDeleted(_Outcome):
    """The domain and its data are removed from Plesk."""

    domain: str


# PC security (ESET + RMM) ------------------------------------------------------------------


@contract
class AntivirusSuspended(_Outcome):
    """The ESET licence's seats are suspended."""

    licence_key: str


@contract
class AntivirusRestored(_Outcome):
    """The ESET licence's seats are active again."""

    licence_key: str


@contract
class AntivirusCompanyDeleted(_Outcome):
    """The customer's ESET company is suspended and deleted (its licences end)."""

    company_id: str


@contract
class MonitoringPaused(_Outcome):
    """Monitoring and patching of the client's devices is paused at the RMM."""

    rmm_client: str


@contract
class MonitoringResumed(_Outcome):
    """Monitoring and patching of the client's devices runs again."""

    rmm_client: str


@contract
class MonitoringDevicesRemoved(_Outcome):
    """The client's devices are removed from the RMM."""

    rmm_client: str


# Manual tasks (vendors without an API, and what an API cannot undo) --------------------------


@contract
class ManualTaskOpened(_Action):
    """Operations must do something by hand; the action waits until they confirm it."""

    sku: str
    service_kind: str
    invoice_number: int | None
    task_id: str
    instructions: str
    opened_on: date | None


@contract
class ManualTaskCompleted(_Action):
    """Operations confirmed the manual task as done."""

    task_id: str
    completed_by: str
    note: str | None
    completed_on: date | None


# The action log ---------------------------------------------------------------------------


@contract
class ProvisioningActionQueued(_Action):
    """A dunning decision (or a subscription's end) became an action at the vendors."""

    sku: str
    service_kind: str
    invoice_number: int | None
    operation: str
    steps: list[str]
    queued_on: date | None


@contract
class VendorReferenceMissing(_Action):
    """The action cannot run: the subscription lacks where its service lives at the vendor."""

    sku: str
    service_kind: str
    operation: str
    missing: list[str]


@contract
class ProvisioningActionFailed(_Action):
    """A try failed; the action is tried again at retry_at."""

    operation: str
    attempt: int
    attempts_allowed: int
    error: VendorFailure
    retry_at: datetime


@contract
class ProvisioningActionDeadLettered(_Action):
    """Given up after the last try (or a refusal no retry can help): operations must look."""

    operation: str
    attempts: int
    error: VendorFailure


@contract
class ProvisioningActionRetried(_Action):
    """An operator sent a dead-lettered action back for a new round of tries."""

    requested_by: str


@contract
class ProvisioningActionSuperseded(_Action):
    """A later, opposite action (a restore after a suspension, or the reverse) made it moot."""

    superseded_by: str


@contract
class ProvisioningActionCompleted(_Action):
    """Every step of the action is done."""

    operation: str
    completed_on: date | None


@contract
class HostingRestoreBreached(_Action):
    """Web hosting was not restored within the promised hours after payment."""

    invoice_number: int | None
    domain: str | None
    restored_on: date
    restore_within_hours: int
    deadline: datetime
    detected_on: date

"""One step at its vendor: read the state first, write only if it differs.

The adapters read first too where a vendor's idempotency is unverified; reading here as
well lets a step see what no write can fix (a domain or a subscription that is gone) and
hand it to a person instead of failing forever. A write repeated after a lost answer
carries the same request id, so it is recognisable as the same write.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from services.provisioning.vendors.errors import VendorError
from services.provisioning.vendors.ports import (
    AntivirusPort,
    HostingPort,
    LicensePort,
    MonitoringPort,
    WriteOutcome,
)


class Ports(Protocol):
    """The ports a step may call."""

    licences: LicensePort
    hosting: HostingPort
    antivirus: AntivirusPort
    monitoring: MonitoringPort


@dataclass(frozen=True)
class Reached:
    """The vendor is in the step's state; `detail` says where (for the outcome event)."""

    outcome: WriteOutcome
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NeedsPerson:
    """No API call can do this: a manual task with these instructions."""

    instructions: str


StepResult = Reached | NeedsPerson
Run = Callable[[Ports, Mapping[str, str], str], Awaitable[StepResult]]


async def _licence_suspend(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    tenant, sub = ref["tenant_id"], ref["vendor_subscription_id"]
    where = {"tenant_id": tenant, "vendor_subscription_id": sub}
    state = await p.licences.get(tenant, sub)
    if state.status == "suspended":
        return Reached(WriteOutcome.ALREADY, where)
    if state.status == "deleted":
        return Reached(WriteOutcome.ALREADY, where)  # cancelled: nothing left to suspend
    return Reached(await p.licences.suspend(tenant, sub, request_id=request_id), where)


async def _licence_reactivate(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    tenant, sub = ref["tenant_id"], ref["vendor_subscription_id"]
    state = await p.licences.get(tenant, sub)
    if state.status == "active":
        return Reached(WriteOutcome.ALREADY, {"tenant_id": tenant, "vendor_subscription_id": sub})
    if state.status == "deleted":
        return NeedsPerson(
            f"Microsoft 365 subscription {sub} (tenant {tenant}) was cancelled at Partner "
            "Center and cannot be reactivated: order it again and record its new id."
        )
    outcome = await p.licences.reactivate(tenant, sub, request_id=request_id)
    return Reached(outcome, {"tenant_id": tenant, "vendor_subscription_id": sub})


async def _licence_end(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    tenant, sub = ref["tenant_id"], ref["vendor_subscription_id"]
    ended = await p.licences.end(tenant, sub, request_id=request_id)
    detail = {
        "tenant_id": tenant,
        "vendor_subscription_id": sub,
        "ending": ended.ending,
        "ends_on": ended.ends_on.isoformat() if ended.ends_on else None,
    }
    return Reached(ended.outcome, detail)


def _absent(domain: str) -> VendorError:
    return VendorError(
        "plesk", 404, "not_found", f"domain {domain} is not on the Plesk server", retryable=False
    )


async def _hosting_suspend(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    domain = ref["domain"]
    status = await p.hosting.status(domain)
    if status == "absent":
        raise _absent(domain)
    if status == "suspended":
        return Reached(WriteOutcome.ALREADY, {"domain": domain})
    return Reached(await p.hosting.suspend(domain, request_id=request_id), {"domain": domain})


async def _hosting_close(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    # Closing keeps the hosting suspended until deletion; already gone is closed enough.
    domain = ref["domain"]
    status = await p.hosting.status(domain)
    if status in ("suspended", "absent"):
        return Reached(WriteOutcome.ALREADY, {"domain": domain})
    return Reached(await p.hosting.suspend(domain, request_id=request_id), {"domain": domain})


async def _hosting_activate(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    domain = ref["domain"]
    status = await p.hosting.status(domain)
    if status == "absent":
        return NeedsPerson(
            f"Web hosting for {domain} is no longer on the Plesk server (its data was "
            "deleted): set it up again and restore the customer's files from their copy."
        )
    if status == "active":
        return Reached(WriteOutcome.ALREADY, {"domain": domain})
    return Reached(await p.hosting.activate(domain, request_id=request_id), {"domain": domain})


async def _hosting_delete(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    domain = ref["domain"]
    return Reached(await p.hosting.delete(domain, request_id=request_id), {"domain": domain})


async def _antivirus_suspend(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    key = ref["licence_key"]
    if await p.antivirus.licence_state(key) == "suspended":
        return Reached(WriteOutcome.ALREADY, {"licence_key": key})
    return Reached(await p.antivirus.suspend(key, request_id=request_id), {"licence_key": key})


async def _antivirus_unsuspend(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    key = ref["licence_key"]
    if await p.antivirus.licence_state(key) == "normal":
        return Reached(WriteOutcome.ALREADY, {"licence_key": key})
    return Reached(await p.antivirus.unsuspend(key, request_id=request_id), {"licence_key": key})


async def _antivirus_delete(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    company = ref["company_id"]
    outcome = await p.antivirus.delete_company(company, request_id=request_id)
    return Reached(outcome, {"company_id": company})


async def _monitoring_pause(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    client = ref["rmm_client"]
    if await p.monitoring.monitoring_state(client) in ("paused", "removed"):
        return Reached(WriteOutcome.ALREADY, {"rmm_client": client})
    outcome = await p.monitoring.pause_monitoring(client, request_id=request_id)
    return Reached(outcome, {"rmm_client": client})


async def _monitoring_resume(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    client = ref["rmm_client"]
    state = await p.monitoring.monitoring_state(client)
    if state == "removed":
        return NeedsPerson(
            f"The devices of RMM client {client} were removed: enrol them again to resume "
            "monitoring and patching."
        )
    if state == "monitored":
        return Reached(WriteOutcome.ALREADY, {"rmm_client": client})
    outcome = await p.monitoring.resume_monitoring(client, request_id=request_id)
    return Reached(outcome, {"rmm_client": client})


async def _monitoring_remove(p: Ports, ref: Mapping[str, str], request_id: str) -> StepResult:
    client = ref["rmm_client"]
    outcome = await p.monitoring.remove_devices(client, request_id=request_id)
    return Reached(outcome, {"rmm_client": client})


STEP_CALLS: dict[str, Run] = {
    "licence.suspend": _licence_suspend,
    "licence.reactivate": _licence_reactivate,
    "licence.end": _licence_end,
    "hosting.suspend": _hosting_suspend,
    "hosting.close": _hosting_close,
    "hosting.activate": _hosting_activate,
    "hosting.delete": _hosting_delete,
    "antivirus.suspend": _antivirus_suspend,
    "antivirus.unsuspend": _antivirus_unsuspend,
    "antivirus.delete_company": _antivirus_delete,
    "monitoring.pause": _monitoring_pause,
    "monitoring.resume": _monitoring_resume,
    "monitoring.remove": _monitoring_remove,
}


async def run_step(
    ports: Ports, step: str, reference: Mapping[str, str], request_id: str
) -> StepResult:
    """Bring one vendor to the step's state."""
    return await STEP_CALLS[step](ports, reference, request_id)

"""Which public events an action's domain events become."""

from __future__ import annotations

from typing import Any

from services.provisioning.domain import events as ev
from services.provisioning.domain.action import ProvisioningAction
from shared.contracts import Contract
from shared.contracts import provisioning as c
from shared.domain import DomainEvent

STEP_EVENTS: dict[str, type[c._Outcome]] = {
    "licence.suspend": c.LicenseDeactivated,
    "licence.reactivate": c.LicenseReactivated,
    "licence.end": c.LicenseCancelled,
    "hosting.suspend": c.HostingSuspended,
    "hosting.close": c.HostingClosed,
    "hosting.activate": c.HostingRestored,
    "hosting.delete": c.HostedDataDeleted,
    "antivirus.suspend": c.AntivirusSuspended,
    "antivirus.unsuspend": c.AntivirusRestored,
    "antivirus.delete_company": c.AntivirusCompanyDeleted,
    "monitoring.pause": c.MonitoringPaused,
    "monitoring.resume": c.MonitoringResumed,
    "monitoring.remove": c.MonitoringDevicesRemoved,
}


def failure(error: dict[str, Any]) -> c.VendorFailure:
    """The recorded vendor error as the contract carries it."""
    return c.VendorFailure.model_validate(error)


def contracts_for(action: ProvisioningAction, event: DomainEvent) -> list[Contract]:
    """The public events one recorded domain event stands for (often none)."""
    facts = action.facts
    ids = {
        "customer_id": facts.customer_id,
        "subscription_id": facts.subscription_id,
        "action_id": action.id,
    }
    about = {"sku": facts.sku, "service_kind": facts.service_kind}
    if isinstance(event, ev.ActionQueued):
        queued: list[Contract] = [
            c.ProvisioningActionQueued(
                **ids,
                **about,
                invoice_number=facts.invoice_number,
                operation=facts.operation,
                steps=facts.steps,
                queued_on=facts.occurred_on,
            )
        ]
        if event.missing:
            queued.append(
                c.VendorReferenceMissing(
                    **ids, **about, operation=facts.operation, missing=event.missing
                )
            )
        return queued
    if isinstance(event, ev.StepCompleted):
        return [_outcome(action, event, ids, about)]
    if isinstance(event, ev.ManualTaskOpened):
        return [
            c.ManualTaskOpened(
                **ids,
                **about,
                invoice_number=facts.invoice_number,
                task_id=event.task_id,
                instructions=event.instructions,
                opened_on=event.opened_on,
            )
        ]
    if isinstance(event, ev.ManualTaskCompleted):
        return [
            c.ManualTaskCompleted(
                **ids,
                task_id=event.task_id,
                completed_by=event.completed_by,
                note=event.note,
                completed_on=event.completed_on,
            )
        ]
    if isinstance(event, ev.AttemptFailed):
        return [
            c.ProvisioningActionFailed(
                **ids,
                operation=facts.operation,
                attempt=event.attempt,
                attempts_allowed=event.attempts_allowed,
                error=failure(event.error),
                retry_at=event.retry_at,
            )
        ]
    if isinstance(event, ev.ActionDeadLettered):
        return [
            c.ProvisioningActionDeadLettered(
                **ids, operation=facts.operation, attempts=event.attempt, error=failure(event.error)
            )
        ]
    if isinstance(event, ev.ActionRetryRequested):
        return [c.ProvisioningActionRetried(**ids, requested_by=event.requested_by)]
    if isinstance(event, ev.ActionSuperseded):
        return [c.ProvisioningActionSuperseded(**ids, superseded_by=event.superseded_by)]
    if isinstance(event, ev.ActionCompleted):
        return [
            c.ProvisioningActionCompleted(
                **ids, operation=facts.operation, completed_on=event.completed_on
            )
        ]
    if isinstance(event, ev.RestoreBreached):
        return [_breach(action, event, ids)]
    return []


def _outcome(
    action: ProvisioningAction,
    event: ev.StepCompleted,
    ids: dict[str, str],
    about: dict[str, str],
) -> Contract:
    facts = action.facts
    fields: dict[str, Any] = {
        **ids,
        **about,
        "invoice_number": facts.invoice_number,
        "request_id": event.request_id,
        "outcome": event.outcome,
        "done_on": event.completed_on,
        **event.detail,
    }
    if event.step == "hosting.activate":
        deadline = facts.restore_deadline
        fields["restore_deadline"] = deadline
        fields["within_promise"] = None if deadline is None else not action.breached
    return STEP_EVENTS[event.step].model_validate(fields)


def _breach(action: ProvisioningAction, event: ev.RestoreBreached, ids: dict[str, str]) -> Contract:
    facts = action.facts
    return c.HostingRestoreBreached(
        **ids,
        invoice_number=facts.invoice_number,
        domain=event.domain,
        restored_on=facts.occurred_on,
        restore_within_hours=facts.restore_within_hours or 0,
        deadline=event.deadline,
        detected_on=event.detected_on,
    )

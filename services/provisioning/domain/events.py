"""Provisioning's domain events: an action's stream and a subscription's stream."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from shared.domain import DomainEvent

# A subscription as provisioning knows it ---------------------------------------------------


class SubscriptionKnown(DomainEvent):
    """Agreements started a subscription; its vendor reference may still be empty."""

    subscription_id: str
    customer_id: str
    sku: str
    service_kind: str
    quantity: int
    vendor_reference: dict[str, str]


class VendorReferenceChanged(DomainEvent):
    """Where the subscription's service lives at its vendor (replaces the earlier one)."""

    subscription_id: str
    vendor_reference: dict[str, str]


class ActionScheduled(DomainEvent):
    """An action joined the subscription's queue: actions run in this order."""

    subscription_id: str
    action_id: str
    sequence: int


# One action: a dunning decision carried out at the vendors ---------------------------------


class ActionQueued(DomainEvent):
    """The action is recorded; nothing has been sent to a vendor yet."""

    action_id: str
    customer_id: str
    subscription_id: str
    sku: str
    service_kind: str
    operation: str
    invoice_number: int | None
    occurred_on: date
    sequence: int
    steps: list[str]
    missing: list[str]
    after_permanent_closure: bool = False
    restore_within_hours: int | None = None
    restore_deadline: datetime | None = None
    correlation_id: str | None = None
    cause_event_id: str | None = None


class ReferenceResolved(DomainEvent):
    """The subscription now has every vendor-reference key the action needs."""

    action_id: str


class ActionClaimed(DomainEvent):
    """A worker took the action for one try; the claim lapses at lease_until."""

    action_id: str
    attempt: int
    worker: str
    claimed_at: datetime
    lease_until: datetime


class StepCompleted(DomainEvent):
    """A vendor is in the state the step asked for."""

    action_id: str
    attempt: int
    step: str
    outcome: str  # "changed" | "already"
    request_id: str
    detail: dict[str, Any]
    completed_on: date | None
    completed_at: datetime


class ManualTaskOpened(DomainEvent):
    """A step needs a person; the action waits for their confirmation."""

    action_id: str
    task_id: str
    step: str
    instructions: str
    opened_on: date | None
    opened_at: datetime


class ManualTaskCompleted(DomainEvent):
    """Operations confirmed the manual step as done."""

    action_id: str
    task_id: str
    step: str
    completed_by: str
    note: str | None
    completed_on: date | None
    completed_at: datetime


class AttemptFailed(DomainEvent):
    """A try failed; the next one is due at retry_at."""

    action_id: str
    attempt: int
    error: dict[str, Any]
    attempts_allowed: int  # the number of the round's last try
    retry_at: datetime
    failed_at: datetime


class ActionDeadLettered(DomainEvent):
    """No more tries: the vendor's last error is kept for operations."""

    action_id: str
    attempt: int
    error: dict[str, Any]
    failed_at: datetime


class ActionRetryRequested(DomainEvent):
    """An operator sent the dead-lettered action back for a new round of tries."""

    action_id: str
    requested_by: str
    requested_at: datetime


class ActionSuperseded(DomainEvent):
    """A later, opposite action made this one moot before it touched the vendor (or gave up)."""

    action_id: str
    superseded_by: str


class ActionCompleted(DomainEvent):
    """Every step is done."""

    action_id: str
    completed_on: date | None
    completed_at: datetime


class RestoreBreached(DomainEvent):
    """The restore was not done within the promised hours."""

    action_id: str
    deadline: datetime
    detected_on: date
    domain: str | None = None


ALL: tuple[type[DomainEvent], ...] = (
    SubscriptionKnown,
    VendorReferenceChanged,
    ActionScheduled,
    ActionQueued,
    ReferenceResolved,
    ActionClaimed,
    StepCompleted,
    ManualTaskOpened,
    ManualTaskCompleted,
    AttemptFailed,
    ActionDeadLettered,
    ActionRetryRequested,
    ActionSuperseded,
    ActionCompleted,
    RestoreBreached,
)

"""What the provisioning API reads and accepts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

ActionState = Literal[
    "needs_reference",
    "pending",
    "in_flight",
    "failed",
    "awaiting_operator",
    "dead_lettered",
    "superseded",
    "done",
]


class _Read(BaseModel):
    @field_validator("*", mode="before")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        # The tables keep naive UTC; the API always says which zone it means.
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class VendorFailureRead(BaseModel):
    """A vendor's error as recorded (never a secret)."""

    vendor: str
    status: int | None
    code: str | None
    message: str
    retryable: bool


class ActionRead(_Read):
    """One action: what it is for, where it stands, its steps."""

    action_id: str
    customer_id: str
    subscription_id: str
    sequence: int = Field(description="place in the subscription's queue: actions run in order")
    sku: str
    service_kind: str
    operation: str = Field(description="suspend, restore, close, delete or end")
    invoice_number: int | None
    occurred_on: date = Field(description="business date of the decision")
    state: ActionState
    steps: list[str]
    completed_steps: list[dict[str, Any]]
    missing: list[str] = Field(description="vendor-reference keys the subscription lacks")
    attempts: int
    next_attempt_at: datetime | None
    lease_until: datetime | None
    worker: str | None
    last_error: VendorFailureRead | None
    after_permanent_closure: bool
    restore_within_hours: int | None
    restore_deadline: datetime | None
    breached_on: date | None
    superseded_by: str | None
    queued_at: datetime
    updated_at: datetime


class AttemptRead(_Read):
    """One try of an action."""

    attempt: int
    worker: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str = Field(
        description="running, succeeded, failed, dead_lettered, manual_task or abandoned"
    )
    steps_done: list[dict[str, Any]]
    error: VendorFailureRead | None
    retry_at: datetime | None


class ManualTaskRead(_Read):
    """Something operations must do by hand, tracked like any action."""

    task_id: str
    action_id: str
    customer_id: str
    subscription_id: str
    service_kind: str
    operation: str
    step: str
    instructions: str
    state: Literal["open", "completed"]
    opened_on: date | None
    opened_at: datetime
    completed_by: str | None
    note: str | None
    completed_at: datetime | None


class ActionDetail(ActionRead):
    """An action with its tries and manual tasks."""

    attempt_log: list[AttemptRead]
    manual_tasks: list[ManualTaskRead]


class CompleteManualTask(BaseModel):
    """Confirm a manual task as done."""

    note: str | None = Field(default=None, max_length=2000)


class RestoreBreachRead(_Read):
    """A restore that was not done within the promised hours."""

    action_id: str
    customer_id: str
    subscription_id: str
    invoice_number: int | None
    restored_on: date
    restore_within_hours: int
    restore_deadline: datetime
    breached_on: date
    state: ActionState

"""One provisioning action: a dunning decision carried out at the vendors, step by step.

States: needs_reference -> pending -> in_flight -> done, with failed (a try failed, the
next is scheduled), awaiting_operator (a manual task is open), dead_lettered (no more
tries) and superseded (a later, opposite action made it moot) on the way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from services.provisioning.domain import events as ev
from services.provisioning.domain.plans import missing_keys, step_named
from services.provisioning.domain.timing import RetryPolicy, past_deadline
from shared.domain import Aggregate
from shared.errors import Conflict


class State(StrEnum):
    """Where an action stands."""

    NEEDS_REFERENCE = "needs_reference"
    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    FAILED = "failed"
    AWAITING_OPERATOR = "awaiting_operator"
    DEAD_LETTERED = "dead_lettered"
    SUPERSEDED = "superseded"
    DONE = "done"


# An unfinished action holds back the later actions of its subscription (order per subscription).
BLOCKING = frozenset(
    {State.NEEDS_REFERENCE, State.PENDING, State.IN_FLIGHT, State.FAILED, State.AWAITING_OPERATOR}
)
SETTLED = frozenset({State.DONE, State.DEAD_LETTERED, State.SUPERSEDED})


class StaleClaim(Conflict):
    """The worker's claim lapsed and another try owns the action now."""


class ProvisioningAction(Aggregate):
    """Checks the action's rules and records what happened to it."""

    stream_prefix = "action"

    def __init__(self, action_id: str) -> None:
        super().__init__(action_id)
        self.state: State | None = None
        self.queued: ev.ActionQueued | None = None
        self.completed: dict[str, str] = {}  # step -> "changed" | "already" | "manual"
        self.details: dict[str, dict[str, Any]] = {}  # step -> where the vendor acted
        self.attempt = 0
        self.round_start = 0  # tries before the current round (an operator retry starts one)
        self.lease_until: datetime | None = None
        self.retry_at: datetime | None = None
        self.open_task: ev.ManualTaskOpened | None = None
        self.breached = False

    @classmethod
    def queue(cls, queued: ev.ActionQueued) -> ProvisioningAction:
        """Record a new action; it needs a reference or waits for a worker."""
        action = cls(queued.action_id)
        action._record(queued)
        return action

    @property
    def facts(self) -> ev.ActionQueued:
        """What the action is about."""
        assert self.queued is not None, "an action starts with ActionQueued"
        return self.queued

    @property
    def remaining(self) -> list[str]:
        """Steps not yet done, in order."""
        return [step for step in self.facts.steps if step not in self.completed]

    def resolve_reference(self, reference: Mapping[str, str]) -> None:
        """The subscription's reference changed: run once it has every key the steps need."""
        if self.state is not State.NEEDS_REFERENCE:
            return
        if not missing_keys([step_named(s) for s in self.remaining], reference):
            self._record(ev.ReferenceResolved(action_id=self.id))

    def claimable(self, now: datetime) -> bool:
        """Due for a try: pending, a failed try's retry time reached, or a lapsed claim."""
        if self.state is State.PENDING:
            return True
        if self.state is State.FAILED:
            return self.retry_at is None or self.retry_at <= now
        if self.state is State.IN_FLIGHT:
            return self.lease_until is not None and self.lease_until <= now
        return False

    def claim(self, worker: str, now: datetime, lease_seconds: float) -> int:
        """Take the action for one try; returns the try's number."""
        if not self.claimable(now):
            raise Conflict(f"action {self.id} is {self.state} and not due")
        attempt = self.attempt + 1
        self._record(
            ev.ActionClaimed(
                action_id=self.id,
                attempt=attempt,
                worker=worker,
                claimed_at=now,
                lease_until=now + timedelta(seconds=lease_seconds),
            )
        )
        return attempt

    def complete_step(
        self,
        attempt: int,
        step: str,
        *,
        outcome: str,
        request_id: str,
        detail: dict[str, Any],
        on: date | None,
        at: datetime,
        zone: ZoneInfo,
    ) -> None:
        """A vendor reached the step's state; the last step completes the action."""
        self._require_claim(attempt)
        if step in self.completed:
            return
        self._record(
            ev.StepCompleted(
                action_id=self.id,
                attempt=attempt,
                step=step,
                outcome=outcome,
                request_id=request_id,
                detail=detail,
                completed_on=on,
                completed_at=at,
            )
        )
        self._complete_if_done(on, at, zone)

    def open_manual_task(
        self, attempt: int, step: str, instructions: str, on: date | None, at: datetime
    ) -> None:
        """Hand the step to operations; the action waits for their confirmation."""
        self._require_claim(attempt)
        self._record(
            ev.ManualTaskOpened(
                action_id=self.id,
                task_id=f"{self.id}-task-{self.facts.steps.index(step) + 1}",
                step=step,
                instructions=instructions,
                opened_on=on,
                opened_at=at,
            )
        )

    def complete_manual_task(
        self, by: str, note: str | None, on: date | None, at: datetime, zone: ZoneInfo
    ) -> None:
        """Operations did the manual step."""
        task = self.open_task
        if self.state is not State.AWAITING_OPERATOR or task is None:
            raise Conflict(f"action {self.id} has no open manual task (it is {self.state})")
        self._record(
            ev.ManualTaskCompleted(
                action_id=self.id,
                task_id=task.task_id,
                step=task.step,
                completed_by=by,
                note=note,
                completed_on=on,
                completed_at=at,
            )
        )
        self._complete_if_done(on, at, zone)

    def fail(
        self,
        attempt: int,
        error: dict[str, Any],
        *,
        retryable: bool,
        retry_after: float | None,
        now: datetime,
        policy: RetryPolicy,
        draw: float,
    ) -> State:
        """A try failed: schedule the next, or dead-letter after the last (or a refusal)."""
        self._require_claim(attempt)
        tries = attempt - self.round_start
        if not retryable or policy.exhausted(tries):
            self._record(
                ev.ActionDeadLettered(
                    action_id=self.id, attempt=attempt, error=error, failed_at=now
                )
            )
        else:
            delay = policy.delay(tries, retry_after, draw)
            self._record(
                ev.AttemptFailed(
                    action_id=self.id,
                    attempt=attempt,
                    error=error,
                    attempts_allowed=self.round_start + policy.max_attempts,
                    retry_at=now + timedelta(seconds=delay),
                    failed_at=now,
                )
            )
        assert self.state is not None
        return self.state

    def request_retry(self, by: str, at: datetime) -> None:
        """An operator sends a dead-lettered action back for a full new round of tries."""
        if self.state is not State.DEAD_LETTERED:
            raise Conflict(
                f"only a dead-lettered action can be retried; action {self.id} is {self.state}"
            )
        self._record(ev.ActionRetryRequested(action_id=self.id, requested_by=by, requested_at=at))

    def supersedable_by(self, later_operation: str) -> bool:
        """A later, opposite action makes this one moot while it has not touched the vendor.

        A restore cancels a suspension that never ran (or gave up), and a new suspension
        a restore that never ran; a started one finishes first (order per subscription).
        """
        opposite = (later_operation == "restore") != (self.facts.operation == "restore")
        untouched = self.state in (State.DEAD_LETTERED, State.NEEDS_REFERENCE) or (
            self.state is State.PENDING and self.attempt == 0
        )
        return opposite and untouched

    def supersede(self, by: str) -> None:
        """Record that a later action made this one moot."""
        self._record(ev.ActionSuperseded(action_id=self.id, superseded_by=by))

    def check_restore_deadline(
        self, business_day: date, zone: ZoneInfo, domain: str | None = None
    ) -> bool:
        """Raise the breach once when the business day passes the restore deadline undone."""
        deadline = self.facts.restore_deadline
        if deadline is None or self.breached or self.state in (State.DONE, State.SUPERSEDED):
            return False
        if not past_deadline(deadline, business_day, zone):
            return False
        self._record(
            ev.RestoreBreached(
                action_id=self.id, deadline=deadline, detected_on=business_day, domain=domain
            )
        )
        return True

    def _complete_if_done(self, on: date | None, at: datetime, zone: ZoneInfo) -> None:
        if self.remaining:
            return
        if on is not None:
            domain = next((d["domain"] for d in self.details.values() if "domain" in d), None)
            self.check_restore_deadline(on, zone, domain)  # done, but too late
        self._record(ev.ActionCompleted(action_id=self.id, completed_on=on, completed_at=at))

    def _require_claim(self, attempt: int) -> None:
        if self.state is not State.IN_FLIGHT or self.attempt != attempt:
            raise StaleClaim(f"try {attempt} of action {self.id} no longer holds it")

    # Mutators: one per event.

    def when_ActionQueued(self, event: ev.ActionQueued) -> None:
        self.queued = event
        self.state = State.NEEDS_REFERENCE if event.missing else State.PENDING

    def when_ReferenceResolved(self, _: ev.ReferenceResolved) -> None:
        self.state = State.PENDING

    def when_ActionClaimed(self, event: ev.ActionClaimed) -> None:
        self.state = State.IN_FLIGHT
        self.attempt = event.attempt
        self.lease_until = event.lease_until

    def when_StepCompleted(self, event: ev.StepCompleted) -> None:
        self.completed[event.step] = event.outcome
        self.details[event.step] = event.detail

    def when_ManualTaskOpened(self, event: ev.ManualTaskOpened) -> None:
        self.state = State.AWAITING_OPERATOR
        self.open_task = event
        self.lease_until = None

    def when_ManualTaskCompleted(self, event: ev.ManualTaskCompleted) -> None:
        self.completed[event.step] = "manual"
        self.open_task = None
        self.state = State.PENDING

    def when_AttemptFailed(self, event: ev.AttemptFailed) -> None:
        self.state = State.FAILED
        self.retry_at = event.retry_at
        self.lease_until = None

    def when_ActionDeadLettered(self, _: ev.ActionDeadLettered) -> None:
        self.state = State.DEAD_LETTERED
        self.lease_until = None

    def when_ActionRetryRequested(self, _: ev.ActionRetryRequested) -> None:
        self.state = State.PENDING
        self.round_start = self.attempt
        self.retry_at = None

    def when_ActionSuperseded(self, _: ev.ActionSuperseded) -> None:
        self.state = State.SUPERSEDED

    def when_ActionCompleted(self, _: ev.ActionCompleted) -> None:
        self.state = State.DONE
        self.lease_until = None

    def when_RestoreBreached(self, _: ev.RestoreBreached) -> None:
        self.breached = True

"""When each step of the ladder acts, and which fees the law allows (pure date and money rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from shared.calendar import next_business_day, roll_forward
from shared.money import dkk
from shared.profile import (
    LAW_MAX_FEE_REMINDERS,
    LAW_MAX_REMINDER_FEE,
    LAW_MIN_DAYS_BETWEEN_FEES,
    DunningPolicy,
    DunningStep,
)


@dataclass(frozen=True)
class StepTaken:
    """A step the case has taken: on which day, and the deadline it set."""

    step_id: str
    on: date
    deadline: date | None
    fee: Decimal
    reminder_number: int | None


@dataclass(frozen=True)
class NextStep:
    """The next step of a case and its dates."""

    step: DunningStep
    trigger_deadline: date
    action_date: date
    new_deadline: date | None


def next_step(
    policy: DunningPolicy, due_date: date, taken: list[StepTaken], not_before: date | None = None
) -> NextStep | None:
    """The next step, dated from the due date and the previous deadline or action, never from today.

    A deadline on a non-business day moves to the next business day and the next one counts
    from the moved date; an `after_deadline` step acts on the first business day after it.
    """
    if len(taken) >= len(policy.steps):
        return None
    step = policy.steps[len(taken)]
    previous = taken[-1] if taken else None
    if step.anchor == "due_date" or previous is None:
        anchor = due_date
    elif step.anchor == "previous_deadline":
        anchor = previous.deadline or previous.on
    else:
        anchor = previous.on
    trigger = roll_forward(anchor + timedelta(days=step.wait_days))
    action = next_business_day(trigger) if step.acts == "after_deadline" else trigger
    if not_before is not None and action < not_before:
        # Fell due while the case was paused: it acts when the case resumes, its deadline from then.
        action = trigger = roll_forward(not_before)
    deadline = (
        roll_forward(trigger + timedelta(days=step.new_deadline_days))
        if step.new_deadline_days is not None
        else None
    )
    return NextStep(step, trigger, action, deadline)


def reminder_fee(step: DunningStep, on: date, taken: list[StepTaken]) -> tuple[Decimal, str]:
    """The fee this reminder may carry under renteloven §9 b, and why."""
    if step.letter == "none":
        return Decimal("0"), "no letter, no fee"
    if step.fee <= 0:
        return Decimal("0"), "no fee: the policy charges none on this step"
    charged = [t for t in taken if t.fee > 0]
    if len(charged) >= LAW_MAX_FEE_REMINDERS:
        return Decimal(
            "0"
        ), f"no fee: {LAW_MAX_FEE_REMINDERS} fee-bearing reminders were charged, the law's maximum"
    letters = [t for t in taken if t.reminder_number is not None]
    if letters:
        last = letters[-1]
        days = (on - last.on).days
        if days < LAW_MIN_DAYS_BETWEEN_FEES:
            return (
                Decimal("0"),
                f"no fee: {days} days since reminder {last.reminder_number}, "
                f"the law requires {LAW_MIN_DAYS_BETWEEN_FEES}",
            )
        reason = f"fee: {days} days since reminder {last.reminder_number}"
    else:
        reason = "fee: first reminder after the due date"
    fee = dkk(min(step.fee, LAW_MAX_REMINDER_FEE))
    return (
        fee,
        f"{reason}; {len(charged) + 1} of at most {LAW_MAX_FEE_REMINDERS} fee-bearing reminders",
    )


def late_interest(
    policy: DunningPolicy, outstanding: Decimal, since: date, until: date
) -> tuple[Decimal, str]:
    """Simple late interest (reference rate in force + margin, per year) on the outstanding amount."""
    if not policy.interest_enabled or outstanding <= 0 or until <= since:
        return Decimal("0"), "no interest" if not policy.interest_enabled else "no interest due"
    total = Decimal("0")
    day = since
    while day < until:
        rates = [
            r
            for r in sorted(policy.reference_rates, key=lambda r: r.valid_from)
            if r.valid_from <= day
        ]
        rate = (rates[-1].rate if rates else Decimal("0")) + policy.interest_margin_points
        total += outstanding * rate / Decimal(100) / Decimal(365)
        day += timedelta(days=1)
    return dkk(
        total
    ), f"interest {since}–{until}: reference rate + {policy.interest_margin_points} points"

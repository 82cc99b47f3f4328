"""What a dunning case does next and when, read from the provider's ladder (pure date rules).

Dunning's events say what happened; the board also shows what comes next. This mirrors the
ladder's dating (anchor, wait, act after the deadline, roll to business days) from the profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from shared.calendar import next_business_day, roll_forward
from shared.profile import DunningPolicy, DunningStep


@dataclass(frozen=True)
class TakenStep:
    """A rung the case has passed: its id, the day it acted and the deadline it set."""

    step_id: str
    on: date
    deadline: date | None


@dataclass(frozen=True)
class Outlook:
    """The next rung and the first day it can act."""

    title: str
    on: date
    actions: tuple[str, ...]


def next_rung(
    policy: DunningPolicy,
    due_date: date,
    taken: list[TakenStep],
    resumed_on: date | None = None,
) -> Outlook | None:
    """The next step of a running case, or None at the end of the ladder."""
    done = {t.step_id for t in taken}
    remaining = [s for s in policy.steps if s.id not in done]
    if not remaining:
        return None
    step = remaining[0]
    previous = taken[-1] if taken else None
    action = _action_day(step, due_date, previous)
    if resumed_on is not None and action < resumed_on:
        action = roll_forward(resumed_on)  # a step missed while paused acts when resumed
    return Outlook(title=_title(step), on=action, actions=tuple(step.actions))


def _action_day(step: DunningStep, due_date: date, previous: TakenStep | None) -> date:
    if step.anchor == "due_date" or previous is None:
        anchor = roll_forward(due_date)
    elif step.anchor == "previous_deadline":
        anchor = previous.deadline or previous.on
    else:
        anchor = previous.on
    trigger = roll_forward(anchor + timedelta(days=step.wait_days))
    return next_business_day(trigger) if step.acts == "after_deadline" else trigger


def _title(step: DunningStep) -> str:
    if step.letter == "none":
        return step.title  # a step without a letter is named by what it does
    verbs = {
        "suspend": "suspend",
        "close": "close permanently",
        "delete_hosted_data": "delete data",
    }
    extra = ", ".join(verbs[a] for a in step.actions)
    return f"{step.title}{' + ' + extra if extra else ''}"


def step_with_action(policy: DunningPolicy, action: str) -> DunningStep | None:
    """The rung that carries an action (e.g. delete_hosted_data), if the ladder has one."""
    return next((s for s in policy.steps if action in s.actions), None)
